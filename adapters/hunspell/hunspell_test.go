package hunspell_test

import (
	"runtime"
	"strings"
	"testing"

	"github.com/matryer/is"

	"github.com/vkchgk/chgkbot/adapters/hunspell"
	"github.com/vkchgk/chgkbot/chgk"
)

// A small dictionary in Hunspell's format: the nouns «остров» and «башня»
// with a part of their paradigms.
const (
	smallAff = `SET UTF-8
TRY абв

SFX N Y 4
SFX N   0    ами          [^ь]
SFX N   0    а            [^ь]
SFX N   0    ом           [^цжьшщч]
SFX N   0    у            [^ь]

SFX I Y 4
SFX I   я    ей           я
SFX I   я    ями          я
SFX I   я    и            я
SFX I   я    ю            я
`
	smallDic = `2
остров/N
башня/I
`
)

func TestAnalyze(t *testing.T) {
	is := is.New(t)
	d, err := hunspell.Read(strings.NewReader(smallAff), strings.NewReader(smallDic))
	is.NoErr(err)
	is.Equal(d.Words(), 2)
	for word, want := range map[string]chgk.Analysis{
		"остров":   {Known: true, Forms: []chgk.Form{{Lemma: "остров"}}},
		"островом": {Known: true, Forms: []chgk.Form{{Lemma: "остров"}}},
		"острова":  {Known: true, Forms: []chgk.Form{{Lemma: "остров", Plural: true}}}, // no «островы»: «острова» is the plural
		"башней":   {Known: true, Forms: []chgk.Form{{Lemma: "башня"}}},
		"башни":    {Known: true, Forms: []chgk.Form{{Lemma: "башня", Plural: true}}},
		"башнями":  {Known: true, Forms: []chgk.Form{{Lemma: "башня", Plural: true}}},
		// Unknown: itself, and the lemmas a noun's rules could make it from.
		"бахом":  {Forms: []chgk.Form{{Lemma: "бахом"}, {Lemma: "бах"}}},
		"бахами": {Forms: []chgk.Form{{Lemma: "бахами"}, {Lemma: "бахамя", Plural: true}, {Lemma: "бах", Plural: true}}},
		"xyz":    {Forms: []chgk.Form{{Lemma: "xyz"}}},
	} {
		is.Equal(d.Analyze(word), want) // the analysis of each word
	}
}

func TestReadRefusesWhatItCannotRead(t *testing.T) {
	for name, files := range map[string][2]string{
		"no rules":          {"SET UTF-8\n", smallDic},
		"no words":          {smallAff, "0\n"},
		"another encoding":  {"SET KOI8-R\n" + smallAff, smallDic},
		"long flags":        {"FLAG long\n" + smallAff, smallDic},
		"a short rule":      {"SFX N Y 1\nSFX N 0\n", smallDic},
		"an unclosed class": {"SFX N Y 1\nSFX N 0 а [^ь\n", smallDic},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := hunspell.Read(strings.NewReader(files[0]), strings.NewReader(files[1]))
			if err == nil {
				t.Fatal("read without an error")
			}
			t.Log(err)
		})
	}
	_, err := hunspell.Open("/nonexistent/ru_RU")
	if err == nil || !strings.Contains(err.Error(), "affix") {
		t.Errorf("a missing dictionary: %v", err)
	}
}

// FuzzAcceptsWithTheLexicon: with the lexicon on, normalisation stays
// idempotent, the judge never panics, and the reference itself is always
// accepted.
func FuzzAcceptsWithTheLexicon(f *testing.F) {
	d := dictionary(f)
	for _, s := range []string{"Гоголем", "Эйфелевой башней", "острова", "1812 год", "Антарктика", "[Николай] Гоголь", "ёлки-палки"} {
		f.Add(s, s)
	}
	f.Fuzz(func(t *testing.T, ref, answer string) {
		n := chgk.Normalize(answer)
		if chgk.Normalize(n) != n {
			t.Fatalf("Normalize(%q) = %q is not idempotent", answer, n)
		}
		q := chgk.Question{Answer: ref}
		q.AcceptsWith(answer, d)
		if strings.ContainsAny(ref, "[]") || chgk.Normalize(ref) == "" {
			return
		}
		if !q.AcceptsWith(ref, d) {
			t.Fatalf("%q does not accept itself", ref)
		}
	})
}

func BenchmarkAcceptsWithTheLexicon(b *testing.B) {
	d := dictionary(b)
	q := chgk.Question{Answer: "Эйфелева башня", Accepted: []string{"башня Эйфеля"}, Rejected: []string{"Пизанская башня"}}
	for _, answer := range []string{"Эйфелевой башней", "Эйфелва башня", "Антарктика", "совсем другой ответ из пяти слов"} {
		for name, lex := range map[string]chgk.Lexicon{"with": d, "without": nil} { // the same question, for the cost of the lexicon
			b.Run(name+"/"+answer, func(b *testing.B) {
				for b.Loop() {
					q.AcceptsWith(answer, lex)
				}
			})
		}
	}
}

// BenchmarkOpen loads the Russian dictionary: its time, and the memory it
// keeps (heap-kept-B/op, measured after a collection).
func BenchmarkOpen(b *testing.B) {
	dictionary(b)
	var kept uint64
	for b.Loop() {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		d, err := hunspell.Open(path())
		if err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		kept = after.HeapAlloc - before.HeapAlloc
		runtime.KeepAlive(d)
	}
	b.ReportMetric(float64(kept), "heap-kept-B/op")
}

package chgk_test

import (
	"testing"

	"github.com/matryer/is"

	"github.com/vkchgk/chgkbot/chgk"
)

// words is a lexicon of a few words, for the judge's rules alone; the real
// one is tested in adapters/hunspell. Unknown words are themselves.
type words map[string]chgk.Analysis

func (w words) Analyze(s string) chgk.Analysis {
	if a, ok := w[s]; ok {
		return a
	}
	return chgk.Analysis{Forms: []chgk.Form{{Lemma: s}}}
}

var lex = words{
	"остров":     {Known: true, Forms: []chgk.Form{{Lemma: "остров"}}},
	"острова":    {Known: true, Forms: []chgk.Form{{Lemma: "остров", Plural: true}}},
	"гоголь":     {Known: true, Forms: []chgk.Form{{Lemma: "гоголь"}}},
	"гоголем":    {Known: true, Forms: []chgk.Form{{Lemma: "гоголь"}}},
	"антарктида": {Known: true, Forms: []chgk.Form{{Lemma: "антарктида"}}},
	"антарктика": {Known: true, Forms: []chgk.Form{{Lemma: "антарктика"}}},
	"башней":     {Known: true, Forms: []chgk.Form{{Lemma: "башня"}}},
	"башня":      {Known: true, Forms: []chgk.Form{{Lemma: "башня"}}},
	"эйфелевой":  {Forms: []chgk.Form{{Lemma: "эйфелевой"}, {Lemma: "эйфелева"}}},
	"гвоздем":    {Known: true, Forms: []chgk.Form{{Lemma: "гвоздь"}}},
	"гвоздь":     {Known: true, Forms: []chgk.Form{{Lemma: "гвоздь"}}},
	"года":       {Known: true, Forms: []chgk.Form{{Lemma: "год"}}},
	"гада":       {Known: true, Forms: []chgk.Form{{Lemma: "гад"}}},
}

func TestTheLexiconsRules(t *testing.T) {
	for _, c := range []struct {
		q      chgk.Question
		answer string
		want   bool
	}{
		{chgk.Question{Answer: "Гоголь"}, "Гоголем", true},                               // another case
		{chgk.Question{Answer: "Эйфелева башня"}, "башней Эйфелевой", true},              // in another order too
		{chgk.Question{Answer: "Острова"}, "остров", false},                              // another number
		{chgk.Question{Answer: "Острова", Accepted: []string{"остров"}}, "остров", true}, // unless listed
		{chgk.Question{Answer: "Антарктида"}, "Антарктика", false},                       // another word within a typo
		{chgk.Question{Answer: "Антарктида"}, "Антарктда", true},                         // a typo that is no word
		{chgk.Question{Answer: "Гриб", Rejected: []string{"Гвоздь"}}, "гвоздём", false},  // a form of a rejected answer
		{chgk.Question{Answer: "Олимпиада 1980 года"}, "Олимпиада 1980 гада", true},      // a slip in a unit word
		{chgk.Question{Answer: "12 стульев"}, "12 стульев", true},
	} {
		if got := c.q.AcceptsWith(c.answer, lex); got != c.want {
			t.Errorf("%q for %q: %v, want %v", c.answer, c.q.Answer, got, c.want)
		}
	}
}

func TestSetLexicon(t *testing.T) {
	is := is.New(t)
	q := chgk.Question{Answer: "Гоголь"}
	is.True(!q.Accepts("Гоголем")) // no lexicon: another case is another answer
	chgk.SetLexicon(lex)
	defer chgk.SetLexicon(nil)
	is.True(q.Accepts("Гоголем")) // the installed lexicon is consulted
	chgk.SetLexicon(nil)
	is.True(!q.Accepts("Гоголем")) // and removed
}

// Package hunspell is the judge's lexicon (chgk.Lexicon) read from a
// Hunspell dictionary: a .dic of headwords with affix flags and an .aff of
// the suffix rules those flags name. Debian's hunspell-ru (Alexander
// Lebedev's Russian dictionary, under a BSD-style licence: see
// NOTICE-ru_RU in this directory) is the one the bot ships with.
//
// It implements the part of Hunspell a judge needs, and no more: suffix
// rules (SFX) with their conditions, one-letter flags, UTF-8. A word is
// analysed by stripping each suffix a rule adds and checking the headword
// that would remain; nothing is expanded at load, so loading is one pass
// over the files. The dictionary tags no grammar, so a form's number is
// read from its ending (see plural).
package hunspell

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"github.com/vkchgk/chgkbot/chgk"
)

// Dictionary is a loaded Hunspell dictionary. It is safe for concurrent
// use.
type Dictionary struct {
	words map[string]string // normalised headword → its flags
	byAdd map[string][]*rule
	flags map[rune][]*rule
	// nominal are the flags that inflect nouns and adjectives: those with
	// an instrumental plural. Only they are used to guess an unknown
	// word's lemma.
	nominal map[rune]bool
	nomPl   sync.Map // lemma+flag → its nominative plural
	cached  atomic.Int64
}

// maxCached bounds the cache of nominative plurals: the dictionary's
// lemmas fit, while guesses made from hostile answers cannot grow it
// without end.
const maxCached = 200_000

var _ chgk.Lexicon = (*Dictionary)(nil)

type rule struct {
	flag       rune
	strip, add string
	cond       []class // matched against the end of the stem
}

// class is one position of a rule's condition: a letter, a set ([абв]),
// a negated set ([^абв]) or any letter (.).
type class struct {
	set string
	neg bool
	any bool
}

// Open reads path.aff and path.dic (path without the extension, e.g.
// /usr/share/hunspell/ru_RU).
func Open(path string) (*Dictionary, error) {
	aff, err := os.Open(path + ".aff")
	if err != nil {
		return nil, fmt.Errorf("open the affix file: %w", err)
	}
	defer aff.Close()
	dic, err := os.Open(path + ".dic")
	if err != nil {
		return nil, fmt.Errorf("open the dictionary: %w", err)
	}
	defer dic.Close()
	return Read(aff, dic)
}

// Read reads a dictionary from its affix and word files. A line it cannot
// read fails with its line number.
func Read(aff, dic io.Reader) (*Dictionary, error) {
	d := &Dictionary{words: map[string]string{}, byAdd: map[string][]*rule{}, flags: map[rune][]*rule{}, nominal: map[rune]bool{}}
	if err := d.readAffixes(aff); err != nil {
		return nil, err
	}
	if err := d.readWords(dic); err != nil {
		return nil, err
	}
	return d, nil
}

func (d *Dictionary) readAffixes(r io.Reader) error {
	sc := bufio.NewScanner(r)
	n := 0
	for sc.Scan() {
		n++
		f := strings.Fields(sc.Text())
		if len(f) == 0 || f[0] != "SFX" {
			if len(f) > 0 && (f[0] == "SET" && len(f) > 1 && f[1] != "UTF-8" || f[0] == "FLAG") {
				return fmt.Errorf("affix line %d: %q is not supported (UTF-8 and one-letter flags only)", n, sc.Text())
			}
			continue // TRY, comments, prefixes (the Russian dictionary has none)
		}
		if len(f) == 4 { // the group's header: SFX flag cross count
			continue
		}
		if len(f) < 5 || len([]rune(f[1])) != 1 {
			return fmt.Errorf("affix line %d: want SFX flag strip add condition, got %q", n, sc.Text())
		}
		ru := &rule{flag: []rune(f[1])[0], strip: zero(f[2]), add: zero(f[3])}
		if i := strings.IndexByte(ru.add, '/'); i >= 0 {
			ru.add = ru.add[:i] // continuation classes: not used by this dictionary
		}
		cond, err := parseCondition(normal(f[4]))
		if err != nil {
			return fmt.Errorf("affix line %d: %w", n, err)
		}
		ru.cond = cond
		ru.strip, ru.add = normal(ru.strip), normal(ru.add)
		d.byAdd[ru.add] = append(d.byAdd[ru.add], ru)
		d.flags[ru.flag] = append(d.flags[ru.flag], ru)
		if end := ru.ending(); strings.HasSuffix(end, "ами") || strings.HasSuffix(end, "ями") || strings.HasSuffix(end, "ыми") || strings.HasSuffix(end, "ими") {
			d.nominal[ru.flag] = true
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read the affix file: %w", err)
	}
	if len(d.flags) == 0 {
		return fmt.Errorf("the affix file has no suffix rules")
	}
	return nil
}

// ending is how the forms a rule makes end, as far as it is sure: its
// added letters after the letters its condition fixes («пирамида» + «ми»
// ends in «ами»).
func (r *rule) ending() string {
	end := r.add
	if r.strip != "" {
		return end
	}
	for i := len(r.cond) - 1; i >= 0; i-- {
		c := r.cond[i]
		if c.any || c.neg || len([]rune(c.set)) != 1 {
			break
		}
		end = c.set + end
	}
	return end
}

func zero(s string) string {
	if s == "0" {
		return ""
	}
	return s
}

func parseCondition(s string) ([]class, error) {
	if s == "." {
		return nil, nil
	}
	var out []class
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		switch rs[i] {
		case '.':
			out = append(out, class{any: true})
		case '[':
			end := i + 1
			for end < len(rs) && rs[end] != ']' {
				end++
			}
			if end == len(rs) {
				return nil, fmt.Errorf("condition %q: unclosed [", s)
			}
			c := class{set: string(rs[i+1 : end])}
			if strings.HasPrefix(c.set, "^") {
				c.neg, c.set = true, c.set[1:]
			}
			out = append(out, c)
			i = end
		default:
			out = append(out, class{set: string(rs[i])})
		}
	}
	return out, nil
}

// matches reports whether the stem ends as the condition says. It reads
// the stem from its end and allocates nothing: the judge calls it often.
func (r *rule) matches(stem string) bool {
	for i := len(r.cond) - 1; i >= 0; i-- {
		if stem == "" {
			return false
		}
		last, size := utf8.DecodeLastRuneInString(stem)
		stem = stem[:len(stem)-size]
		if c := r.cond[i]; !c.any && strings.ContainsRune(c.set, last) == c.neg {
			return false
		}
	}
	return true
}

func (d *Dictionary) readWords(r io.Reader) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if n == 1 {
			if _, err := strconv.Atoi(line); err == nil {
				continue // the word count
			}
		}
		if line == "" {
			continue
		}
		word, flags, _ := strings.Cut(line, "/")
		w := normal(word)
		if w == "" {
			continue
		}
		d.words[w] += flags // a word listed twice has both sets
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read the dictionary, line %d: %w", n, err)
	}
	if len(d.words) == 0 {
		return fmt.Errorf("the dictionary has no words")
	}
	return nil
}

// normal is the judge's form of a dictionary word: lower case, «ё» as «е»
// (chgk.Normalize does the same to answers).
func normal(s string) string { return strings.ReplaceAll(strings.ToLower(s), "ё", "е") }

// Words is how many headwords the dictionary has.
func (d *Dictionary) Words() int { return len(d.words) }

// Analyze implements chgk.Lexicon.
func (d *Dictionary) Analyze(w string) chgk.Analysis {
	var a chgk.Analysis
	var guesses []chgk.Form
	add := func(dst *[]chgk.Form, f chgk.Form) {
		for _, g := range *dst {
			if g == f {
				return
			}
		}
		*dst = append(*dst, f)
	}
	if _, ok := d.words[w]; ok {
		a.Known = true
		add(&a.Forms, chgk.Form{Lemma: w})
	}
	for i := len(w); i >= 0; i-- {
		if i < len(w) && !utf8Start(w[i]) {
			continue
		}
		for _, r := range d.byAdd[w[i:]] {
			stem := w[:i] + r.strip
			if stem == "" || stem == w || !r.matches(stem) {
				continue
			}
			if flags, ok := d.words[stem]; ok && strings.ContainsRune(flags, r.flag) {
				a.Known = true
				add(&a.Forms, chgk.Form{Lemma: stem, Plural: d.plural(w, stem, r.flag)})
			} else if d.nominal[r.flag] {
				add(&guesses, chgk.Form{Lemma: stem, Plural: d.plural(w, stem, r.flag)})
			}
		}
	}
	if !a.Known {
		a.Forms = append([]chgk.Form{{Lemma: w}}, guesses...)
	}
	return a
}

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }

// plural reports whether form, made from lemma by one of flag's rules, is
// plural: the dictionary tags no grammar, so it is read from the ending.
// A plural ending of the oblique cases (-ами, -ах, -ам; -ых, -ыми of
// adjectives; -ов, -ей of a masculine noun) is plural, and so is the
// lemma's nominative plural: the form of the flag's paradigm, made on the
// stem of its -ами form, that ends in -ы/-и, or failing that in -а/-я
// («острова»). Whatever else is singular.
func (d *Dictionary) plural(form, lemma string, flag rune) bool {
	if form == lemma || !d.nominal[flag] {
		return false // verbs and adverbs have no number here
	}
	for _, end := range []string{"ами", "ями", "ах", "ях", "ам", "ям", "ыми", "ими", "ых", "их", "ые", "ие"} {
		if strings.HasSuffix(form, end) && !strings.HasSuffix(lemma, end) {
			return true
		}
	}
	last, _ := utf8.DecodeLastRuneInString(lemma)
	masculine := !strings.ContainsRune("аяоеиыу", last)
	if masculine && (strings.HasSuffix(form, "ов") || strings.HasSuffix(form, "ев") || strings.HasSuffix(form, "ей")) {
		return true
	}
	return form == d.nominativePlural(lemma, flag)
}

func (d *Dictionary) nominativePlural(lemma string, flag rune) string {
	key := lemma + "/" + string(flag)
	if v, ok := d.nomPl.Load(key); ok {
		return v.(string)
	}
	var forms []string
	stem := ""
	for _, r := range d.flags[flag] {
		if !strings.HasSuffix(lemma, r.strip) || !r.matches(lemma) {
			continue
		}
		f := lemma[:len(lemma)-len(r.strip)] + r.add
		forms = append(forms, f)
		if stem == "" && (strings.HasSuffix(f, "ами") || strings.HasSuffix(f, "ями")) {
			stem = f[:len(f)-len("ами")]
		}
	}
	nom := ""
	for _, end := range []string{"ы", "и", "а", "я"} {
		if stem == "" || nom != "" {
			break
		}
		for _, f := range forms {
			if f != lemma && len(f) == len(stem)+len(end) && strings.HasPrefix(f, stem) && strings.HasSuffix(f, end) {
				nom = f
				break
			}
		}
	}
	if d.cached.Add(1) <= maxCached {
		d.nomPl.Store(key, nom)
	}
	return nom
}

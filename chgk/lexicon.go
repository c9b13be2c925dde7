package chgk

import (
	"slices"
	"sync/atomic"
	"unicode/utf8"
)

// Lexicon knows the words of Russian, for the judge: whether a typed word
// is a word in its own right (so a «typo» that is really another word is
// not forgiven), and which lemma and grammatical number a form has (so
// «Гоголем» is «Гоголь», and «остров» is not «Острова»). The judge works
// without one, as it did before it had one. adapters/hunspell reads one
// from a Hunspell dictionary.
type Lexicon interface {
	// Analyze tells what the normalised word w (lower case, «ё» as «е»;
	// see Normalize) may be. It must be safe for concurrent use.
	Analyze(w string) Analysis
}

// Analysis is what a Lexicon knows of one word.
type Analysis struct {
	// Known: the dictionary has the word, as a headword or as a form of one.
	Known bool
	// Forms are the word's readings: the lemma each is a form of and the
	// form's number. A known word has the dictionary's readings; an
	// unknown one (a name the dictionary lacks) has itself, singular, and
	// the lemmas it could be a form of by the language's inflections.
	Forms []Form
}

// Form is one reading of a word: a form of Lemma, plural or not. A form
// that is a nominative plural (of two readings, as «острова») is plural:
// answers are given in the nominative.
type Form struct {
	Lemma  string
	Plural bool
}

// lexicon is the Lexicon Accepts consults; see SetLexicon.
var lexicon atomic.Pointer[Lexicon]

// SetLexicon installs the Lexicon that Question.Accepts consults, for the
// whole process: call it once at start, before games are judged. Nil
// removes it. Tests and programs that judge with different lexicons at
// once use Question.AcceptsWith instead.
func SetLexicon(l Lexicon) {
	if l == nil {
		lexicon.Store(nil)
		return
	}
	lexicon.Store(&l)
}

func installedLexicon() Lexicon {
	if p := lexicon.Load(); p != nil {
		return *p
	}
	return nil
}

// memo remembers a lexicon's analyses for one judgement.
type memo struct {
	lex Lexicon
	m   map[string]Analysis
}

func (m *memo) Analyze(w string) Analysis {
	if a, ok := m.m[w]; ok {
		return a
	}
	if m.m == nil {
		m.m = map[string]Analysis{}
	}
	a := m.lex.Analyze(w)
	m.m[w] = a
	return a
}

// sameWord reports whether the normalised answer word a and reference
// word r are one word to the judge: equal, or forms of one lemma in the
// same number. Numbers and
// words of two letters or fewer must be equal.
func sameWord(a, r string, lex Lexicon) bool {
	if a == r {
		return true
	}
	if lex == nil || utf8.RuneCountInString(a) < 3 || utf8.RuneCountInString(r) < 3 || isDigits(a) || isDigits(r) {
		return false
	}
	fa, fr := lex.Analyze(a).Forms, lex.Analyze(r).Forms
	if slices.Contains(fr, Form{Lemma: r}) {
		// A reference is written in the nominative: when it is a lemma
		// itself, that is its reading («Маргарита», not a form of
		// «маргарит»).
		fr = []Form{{Lemma: r}}
	}
	for _, x := range fa {
		for _, y := range fr {
			if x == y {
				return true
			}
		}
	}
	return false
}

// sameWords reports whether every word of a is one word (sameWord) with
// the word of r at the same place or, when anyOrder, with a distinct word
// of r anywhere.
func sameWords(a, r []string, anyOrder bool, lex Lexicon) bool {
	if len(a) != len(r) || len(a) == 0 {
		return false
	}
	if !anyOrder {
		for i := range a {
			if !sameWord(a[i], r[i], lex) {
				return false
			}
		}
		return true
	}
	used := make([]bool, len(r))
	var match func(i int) bool
	match = func(i int) bool { // a small backtracking search: answers have few words
		if i == len(a) {
			return true
		}
		for j := range r {
			if !used[j] && sameWord(a[i], r[j], lex) {
				used[j] = true
				if match(i + 1) {
					return true
				}
				used[j] = false
			}
		}
		return false
	}
	return match(0)
}

// anotherWord reports whether answer a, a typo away from reference r,
// holds a word that the lexicon knows as a different word from the one
// at its place in r: another lemma, or the same lemma in another number.
// Such a «typo» is a different answer. Words are paired by place, or for
// answers in another order by the sorted order; answers with another
// number of words are not checked.
func anotherWord(a, r []string, lex Lexicon) bool {
	if lex == nil || len(a) != len(r) {
		return false
	}
	for i := range a {
		if unitsAfter[r[i]] || unitsBefore[r[i]] {
			continue // a slip in a number's unit word is only a slip: «1980 гада»
		}
		if a[i] != r[i] && !isDigits(a[i]) && !sameWord(a[i], r[i], lex) && lex.Analyze(a[i]).Known {
			return true
		}
	}
	return false
}

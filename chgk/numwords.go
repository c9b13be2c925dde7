package chgk

import "strconv"

// Russian cardinal numbers written in words are read as digits by the
// judge, so «четырнадцать» answers "14" and «семь самураев» answers
// "7 самураев" (rule 1 of [Question.Accepts]). Only the nominative forms
// are read — what a player writes as an answer — up to the millions.

// numberKind is the place a number word takes in a written number.
type numberKind uint8

const (
	numZero     numberKind = iota // ноль: a number on its own
	numUnit                       // один … девять
	numTeen                       // десять … девятнадцать
	numTen                        // двадцать … девяносто
	numHundred                    // сто … девятьсот
	numMultiple                   // тысяча, миллион: multiplies what came before
)

type numberWord struct {
	kind  numberKind
	value int
}

var numberWords = map[string]numberWord{
	"ноль": {numZero, 0}, "нуль": {numZero, 0},
	"один": {numUnit, 1}, "одна": {numUnit, 1}, "одно": {numUnit, 1},
	"два": {numUnit, 2}, "две": {numUnit, 2}, "три": {numUnit, 3}, "четыре": {numUnit, 4},
	"пять": {numUnit, 5}, "шесть": {numUnit, 6}, "семь": {numUnit, 7}, "восемь": {numUnit, 8},
	"девять": {numUnit, 9},
	"десять": {numTeen, 10}, "одиннадцать": {numTeen, 11}, "двенадцать": {numTeen, 12},
	"тринадцать": {numTeen, 13}, "четырнадцать": {numTeen, 14}, "пятнадцать": {numTeen, 15},
	"шестнадцать": {numTeen, 16}, "семнадцать": {numTeen, 17}, "восемнадцать": {numTeen, 18},
	"девятнадцать": {numTeen, 19},
	"двадцать":     {numTen, 20}, "тридцать": {numTen, 30}, "сорок": {numTen, 40},
	"пятьдесят": {numTen, 50}, "шестьдесят": {numTen, 60}, "семьдесят": {numTen, 70},
	"восемьдесят": {numTen, 80}, "девяносто": {numTen, 90},
	"сто": {numHundred, 100}, "двести": {numHundred, 200}, "триста": {numHundred, 300},
	"четыреста": {numHundred, 400}, "пятьсот": {numHundred, 500}, "шестьсот": {numHundred, 600},
	"семьсот": {numHundred, 700}, "восемьсот": {numHundred, 800}, "девятьсот": {numHundred, 900},
	"тысяча": {numMultiple, 1000}, "тысячи": {numMultiple, 1000}, "тысяч": {numMultiple, 1000},
	"миллион": {numMultiple, 1_000_000}, "миллиона": {numMultiple, 1_000_000},
	"миллионов": {numMultiple, 1_000_000},
}

// writtenNumber accumulates the words of one number, in the order Russian
// writes them: hundreds, tens (or a teen), units, then a multiple, again
// for the smaller part ("тысяча девятьсот шестьдесят один").
type writtenNumber struct {
	total, group        int
	words               int
	zero                bool
	hundreds, tens, one bool // the places of group already taken
	multiple            int  // the last multiple used; 0 before any
}

// add takes w into the number, or reports false if w cannot continue it
// ("пять пять" is two numbers).
func (n *writtenNumber) add(w numberWord) bool {
	if n.zero {
		return false
	}
	switch w.kind {
	case numZero:
		if n.words > 0 {
			return false
		}
		n.zero = true
	case numHundred:
		if n.hundreds || n.tens || n.one {
			return false
		}
		n.hundreds = true
	case numTen:
		if n.tens || n.one {
			return false
		}
		n.tens = true
	case numTeen:
		if n.tens || n.one {
			return false
		}
		n.tens, n.one = true, true
	case numUnit:
		if n.one {
			return false
		}
		n.one = true
	case numMultiple:
		if n.multiple != 0 && w.value >= n.multiple {
			return false
		}
		times := max(n.group, 1)
		n.total += times * w.value
		n.group, n.multiple = 0, w.value
		n.hundreds, n.tens, n.one = false, false, false
		n.words++
		return true
	}
	n.group += w.value
	n.words++
	return true
}

func (n *writtenNumber) String() string { return strconv.Itoa(n.total + n.group) }

// foldNumberWords replaces each run of number words in fields with the
// number in digits.
func foldNumberWords(fields []string) []string {
	out := make([]string, 0, len(fields))
	var n writtenNumber
	flush := func() {
		if n.words > 0 {
			out = append(out, n.String())
			n = writtenNumber{}
		}
	}
	for _, f := range fields {
		w, ok := numberWords[f]
		if !ok {
			flush()
			out = append(out, f)
			continue
		}
		if !n.add(w) {
			flush()
			n.add(w)
		}
	}
	flush()
	return out
}

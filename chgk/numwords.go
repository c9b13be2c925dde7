package chgk

import "strconv"

// Russian numbers written in words are read as digits by the judge, so
// «четырнадцать» answers "14", «семь самураев» answers "7 самураев", and
// «Екатерина Вторая» answers "Екатерина II" (rule 1 of [Question.Accepts]).
// Cardinals and ordinals are read in the nominative — what a player writes
// as an answer — up to the millions; an ordinal ends its number
// («двадцать первый» is 21).

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
	kind    numberKind
	value   int
	ordinal bool // «первый», «сотая»: the last word of its number
}

var numberWords = map[string]numberWord{
	"ноль": {numZero, 0, false}, "нуль": {numZero, 0, false},
	"тысяча": {numMultiple, 1000, false}, "тысячи": {numMultiple, 1000, false}, "тысяч": {numMultiple, 1000, false},
	"миллион": {numMultiple, 1_000_000, false}, "миллиона": {numMultiple, 1_000_000, false},
	"миллионов": {numMultiple, 1_000_000, false},
}

// Every number word but the few above, by value: the cardinal forms, then
// the ordinal's stem and the endings it takes in the nominative (masculine,
// feminine, neuter).
var (
	hardEndings = []string{"ый", "ая", "ое"}
	softEndings = []string{"ий", "ья", "ье"}
	oiEndings   = []string{"ой", "ая", "ое"}
)

func init() {
	for _, n := range []struct {
		kind     numberKind
		value    int
		cardinal []string
		stem     string
		endings  []string
	}{
		{numUnit, 1, []string{"один", "одна", "одно"}, "перв", hardEndings},
		{numUnit, 2, []string{"два", "две"}, "втор", oiEndings},
		{numUnit, 3, []string{"три"}, "трет", softEndings},
		{numUnit, 4, []string{"четыре"}, "четверт", hardEndings},
		{numUnit, 5, []string{"пять"}, "пят", hardEndings},
		{numUnit, 6, []string{"шесть"}, "шест", oiEndings},
		{numUnit, 7, []string{"семь"}, "седьм", oiEndings},
		{numUnit, 8, []string{"восемь"}, "восьм", oiEndings},
		{numUnit, 9, []string{"девять"}, "девят", hardEndings},
		{numTeen, 10, []string{"десять"}, "десят", hardEndings},
		{numTeen, 11, []string{"одиннадцать"}, "одиннадцат", hardEndings},
		{numTeen, 12, []string{"двенадцать"}, "двенадцат", hardEndings},
		{numTeen, 13, []string{"тринадцать"}, "тринадцат", hardEndings},
		{numTeen, 14, []string{"четырнадцать"}, "четырнадцат", hardEndings},
		{numTeen, 15, []string{"пятнадцать"}, "пятнадцат", hardEndings},
		{numTeen, 16, []string{"шестнадцать"}, "шестнадцат", hardEndings},
		{numTeen, 17, []string{"семнадцать"}, "семнадцат", hardEndings},
		{numTeen, 18, []string{"восемнадцать"}, "восемнадцат", hardEndings},
		{numTeen, 19, []string{"девятнадцать"}, "девятнадцат", hardEndings},
		{numTen, 20, []string{"двадцать"}, "двадцат", hardEndings},
		{numTen, 30, []string{"тридцать"}, "тридцат", hardEndings},
		{numTen, 40, []string{"сорок"}, "сороков", oiEndings},
		{numTen, 50, []string{"пятьдесят"}, "пятидесят", hardEndings},
		{numTen, 60, []string{"шестьдесят"}, "шестидесят", hardEndings},
		{numTen, 70, []string{"семьдесят"}, "семидесят", hardEndings},
		{numTen, 80, []string{"восемьдесят"}, "восьмидесят", hardEndings},
		{numTen, 90, []string{"девяносто"}, "девяност", hardEndings},
		{numHundred, 100, []string{"сто"}, "сот", hardEndings},
		{numHundred, 200, []string{"двести"}, "двухсот", hardEndings},
		{numHundred, 300, []string{"триста"}, "трехсот", hardEndings},
		{numHundred, 400, []string{"четыреста"}, "четырехсот", hardEndings},
		{numHundred, 500, []string{"пятьсот"}, "пятисот", hardEndings},
		{numHundred, 600, []string{"шестьсот"}, "шестисот", hardEndings},
		{numHundred, 700, []string{"семьсот"}, "семисот", hardEndings},
		{numHundred, 800, []string{"восемьсот"}, "восьмисот", hardEndings},
		{numHundred, 900, []string{"девятьсот"}, "девятисот", hardEndings},
		{numMultiple, 1000, nil, "тысячн", hardEndings},
		{numMultiple, 1_000_000, nil, "миллионн", hardEndings},
	} {
		for _, c := range n.cardinal {
			numberWords[c] = numberWord{n.kind, n.value, false}
		}
		for _, e := range n.endings {
			numberWords[n.stem+e] = numberWord{n.kind, n.value, true}
		}
	}
}

// writtenNumber accumulates the words of one number, in the order Russian
// writes them: hundreds, tens (or a teen), units, then a multiple, again
// for the smaller part ("тысяча девятьсот шестьдесят один").
type writtenNumber struct {
	total, group        int
	words               int
	zero, ended         bool // ноль, or an ordinal: nothing may follow
	hundreds, tens, one bool // the places of group already taken
	multiple            int  // the last multiple used; 0 before any
}

// add takes w into the number, or reports false if w cannot continue it
// ("пять пять" is two numbers).
func (n *writtenNumber) add(w numberWord) bool {
	if n.zero || n.ended {
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
		n.ended = w.ordinal
		return true
	}
	n.group += w.value
	n.words++
	n.ended = w.ordinal
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

package chgk

import (
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// Accepts reports whether answer should count as a correct answer to q, the
// way a human ЧГК judge would decide. The rules, in order:
//
//  1. Both sides are normalised with [Normalize]: case, «ё»/«е», quotes,
//     dashes, punctuation, repeated spaces and a trailing full stop do not
//     matter; Roman numerals and Russian numbers in words count as the same
//     number in digits ("XIV" and «четырнадцать» are "14"); Latin letters
//     that look like Cyrillic ones inside a Russian word are read as
//     Cyrillic.
//  2. Parts of a reference answer in square brackets are optional:
//     "[Николай] Гоголь" accepts both "Николай Гоголь" and "Гоголь".
//  3. The references are q.Answer and every q.Accepted alternative.
//  4. An answer equal to one of q.Rejected is refused, even if it is close
//     to a reference.
//  5. An answer equal to a reference is accepted.
//  6. An answer that names two candidates ("A или B", "A, B", "A/B") is
//     refused unless the reference itself has that shape.
//  7. Small typos are forgiven: one edit (insertion, deletion, substitution,
//     or a swap of two neighbouring letters) per five letters of the
//     reference, none for references of four letters or fewer. Numbers must
//     match exactly. A typo-match is refused if the answer is at least as
//     close to a rejected answer. With a Lexicon (SetLexicon), a typo is
//     not forgiven when the typed word is itself a different dictionary
//     word — another lemma («Антарктика» for «Антарктида», «Квадрант» for
//     «Квадрат») or the same lemma in another number («остров» for
//     «Острова») — unless a reference lists it.
//  8. A number's unit word does not matter: «1812 год», «в 1812 году» and
//     "1812" are one answer, as are «XIX век», «XIX в.» and "19"; a unit
//     without its number («век» for «XIX век») is not.
//  9. The words of an answer of two words or more may come in another
//     order when every word matches: «Гоголь Николай» is «Николай Гоголь»,
//     «башня Эйфелева» is «Эйфелева башня» (typos forgiven as in rule 7).
//  10. With a Lexicon, a word in another case is the same word, for names
//     and common nouns alike: «Гоголем» is «Гоголь», «Эйфелевой башней»
//     is «Эйфелева башня» (in any order, as in rule 9), but never in
//     another number. An answer that is a form of a rejected answer is
//     refused like it.
//  11. An answer that merely contains the right one among other words is not
//     accepted.
//
// Nothing a listed alternative accepts, or a listed rejected answer
// refuses, changes with the lexicon. An empty answer is never accepted.
// Accepts does not modify q and is safe for concurrent use (if the
// lexicon is).
func (q Question) Accepts(answer string) bool { return q.AcceptsWith(answer, installedLexicon()) }

// AcceptsWith is Accepts with lex as the lexicon (nil: none), whatever
// SetLexicon installed.
func (q Question) AcceptsWith(answer string, lex Lexicon) bool {
	if lex != nil {
		lex = &memo{lex: lex} // one judgement asks about the same words many times
	}
	a := newJudged(answer)
	if a.norm == "" {
		return false
	}
	refs := make([]judged, 0, 2+len(q.Accepted))
	for _, r := range append([]string{q.Answer}, q.Accepted...) {
		refs = appendVariants(refs, r)
	}
	rejs := make([]judged, 0, len(q.Rejected))
	for _, r := range q.Rejected {
		rejs = appendVariants(rejs, r)
	}
	aWords := strings.Fields(a.bare)
	for _, r := range rejs {
		if r.norm == a.norm || r.bare == a.bare || lex != nil && sameWords(aWords, strings.Fields(r.bare), true, lex) {
			return false
		}
	}
	for _, r := range refs {
		if r.norm == a.norm || r.bare == a.bare || (a.order != "" && r.order == a.order && sameNumbers(a.bare, r.bare)) {
			return true
		}
	}
	if lex != nil && len(a.runes) <= maxTypoLen {
		for _, r := range refs { // forms of the same words (rules 8 and 9 with the lexicon)
			if sameNumbers(a.bare, r.bare) && sameWords(aWords, strings.Fields(r.bare), true, lex) {
				return true
			}
		}
	}
	if len(a.runes) > maxTypoLen {
		return false // no ЧГК answer is this long; spare the quadratic work
	}
	best := -1
	for _, r := range refs {
		if r.bare == "" || len(r.runes) > maxTypoLen || (a.multi && !r.multi) || !sameNumbers(a.bare, r.bare) {
			continue
		}
		tol := tolerance(r.norm)
		if tol == 0 {
			continue
		}
		// Each way of lining the two up counts if it is within the
		// tolerance and no typo in it is really another word.
		d := tol + 1
		try := func(x, y string) {
			if dd := distance([]rune(x), []rune(y), tol); dd < d && !anotherWord(strings.Fields(x), strings.Fields(y), lex) {
				d = dd
			}
		}
		try(a.bare, r.bare)
		if a.bare != a.norm || r.bare != r.norm { // a typo in a unit word: «1980 гада» for «1980 года»
			try(a.norm, r.norm)
		}
		if a.order != "" && r.order != "" { // the same words in another order, with typos
			try(a.order, r.order)
		}
		if d <= tol && (best < 0 || d < best) {
			best = d
		}
	}
	if best < 0 {
		return false
	}
	for _, r := range rejs {
		if distance(a.runes, r.runes, best) <= best {
			return false
		}
	}
	return true
}

// judged is one side of a comparison, prepared once.
type judged struct {
	norm  string
	bare  string // norm without the unit words of its numbers (rule 8)
	order string // bare's words sorted, for two words or more (rule 9); else ""
	runes []rune // of bare
	multi bool   // names more than one candidate
}

func newJudged(s string) judged {
	n := Normalize(s)
	b := withoutUnits(n)
	j := judged{norm: n, bare: b, runes: []rune(b), multi: hasSeveralCandidates(s)}
	if words := strings.Fields(b); len(words) >= 2 {
		slices.Sort(words)
		j.order = strings.Join(words, " ")
	}
	return j
}

// unitsAfter are the words that may follow a number as its unit: years,
// centuries, ages. unitsBefore may stand before it.
var (
	unitsAfter = map[string]bool{"год": true, "года": true, "году": true, "годом": true, "годе": true, "г": true,
		"гг": true, "годы": true, "годов": true, "лет": true, "век": true, "века": true, "веке": true, "веком": true,
		"веков": true, "в": true, "вв": true}
	unitsBefore = map[string]bool{"в": true, "год": true, "век": true}
)

// withoutUnits drops the unit words next to the numbers of a normalised
// string; a unit with no number beside it stays.
func withoutUnits(n string) string {
	words := strings.Fields(n)
	isNumber := func(i int) bool { return i >= 0 && i < len(words) && isDigits(words[i]) }
	out := words[:0:0]
	for i, w := range words {
		if (unitsAfter[w] && isNumber(i-1)) || (unitsBefore[w] && isNumber(i+1)) {
			continue
		}
		out = append(out, w)
	}
	return strings.Join(out, " ")
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// appendVariants expands the optional [bracketed] parts of a reference.
func appendVariants(dst []judged, ref string) []judged {
	for _, v := range expandOptional(ref) {
		j := newJudged(v)
		if j.norm != "" {
			dst = append(dst, j)
		}
	}
	return dst
}

// maxTypoLen is the longest normalised answer, in letters, that typo
// tolerance is tried on; longer ones must match exactly.
const maxTypoLen = 256

// maxOptional bounds the number of bracketed parts expanded, so a hostile
// reference cannot make the judge build 2^n variants.
const maxOptional = 5

// expandOptional returns every way to keep or drop the bracketed parts of s.
// Unbalanced brackets are left as text (normalisation drops the brackets).
func expandOptional(s string) []string {
	type part struct {
		text     string
		optional bool
	}
	var parts []part
	rest := s
	for {
		open := strings.IndexByte(rest, '[')
		if open < 0 {
			break
		}
		end := strings.IndexByte(rest[open:], ']')
		if end < 0 {
			break
		}
		parts = append(parts, part{rest[:open], false}, part{rest[open+1 : open+end], true})
		rest = rest[open+end+1:]
	}
	parts = append(parts, part{rest, false})
	variants := []string{""}
	optional := 0
	for _, p := range parts {
		if !p.optional || optional >= maxOptional {
			for i := range variants {
				variants[i] += " " + p.text
			}
			continue
		}
		optional++
		n := len(variants)
		for i := 0; i < n; i++ {
			variants = append(variants, variants[i]+" "+p.text)
		}
	}
	return variants
}

// Normalize returns the form of s that the judge compares: lower case, «ё»
// as «е», every character that is not a letter or a digit turned into a
// space, spaces collapsed, Roman numerals and Russian numbers in words
// (nominative, up to the millions) written in digits, and Latin
// look-alike letters inside Cyrillic words read as Cyrillic. Normalize is
// idempotent: Normalize(Normalize(s)) == Normalize(s).
func Normalize(s string) string {
	out := make([]rune, 0, len(s))
	for _, r := range strings.ToLower(s) {
		switch {
		case r == 'ё':
			r = 'е'
		case r == '\u0306' && len(out) > 0 && out[len(out)-1] == 'и':
			// «й» typed as «и» plus a combining breve.
			out[len(out)-1] = 'й'
			continue
		case unicode.Is(unicode.Mn, r):
			// Other combining marks (stress accents, the dots of a
			// decomposed «ё») do not change the word.
			continue
		case !unicode.IsLetter(r) && !unicode.IsDigit(r):
			r = ' '
		}
		out = append(out, r)
	}
	fields := strings.Fields(string(out))
	for i, f := range fields {
		fields[i] = canonicalToken(f)
	}
	return strings.Join(foldNumberWords(fields), " ")
}

// latinToCyrillic maps Latin letters to the Cyrillic ones they look like, so
// that «cтол» typed with a Latin "c" is still «стол».
var latinToCyrillic = map[rune]rune{
	'a': 'а', 'c': 'с', 'e': 'е', 'o': 'о', 'p': 'р', 'x': 'х', 'y': 'у',
	'k': 'к', 'm': 'м', 't': 'т', 'h': 'н', 'b': 'в',
}

// canonicalToken rewrites one lower-case token: a Roman numeral becomes
// digits, and a word holding Cyrillic letters loses its Latin look-alikes.
func canonicalToken(t string) string {
	if n, ok := romanValue(t); ok {
		return strconv.Itoa(n)
	}
	cyrillic := false
	for _, r := range t {
		if unicode.Is(unicode.Cyrillic, r) {
			cyrillic = true
			break
		}
	}
	if !cyrillic {
		return t
	}
	return strings.Map(func(r rune) rune {
		if c, ok := latinToCyrillic[r]; ok {
			return c
		}
		return r
	}, t)
}

// romanValue reads t as a Roman numeral in canonical form (XIV, not XIIII).
// Cyrillic х, с and м stand for their Latin twins, but at least one letter
// must be Latin, and the lone letters l, c, d and m are read as letters
// ("витамин C"), not numbers.
func romanValue(t string) (int, bool) {
	if t == "" || len(t) > 30 {
		return 0, false
	}
	latin := false
	var buf [32]byte
	digits := buf[:0]
	for _, r := range t {
		switch r {
		case 'i', 'v', 'x', 'l', 'c', 'd', 'm':
			latin = true
			digits = append(digits, byte(r))
		case 'х':
			digits = append(digits, 'x')
		case 'с':
			digits = append(digits, 'c')
		case 'м':
			digits = append(digits, 'm')
		default:
			return 0, false
		}
	}
	if !latin {
		return 0, false
	}
	if len(digits) == 1 && strings.IndexByte("lcdm", digits[0]) >= 0 {
		return 0, false
	}
	n := 0
	for i := range digits {
		v := romanDigit(digits[i])
		if i+1 < len(digits) && v < romanDigit(digits[i+1]) {
			n -= v
		} else {
			n += v
		}
	}
	if n <= 0 || n >= 4000 || toRoman(n) != string(digits) {
		return 0, false
	}
	return n, true
}

func romanDigit(b byte) int {
	switch b {
	case 'i':
		return 1
	case 'v':
		return 5
	case 'x':
		return 10
	case 'l':
		return 50
	case 'c':
		return 100
	case 'd':
		return 500
	}
	return 1000
}

func toRoman(n int) string {
	steps := []struct {
		v int
		s string
	}{{1000, "m"}, {900, "cm"}, {500, "d"}, {400, "cd"}, {100, "c"}, {90, "xc"},
		{50, "l"}, {40, "xl"}, {10, "x"}, {9, "ix"}, {5, "v"}, {4, "iv"}, {1, "i"}}
	var b strings.Builder
	for _, st := range steps {
		for n >= st.v {
			b.WriteString(st.s)
			n -= st.v
		}
	}
	return b.String()
}

// hasSeveralCandidates reports whether the raw text lists alternatives:
// "A или B", "A либо B", "A or B", "A, B", "A/B", "A; B". A comma between
// digits ("3,14") is a decimal comma, not a list.
func hasSeveralCandidates(s string) bool {
	low := " " + strings.ToLower(s) + " "
	for _, w := range []string{" или ", " либо ", " or "} {
		if strings.Contains(low, w) {
			return true
		}
	}
	rs := []rune(strings.TrimSpace(s))
	for i, r := range rs {
		switch r {
		case '/', ';':
			return i > 0 && i < len(rs)-1
		case ',':
			if i == 0 || i == len(rs)-1 {
				continue
			}
			if unicode.IsDigit(rs[i-1]) && unicode.IsDigit(rs[i+1]) {
				continue
			}
			return true
		}
	}
	return false
}

// tolerance is how many typos a reference forgives: one per five letters,
// none for four letters or fewer. Digits and spaces are not letters.
func tolerance(ref string) int {
	letters := 0
	for _, r := range ref {
		if unicode.IsLetter(r) {
			letters++
		}
	}
	if letters <= 4 {
		return 0
	}
	return letters / 5
}

// sameNumbers reports whether two normalised strings hold the same numbers
// in the same order: a typo may be forgiven in a word, never in a number.
func sameNumbers(a, b string) bool {
	na, nb := numbers(a), numbers(b)
	if len(na) != len(nb) {
		return false
	}
	for i := range na {
		if na[i] != nb[i] {
			return false
		}
	}
	return true
}

func numbers(s string) []string {
	var out []string
	for _, f := range strings.Fields(s) {
		digits := 0
		for _, r := range f {
			if unicode.IsDigit(r) {
				digits++
			}
		}
		if digits > 0 {
			out = append(out, f)
		}
	}
	return out
}

// distance is the optimal-string-alignment Damerau–Levenshtein distance of a
// and b: insertions, deletions, substitutions and swaps of two neighbours
// each cost one. It stops early and returns max+1 once the distance is sure
// to exceed max, which keeps the judge cheap on long, wrong answers.
func distance(a, b []rune, max int) int {
	if abs(len(a)-len(b)) > max {
		return max + 1
	}
	// Three rolling rows: the one before the previous is needed for swaps.
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				v = min(v, prev2[j-2]+1)
			}
			cur[j] = v
			rowMin = min(rowMin, v)
		}
		if rowMin > max {
			return max + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

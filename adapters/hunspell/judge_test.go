package hunspell_test

import (
	"os"
	"testing"

	"github.com/vkchgk/chgkbot/adapters/hunspell"
	"github.com/vkchgk/chgkbot/chgk"
	ct "github.com/vkchgk/chgkbot/chgk/chgktest"
)

// path is where Debian's hunspell-ru puts the Russian dictionary; CI
// installs it. CHGK_LEXICON points elsewhere.
func path() string {
	if p := os.Getenv("CHGK_LEXICON"); p != "" {
		return p
	}
	return "/usr/share/hunspell/ru_RU"
}

// dictionary loads the Russian dictionary once per test binary; without it
// the test is skipped, saying why, except under CI, where it fails.
func dictionary(tb testing.TB) *hunspell.Dictionary {
	tb.Helper()
	d, err := loaded()
	if err != nil {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("the Russian dictionary is required in CI: %v", err)
		}
		tb.Skipf("no Russian dictionary (apt-get install hunspell-ru, or set CHGK_LEXICON): %v", err)
	}
	return d
}

var loadedDict *hunspell.Dictionary
var loadErr error
var loadOnce = make(chan struct{})

func loaded() (*hunspell.Dictionary, error) {
	select {
	case <-loadOnce:
	default:
		loadedDict, loadErr = hunspell.Open(path())
		close(loadOnce)
	}
	return loadedDict, loadErr
}

type judgeCase struct {
	answer   string   // the reference
	accepted []string // «Зачёт»
	rejected []string // «Незачёт»
	given    string
}

// refusedCases and acceptedCases are the lexicon's cases (issue 15):
// near-words that are other words, other numbers, case forms, word order
// and unit words, from geography, names, chemistry, astronomy, history
// and everyday words.
var refusedCases = []judgeCase{
	// Another real word within typo distance: refused.
	{answer: "Антарктида", given: "Антарктика"},
	{answer: "Квадрат", given: "Квадрант"},
	{answer: "Маргарита", given: "Маргаритка"},
	{answer: "Кальций", given: "Кальцит"},
	{answer: "Метан", given: "метал"},
	{answer: "Карта", given: "карат"},
	{answer: "Ракета", given: "Ракетка"},
	{answer: "Пушкин", given: "Пушкино"},
	{answer: "Австрия", given: "Австралия"},
	{answer: "Слива", given: "Слава"},
	{answer: "Мост", given: "Пост"},
	{answer: "Граница", given: "Гранита"},
	{answer: "Барон", given: "Батон"},
	{answer: "Кратер", given: "Катер"},
	{answer: "Шпага", given: "Шпала"},
	// The same lemma in another number: refused.
	{answer: "Острова", given: "остров"},
	{answer: "Остров", given: "острова"},
	{answer: "Медведь", given: "Медведи"},
	{answer: "Корабль", given: "корабли"},
	{answer: "Пирамида", given: "Пирамиды"},
	{answer: "Монета", given: "монеты"},
	{answer: "Вулкан", given: "вулканы"},
	{answer: "Ледник", given: "ледники"},
	{answer: "Молекула", given: "молекулы"},
	{answer: "Северный полюс", given: "Северные полюса"},
	{answer: "Столица", given: "столицы"},
	// Numbers still match exactly; a unit alone is not an answer.
	{answer: "1812", given: "1821 год"},
	{answer: "XIX век", given: "век"},
	// A rejected answer stays rejected in any case, and a wrong word in any form.
	{answer: "Гриб", rejected: []string{"Гвоздь"}, given: "гвоздём"},
	{answer: "Лев Толстой", given: "Алексей Толстой"},
}

var acceptedCases = []judgeCase{
	// Another case of the same word: accepted, for names and nouns.
	{answer: "Гоголь", given: "Гоголем"},
	{answer: "[Николай] Гоголь", given: "Гоголя"},
	{answer: "Эйфелева башня", given: "Эйфелевой башней"},
	{answer: "Эйфелева башня", given: "башней Эйфелевой"},
	{answer: "Красная площадь", given: "Красной площадью"},
	{answer: "Большой театр", given: "Большим театром"},
	{answer: "Чёрное море", given: "Чёрным морем"},
	{answer: "Шекспир", given: "Шекспира"},
	{answer: "Колумб", given: "Колумбом"},
	{answer: "Кутузов", given: "Кутузовым"},
	{answer: "Ломоносов", given: "Ломоносовым"},
	{answer: "Екатерина", given: "Екатериной"},
	{answer: "Наполеон", given: "Наполеоном"},
	{answer: "Чехов", given: "Чеховым"},
	{answer: "Бетховен", given: "Бетховеном"},
	{answer: "Моцарт", given: "Моцартом"},
	{answer: "Мадрид", given: "Мадриде"},
	{answer: "Пекин", given: "Пекином"},
	{answer: "Волга", given: "Волгой"},
	{answer: "Байкал", given: "Байкалом"},
	{answer: "Эверест", given: "Эвереста"},
	{answer: "Сатурн", given: "Сатурна"},
	{answer: "Юпитер", given: "Юпитером"},
	{answer: "Кислород", given: "Кислорода"},
	{answer: "Натрий", given: "натрия"},
	{answer: "Медь", given: "медью"},
	{answer: "Ртуть", given: "ртутью"},
	{answer: "Глюкоза", given: "глюкозой"},
	{answer: "Серебро", given: "серебром"},
	// Word order and units, as before, with the lexicon on.
	{answer: "Николай Гоголь", given: "Гоголь Николай"},
	{answer: "1812", given: "1812 год"},
	{answer: "1812 год", given: "1812"},
	{answer: "XIX век", given: "19 веке"},
	// Typos in words that are no word: still forgiven.
	{answer: "Шекспир", given: "Шекспер"},
	{answer: "Антарктида", given: "Онтарктида"},
	{answer: "Менделеев", given: "Менделев"},
	// What a listed alternative accepts does not change.
	{answer: "Антарктида", accepted: []string{"Антарктика"}, given: "Антарктика"},
	{answer: "Острова", accepted: []string{"остров"}, given: "Остров"},
}

func TestJudgeWithTheLexicon(t *testing.T) {
	d := dictionary(t)
	for want, cases := range map[bool][]judgeCase{true: acceptedCases, false: refusedCases} {
		for _, c := range cases {
			q := chgk.Question{Answer: c.answer, Accepted: c.accepted, Rejected: c.rejected}
			if got := q.AcceptsWith(c.given, d); got != want {
				t.Errorf("%q for %q: accepted %v, want %v", c.given, c.answer, got, want)
			}
		}
	}
	t.Logf("%d accepted and %d refused cases", len(acceptedCases), len(refusedCases))
	if len(acceptedCases)+len(refusedCases) < 60 || len(refusedCases) < 30 {
		t.Errorf("too few cases")
	}
}

// TestTheOlderCasesHold: with the lexicon on, every verdict of the judge
// without it (chgktest.JudgeCases) stands.
func TestTheOlderCasesHold(t *testing.T) {
	d := dictionary(t)
	for _, c := range ct.JudgeCases {
		if got := c.Q.AcceptsWith(c.Answer, d); got != c.Want {
			t.Errorf("%s: %q for %q: accepted %v, want %v", c.Name, c.Answer, c.Q.Answer, got, c.Want)
		}
	}
}

// TestTheLexiconDecides: most of the cases above are decided otherwise
// without the lexicon; they test it, not the judge it extends.
func TestTheLexiconDecides(t *testing.T) {
	dictionary(t)
	changed := 0
	for want, cases := range map[bool][]judgeCase{true: acceptedCases, false: refusedCases} {
		for _, c := range cases {
			q := chgk.Question{Answer: c.answer, Accepted: c.accepted, Rejected: c.rejected}
			if q.AcceptsWith(c.given, nil) != want {
				changed++
			}
		}
	}
	t.Logf("%d of %d cases need the lexicon", changed, len(acceptedCases)+len(refusedCases))
	if changed < 40 {
		t.Errorf("only %d cases need the lexicon", changed)
	}
}

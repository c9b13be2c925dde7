package chgktest

import "github.com/vkchgk/chgkbot/chgk"

// JudgeCase is one answer the judge must decide as a human ЧГК judge
// would.
type JudgeCase struct {
	Name   string
	Q      chgk.Question
	Answer string
	Want   bool
}

// JudgeCases are the judge's verdicts with no lexicon (chgk.Question.Accepts,
// SPEC §3). A Lexicon must keep them, but for those it is meant to change
// (see adapters/hunspell).
var JudgeCases = []JudgeCase{
	// Normalisation.
	{"exact", chgk.Question{Answer: "Пушкин"}, "Пушкин", true},
	{"case", chgk.Question{Answer: "Пушкин"}, "пУШКИН", true},
	{"yo as ye", chgk.Question{Answer: "Ёжик"}, "ежик", true},
	{"ye as yo", chgk.Question{Answer: "Елка"}, "ёлка", true},
	{"decomposed yo", chgk.Question{Answer: "ёлка"}, "е\u0308лка", true},
	{"decomposed short i", chgk.Question{Answer: "Толстой"}, "Толсто\u0438\u0306", true},
	{"short i is a letter", chgk.Question{Answer: "мой"}, "мои", false},
	{"guillemets", chgk.Question{Answer: "Война и мир"}, "«Война и мир»", true},
	{"straight quotes", chgk.Question{Answer: "Война и мир"}, `"Война и мир"`, true},
	{"german quotes", chgk.Question{Answer: "Война и мир"}, "„Война и мир“", true},
	{"quoted reference", chgk.Question{Answer: "«Мастер и Маргарита»"}, "мастер и маргарита", true},
	{"trailing stop", chgk.Question{Answer: "Пушкин"}, "Пушкин.", true},
	{"exclamation", chgk.Question{Answer: "Пушкин"}, "Пушкин!!!", true},
	{"question mark", chgk.Question{Answer: "Пушкин"}, "Пушкин?", true},
	{"ellipsis", chgk.Question{Answer: "Пушкин"}, "Пушкин…", true},
	{"spaces", chgk.Question{Answer: "Война и мир"}, "  Война    и\tмир ", true},
	{"hyphen as space", chgk.Question{Answer: "Санкт-Петербург"}, "Санкт Петербург", true},
	{"em dash", chgk.Question{Answer: "Ростов-на-Дону"}, "Ростов — на — Дону", true},
	{"en dash", chgk.Question{Answer: "Ростов-на-Дону"}, "Ростов–на–Дону", true},
	{"latin lookalike", chgk.Question{Answer: "Собака"}, "Coбaкa", true},
	{"latin word kept", chgk.Question{Answer: "Apple"}, "apple", true},
	{"latin word vs cyrillic", chgk.Question{Answer: "Apple"}, "эппл", false},
	{"empty answer", chgk.Question{Answer: "Пушкин"}, "", false},
	{"only punctuation", chgk.Question{Answer: "Пушкин"}, "?!.", false},
	{"empty reference", chgk.Question{Answer: ""}, "что угодно", false},

	// Optional parts.
	{"bracket full", chgk.Question{Answer: "[Николай] Гоголь"}, "Николай Гоголь", true},
	{"bracket dropped", chgk.Question{Answer: "[Николай] Гоголь"}, "Гоголь", true},
	{"bracket part alone", chgk.Question{Answer: "[Николай] Гоголь"}, "Николай", false},
	{"bracket with typo", chgk.Question{Answer: "[Николай] Гоголь"}, "Гоголъ", true},
	{"two brackets both", chgk.Question{Answer: "[Николай] [Васильевич] Гоголь"}, "Николай Васильевич Гоголь", true},
	{"two brackets first", chgk.Question{Answer: "[Николай] [Васильевич] Гоголь"}, "Николай Гоголь", true},
	{"two brackets none", chgk.Question{Answer: "[Николай] [Васильевич] Гоголь"}, "Гоголь", true},
	{"bracket at end", chgk.Question{Answer: "Эйфелева [башня]"}, "Эйфелева", true},
	{"bracket at end full", chgk.Question{Answer: "Эйфелева [башня]"}, "Эйфелева башня", true},
	{"unbalanced bracket", chgk.Question{Answer: "Гоголь [Николай"}, "Гоголь Николай", true},
	{"brackets in accepted", chgk.Question{Answer: "Гоголь", Accepted: []string{"[Н. В.] Гоголь-Яновский"}}, "Гоголь-Яновский", true},

	// Accepted alternatives.
	{"alternative", chgk.Question{Answer: "Москва", Accepted: []string{"Первопрестольная"}}, "Первопрестольная", true},
	{"second alternative", chgk.Question{Answer: "Москва", Accepted: []string{"Первопрестольная", "Белокаменная"}}, "белокаменная", true},
	{"alternative with typo", chgk.Question{Answer: "Москва", Accepted: []string{"Первопрестольная"}}, "Перво­престольня", true},
	{"not an alternative", chgk.Question{Answer: "Москва", Accepted: []string{"Первопрестольная"}}, "Петербург", false},

	// Rejected answers.
	{"rejected exact", chgk.Question{Answer: "Наполеон Бонапарт", Rejected: []string{"Наполеон III"}}, "Наполеон III", false},
	{"rejected though close", chgk.Question{Answer: "Австралия", Rejected: []string{"Австрия"}}, "Австрия", false},
	{"rejected typo closer", chgk.Question{Answer: "Австралиец", Rejected: []string{"Австриец"}}, "Австриец.", false},
	{"rejected does not block right", chgk.Question{Answer: "Австралия", Rejected: []string{"Австрия"}}, "Австралия", true},
	{"rejected does not block typo", chgk.Question{Answer: "Австралия", Rejected: []string{"Австрия"}}, "Австраля", true},
	{"rejected with brackets", chgk.Question{Answer: "Гоголь", Rejected: []string{"[Николай] Гоголь-Моголь"}}, "Гоголь-Моголь", false},
	{"rejected case", chgk.Question{Answer: "Лев Толстой", Rejected: []string{"Алексей Толстой"}}, "алексей толстой", false},

	// Typos, scaled to length.
	{"one typo in six letters", chgk.Question{Answer: "Пушкин"}, "Пушкен", true},
	{"missing letter", chgk.Question{Answer: "Пушкин"}, "Пушин", true},
	{"extra letter", chgk.Question{Answer: "Пушкин"}, "Пушкинн", true},
	{"swap is one typo", chgk.Question{Answer: "Пушкин"}, "Пушикн", true},
	{"two typos in six letters", chgk.Question{Answer: "Пушкин"}, "Пишкен", false},
	{"two typos in ten letters", chgk.Question{Answer: "Достоевский"}, "Достаевскей", true},
	{"three typos in ten letters", chgk.Question{Answer: "Достоевский"}, "Дастаевскей", false},
	{"two swaps in eleven", chgk.Question{Answer: "Достоевский"}, "Одстоевскйи", true},
	{"four letters no typo", chgk.Question{Answer: "Рим"}, "Рам", false},
	{"four letters exact", chgk.Question{Answer: "Лира"}, "лира", true},
	{"four letters typo", chgk.Question{Answer: "Лира"}, "Лера", false},
	{"five letters one typo", chgk.Question{Answer: "Байка"}, "Байко", true},
	{"short word swap refused", chgk.Question{Answer: "Кот"}, "Кто", false},
	{"typo in multiword", chgk.Question{Answer: "Лев Николаевич Толстой"}, "Лев Николаевич Толстый", true},
	{"word missing is too far", chgk.Question{Answer: "Лев Толстой"}, "Толстой", false},

	// Numbers.
	{"number exact", chgk.Question{Answer: "1812"}, "1812", true},
	{"number off by one digit", chgk.Question{Answer: "1812"}, "1813", false},
	{"number in words and digits", chgk.Question{Answer: "1812 год"}, "1812 год", true},
	{"number wrong with text", chgk.Question{Answer: "Олимпиада 1980 года"}, "Олимпиада 1981 года", false},
	{"number right text typo", chgk.Question{Answer: "Олимпиада 1980 года"}, "Олимпиада 1980 гада", true},
	// A number's unit word does not matter (rule 8).
	{"year unit added", chgk.Question{Answer: "1812"}, "1812 год", true},
	{"year unit dropped", chgk.Question{Answer: "1812 год"}, "1812", true},
	{"year in a phrase", chgk.Question{Answer: "1812"}, "в 1812 году", true},
	{"year abbreviated", chgk.Question{Answer: "1961"}, "1961 г.", true},
	{"century abbreviated", chgk.Question{Answer: "XIX век"}, "XIX в.", true},
	{"century bare", chgk.Question{Answer: "XIX век"}, "19", true},
	{"age unit", chgk.Question{Answer: "100 лет"}, "100", true},
	{"years before", chgk.Question{Answer: "1945"}, "год 1945", true},
	{"unit, other year", chgk.Question{Answer: "1812 год"}, "1813 год", false},
	{"unit without its number", chgk.Question{Answer: "XIX век"}, "век", false},
	{"unit, other century", chgk.Question{Answer: "XIX век"}, "XX век", false},
	{"rejected year with its unit", chgk.Question{Answer: "1812", Rejected: []string{"1813"}}, "1813 год", false},
	{"a word that only looks like a unit stays", chgk.Question{Answer: "Гол"}, "1 гол", false},
	// Words in another order (rule 9).
	{"name and surname swapped", chgk.Question{Answer: "Николай Гоголь"}, "Гоголь Николай", true},
	{"noun and adjective swapped", chgk.Question{Answer: "Эйфелева башня"}, "башня Эйфелева", true},
	{"swapped with optional part", chgk.Question{Answer: "[Лев] Толстой"}, "Толстой Лев", true},
	{"swapped with a typo", chgk.Question{Answer: "Александр Пушкин"}, "Пушкн Александр", true},
	{"three words reordered", chgk.Question{Answer: "Михаил Юрьевич Лермонтов"}, "Лермонтов Михаил Юрьевич", true},
	{"swapped, one word wrong", chgk.Question{Answer: "Николай Гоголь"}, "Гоголь Пётр", false},
	{"swapped, a word more", chgk.Question{Answer: "Николай Гоголь"}, "Гоголь Николай Васильевич", false},
	{"swapped, a word less", chgk.Question{Answer: "Николай Гоголь"}, "Гоголь", false},
	{"swapped numbers are other numbers", chgk.Question{Answer: "12 стульев 3"}, "3 стульев 12", false},
	{"swapped rejected stays rejected", chgk.Question{Answer: "Красная площадь", Rejected: []string{"площадь Красная"}}, "площадь Красная", false},
	{"roman as digits", chgk.Question{Answer: "Людовик XIV"}, "Людовик 14", true},
	{"digits as roman", chgk.Question{Answer: "Людовик 14"}, "людовик xiv", true},
	{"roman wrong", chgk.Question{Answer: "Людовик XIV"}, "Людовик XV", false},
	{"roman with cyrillic kha", chgk.Question{Answer: "Людовик XIV"}, "Людовик ХIV", true},
	{"roman one", chgk.Question{Answer: "Пётр I"}, "петр 1", true},
	{"roman one vs two", chgk.Question{Answer: "Пётр I"}, "Пётр II", false},
	{"non-canonical roman is a word", chgk.Question{Answer: "Людовик 14"}, "Людовик XIIII", false},
	{"vitamin letter", chgk.Question{Answer: "Витамин C"}, "витамин c", true},
	{"decimal comma", chgk.Question{Answer: "3,14"}, "3,14", true},
	{"decimal wrong", chgk.Question{Answer: "3,14"}, "3,15", false},
	{"number in words", chgk.Question{Answer: "14"}, "четырнадцать", true},
	{"words for digits in reference", chgk.Question{Answer: "Семь самураев"}, "7 самураев", true},
	{"year in words", chgk.Question{Answer: "1961"}, "тысяча девятьсот шестьдесят один", true},
	{"thousands in words", chgk.Question{Answer: "2000"}, "две тысячи", true},
	{"hundred and one", chgk.Question{Answer: "101 далматинец"}, "Сто один далматинец", true},
	{"number in words wrong", chgk.Question{Answer: "25"}, "двадцать шесть", false},
	{"number in words is exact", chgk.Question{Answer: "Пятнадцать"}, "пять", false},
	{"two numbers are not one", chgk.Question{Answer: "55"}, "пять пять", false},
	{"roman and words agree", chgk.Question{Answer: "Людовик XIV"}, "Людовик четырнадцать", true},
	{"roman read as ordinal", chgk.Question{Answer: "Людовик XIV"}, "Людовик Четырнадцатый", true},
	{"feminine ordinal", chgk.Question{Answer: "Екатерина II"}, "Екатерина Вторая", true},
	{"soft ordinal", chgk.Question{Answer: "Александр III"}, "Александр Третий", true},
	{"wrong ordinal", chgk.Question{Answer: "Николай II"}, "Николай Третий", false},
	{"compound ordinal", chgk.Question{Answer: "21 век"}, "двадцать первый век", true},
	{"ordinal year", chgk.Question{Answer: "2021"}, "две тысячи двадцать первый", true},

	// Several candidates.
	{"or", chgk.Question{Answer: "Гоголь"}, "Гоголь или Пушкин", false},
	{"or with right first typo", chgk.Question{Answer: "Достоевский"}, "Достоевский или Толстой", false},
	{"either", chgk.Question{Answer: "Гоголь"}, "либо Гоголь либо Пушкин", false},
	{"comma list", chgk.Question{Answer: "Гоголь"}, "Гоголь, Пушкин", false},
	{"slash", chgk.Question{Answer: "Гоголь"}, "Гоголь/Пушкин", false},
	{"semicolon", chgk.Question{Answer: "Гоголь"}, "Гоголь; Пушкин", false},
	{"english or", chgk.Question{Answer: "Paris"}, "Paris or London", false},
	{"reference with or", chgk.Question{Answer: "Быть или не быть"}, "быть или не быть", true},
	{"reference with or typo", chgk.Question{Answer: "Быть или не быть, вот в чём вопрос"}, "Быть или не быть, вот в чем вопос", true},
	{"long reference shape typo", chgk.Question{Answer: "Кирилл и Мефодий"}, "Кирил и Мефодий", true},

	// Containment.
	{"contains among words", chgk.Question{Answer: "Гоголь"}, "я думаю что это Гоголь", false},
	{"prefix words", chgk.Question{Answer: "Гоголь"}, "писатель Гоголь", false},
	{"answer is part of reference", chgk.Question{Answer: "Николай Васильевич Гоголь"}, "Гоголь", false},
	{"right answer in a sentence", chgk.Question{Answer: "Москва"}, "Москва, конечно", false},
}

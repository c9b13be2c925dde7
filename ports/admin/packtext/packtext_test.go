package packtext_test

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/matryer/is"
	"golang.org/x/text/encoding/charmap"

	"github.com/vkchgk/chgkbot/ports/admin/packtext"
)

func TestParseSample(t *testing.T) {
	is := is.New(t)
	body, err := os.ReadFile("testdata/sample.txt")
	is.NoErr(err)
	p, err := packtext.Parse(body)
	is.NoErr(err)
	is.Equal(p.Name, "Тестовый кубок chgkbot")              // from «Чемпионат»
	is.Equal(p.Description, "27-Nov-2026; Команда chgkbot") // date and editor
	is.Equal(len(p.Questions), 4)
	is.Equal(p.Skipped, []packtext.Skipped{
		{Number: 3, Reason: "the handout is a picture, which the bot cannot show"},
		{Number: 5, Reason: "no answer"},
	}) // skipped with their numbers and reasons

	q1 := p.Questions[0]
	is.Equal(q1.Number, 1)
	is.Equal(q1.Answer, "[Николай] Гоголь")                            // brackets stay; the judge makes them optional
	is.Equal(q1.Accepted, []string{"Гоголь-Яновский", "Н. В. Гоголь"}) // a short «Зачёт» list
	is.Equal(q1.Rejected, []string{"Гоголь-моголь"})                   // «Незачёт» block
	is.Equal(q1.Author, "Иван Петров")                                 // inherited from the tour
	is.Equal(q1.Source, "Общеизвестные факты.")                        // inherited too
	is.True(strings.HasPrefix(q1.Comment, "Второй том"))
	is.True(!q1.NeedsReview)
	is.True(q1.Accepts("гоголь") && !q1.Accepts("гоголь-моголь")) // playable as read

	q2 := p.Questions[1]
	is.Equal(q2.Handout, "Ж, И, Р, Д, Б")             // <раздатка> becomes the handout
	is.Equal(q2.Text, "Продолжите ряд одной буквой.") // and leaves the text
	is.Equal(q2.Answer, "В")                          // a trailing «Незачёт» leaves the answer…
	is.Equal(q2.Rejected, []string{"Г"})              // …for the rejected answers
	is.Equal(q2.Author, "Мария Сидорова")             // its own author wins

	q4 := p.Questions[2]
	is.True(q4.NeedsReview)                                                // prose criteria are flagged
	is.Equal(len(q4.Accepted), 0)                                          // not taken as alternatives
	is.True(strings.Contains(q4.Comment, "Зачёт: Любой ответ, в котором")) // but kept in the comment

	q6 := p.Questions[3]
	is.Equal(q6.Author, "") // a new tour resets the inherited author
	is.Equal(q6.Accepted, []string{"Paris"})
}

func TestParseKOI8R(t *testing.T) {
	is := is.New(t)
	sample, err := os.ReadFile("testdata/sample.txt")
	is.NoErr(err)
	// KOI8-R has no guillemets or ellipsis: old files use plain quotes.
	utf := []byte(strings.NewReplacer("«", `"`, "»", `"`, "…", "...").Replace(string(sample)))
	koi, err := charmap.KOI8R.NewEncoder().Bytes(utf)
	is.NoErr(err)
	a, err := packtext.Parse(utf)
	is.NoErr(err)
	b, err := packtext.Parse(koi)
	is.NoErr(err)
	is.Equal(a, b) // the same pack in either encoding
}

func TestParseErrors(t *testing.T) {
	for _, tt := range []struct {
		body string
		line int
	}{
		{"", 1},
		{"просто текст без заголовков", 1},
		{"Чемпионат:\nКубок\n\nОтвет:\nГоголь", 4},
		{"Чемпионат:\nКубок\n\nДата:\nсегодня", 1},
		{"Вопрос 1:\nТекст\n\nчто-то без заголовка", 4},
		{"Вопрос 1:\nТекст\x00", 2},
	} {
		is := is.New(t)
		_, err := packtext.Parse([]byte(tt.body))
		var se *packtext.SyntaxError
		is.True(errors.As(err, &se)) // a clear error…
		is.Equal(se.Line, tt.line)   // …that names the line
	}
}

func FuzzParse(f *testing.F) {
	body, _ := os.ReadFile("testdata/sample.txt")
	f.Add(body)
	f.Add([]byte("Вопрос:\nx\n\nОтвет:\ny [Незачёт: z]"))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := packtext.Parse(b)
		if err == nil {
			for _, q := range p.Questions {
				if q.Answer == "" || q.Text == "" {
					t.Fatalf("question %d without text or answer", q.Number)
				}
			}
		}
	})
}

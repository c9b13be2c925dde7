package chgk_test

import (
	"testing"

	"github.com/matryer/is"

	"github.com/vkchgk/chgkbot/chgk"
	ct "github.com/vkchgk/chgkbot/chgk/chgktest"
)

func TestAccepts(t *testing.T) {
	if len(ct.JudgeCases) < 80 {
		t.Fatalf("only %d judge cases; keep at least 80", len(ct.JudgeCases))
	}
	for _, tt := range ct.JudgeCases {
		t.Run(tt.Name, func(t *testing.T) {
			is := is.New(t)
			is.Equal(tt.Q.AcceptsWith(tt.Answer, nil), tt.Want) // the judge's verdict
		})
	}
}

func TestNormalize(t *testing.T) {
	tests := []struct{ in, want string }{
		{"«Ёлка», ёжик!", "елка ежик"},
		{"  Санкт-Петербург. ", "санкт петербург"},
		{"Людовик XIV", "людовик 14"},
		{"Coбaкa", "собака"},
		{"MIX", "1009"},
		{"двадцать пять рублей", "25 рублей"},
		{"пять пять", "5 5"},
		{"ноль пять", "0 5"},
		{"тысяча тысяч", "1000 1000"},
		{"миллион двести тысяч триста", "1200300"},
		{"двенадцать пять", "12 5"},
		{"сорок двадцать", "40 20"},
		{"одна тысяча", "1000"},
		{"Тысяча и одна ночь", "1000 и 1 ночь"},
		{"cтo", "100"},
		{"первый второй", "1 2"},
		{"двадцать первый век", "21 век"},
		{"сороковой", "40"},
		{"Четвёртая власть", "4 власть"},
		{"тысячный раз", "1000 раз"},
		{"", ""},
		{"...", ""},
	}
	for _, tt := range tests {
		is := is.New(t)
		is.Equal(chgk.Normalize(tt.in), tt.want) // normal form of tt.in
	}
}

func FuzzAccepts(f *testing.F) {
	for _, s := range []string{"[Николай] Гоголь", "Людовик XIV", "3,14", "Гоголь или Пушкин", "двести тысяч пять", "«Ёлка»", "[[]]", "е\u0308", "\xff"} {
		f.Add(s, s)
	}
	f.Fuzz(func(t *testing.T, ref, answer string) {
		n := chgk.Normalize(answer)
		if chgk.Normalize(n) != n {
			t.Fatalf("Normalize not idempotent: %q → %q → %q", answer, n, chgk.Normalize(n))
		}
		q := chgk.Question{Answer: ref, Accepted: []string{answer + "x"}, Rejected: []string{ref + ref}}
		_ = q.Accepts(answer) // must not panic
		own := chgk.Question{Answer: ref}
		if chgk.Normalize(ref) != "" && !hasBracket(ref) && !own.Accepts(ref) {
			t.Fatalf("reference %q does not accept itself", ref)
		}
		if n != "" && n == chgk.Normalize(ref) && !hasBracket(ref) && !own.Accepts(answer) {
			t.Fatalf("reference %q refuses %q of the same normal form", ref, answer)
		}
	})
}

func hasBracket(s string) bool {
	for _, r := range s {
		if r == '[' || r == ']' {
			return true
		}
	}
	return false
}

func BenchmarkAccepts(b *testing.B) {
	q := chgk.Question{Answer: "[Николай Васильевич] Гоголь", Accepted: []string{"Гоголь-Яновский"}, Rejected: []string{"Гоголь-Моголь"}}
	for _, bc := range []struct{ name, answer string }{
		{"exact", "Гоголь"}, {"typo", "Гоголъ-Яновскей"}, {"wrong", "Достоевский Фёдор Михайлович"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				q.Accepts(bc.answer)
			}
		})
	}
}

package chgktest

import (
	"time"

	"github.com/vkchgk/chgkbot/chgk"
)

// Epoch is the time the fixtures start at: a fixed instant in UTC, whole
// microseconds, so it survives a round trip through any database.
var Epoch = time.Date(2026, 1, 2, 19, 0, 0, 0, time.UTC)

// Questions returns n small questions with ids 1..n. Question i has the
// answer "ответ i" written in letters ("ответ один"…) so that every answer
// differs from every other by more than the judge's typo tolerance.
func Questions(n int) []chgk.Question {
	words := []string{"один", "два", "три", "четыре", "пять", "шесть", "семь", "восемь", "девять", "десять",
		"одиннадцать", "двенадцать", "тринадцать", "четырнадцать", "пятнадцать", "шестнадцать"}
	qs := make([]chgk.Question, n)
	for i := range qs {
		w := words[i%len(words)]
		qs[i] = chgk.Question{
			ID:       int64(i + 1),
			Pack:     "Тестовый пакет",
			Text:     "Вопрос номер " + w + ": назовите число.",
			Answer:   "[Число] " + w,
			Accepted: []string{"цифра " + w},
			Rejected: []string{"не " + w},
			Comment:  "Это было число " + w + ".",
			Source:   "Придумано для тестов",
			Author:   "Тестировщик",
		}
	}
	return qs
}

// FastSettings are settings for tests: 3 rounds, every phase ten seconds
// long but for a one-second pause.
func FastSettings() chgk.Settings {
	return chgk.Settings{
		Rounds: 3, Lobby: 10 * time.Second, Discussion: 10 * time.Second, Choice: 10 * time.Second,
		Answer: 10 * time.Second, Pause: time.Second,
	}
}

// Chat is a chat peer id for tests; Chat(2) is another chat.
func Chat(n int) chgk.PeerID { return chgk.ChatPeerBase + chgk.PeerID(n) }

// Players are chat members for tests.
var (
	Anna  = chgk.Player{ID: 101, Name: "Анна"}
	Boris = chgk.Player{ID: 102, Name: "Борис"}
	Vera  = chgk.Player{ID: 103, Name: "Вера"}
	Gleb  = chgk.Player{ID: 104, Name: "Глеб"}
)

// NewHost returns a Host over a fresh Memory store holding questions, with a
// Clock at Epoch and a Rand yielding rnd (0 when empty).
func NewHost(settings chgk.Settings, questions []chgk.Question, rnd ...int) (*chgk.Host, *Memory, *Clock) {
	m := NewMemory(questions...)
	c := NewClock(Epoch)
	return &chgk.Host{Games: m, Questions: m, Chats: m, Appeals: m, Leaders: m, Clock: c, Rand: NewRand(rnd...), Defaults: settings}, m, c
}

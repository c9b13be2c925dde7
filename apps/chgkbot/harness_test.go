package main

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/vkchgk/chgkbot/adapters/postgres"
	"github.com/vkchgk/chgkbot/adapters/vksim"
)

const (
	testToken = "community-token"
	testGroup = 4242
)

// world is a fake VK and a database for the bot under test.
type world struct {
	t    *testing.T
	fake *vksim.Server
	url  string
	db   *bun.DB
	// timeout bounds every wait for the bot; a test with long phases
	// raises it for its own world.
	timeout time.Duration
}

// env is the bot's environment in the world, with fast phases.
func (w *world) env(extra ...string) func(string) string {
	vars := map[string]string{
		"DATABASE_URL": w.url, "VK_TOKEN": testToken, "VK_GROUP_ID": strconv.Itoa(testGroup), "VK_API_URL": w.fake.APIURL(),
		"HTTP_ADDR": "127.0.0.1:0", "LOG_LEVEL": "debug", "CHGK_ROUNDS": "2", "CHGK_LOBBY_SECONDS": "20", "CHGK_DISCUSSION_SECONDS": "3",
		"CHGK_CHOICE_SECONDS": "3", "CHGK_ANSWER_SECONDS": "20", "CHGK_PAUSE_SECONDS": "0.5",
	}
	for i := 0; i+1 < len(extra); i += 2 {
		vars[extra[i]] = extra[i+1]
	}
	return func(k string) string { return vars[k] }
}

// answers maps question texts to their answers, from the database.
func (w *world) answers() map[string]string {
	var rows []struct {
		Text   string `bun:"text"`
		Answer string `bun:"answer"`
	}
	if err := w.db.NewRaw(`SELECT text, answer FROM questions`).Scan(context.Background(), &rows); err != nil {
		w.t.Fatal(err)
	}
	m := map[string]string{}
	for _, r := range rows {
		m[r.Text] = r.Answer
	}
	return m
}

func newWorld(t *testing.T, url string) *world {
	db, err := postgres.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return &world{t: t, fake: vksim.New(t, testToken, testGroup), url: url, db: db, timeout: 30 * time.Second}
}

// chat is one chat of the world with its members, played by a script.
type chat struct {
	w       *world
	n       int
	peer    int64
	members []int64
	next    int // index of the first sent message not yet expected
	answers map[string]string
	// at, if set, is called as the script reaches each phase: the crash
	// test kills the bot there.
	at func(phase string)
	// phase is the discussion's and the choice's length (the script checks
	// that timers never fire early); 3 s unless a test sets it.
	phase time.Duration
	// early is how much sooner than its length a phase may end: zero,
	// unless a test kills the bot (see the crash test).
	early time.Duration
}

func (c *chat) reached(phase string) {
	if c.at != nil {
		c.at(phase)
	}
}

func (w *world) chat(n int, members ...int64) *chat {
	for _, m := range members {
		w.fake.AddUser(m, fmt.Sprintf("Игрок%d", m), "Тестов")
	}
	return &chat{w: w, n: n, peer: w.fake.AddChat(n, false, members...), members: members, answers: w.answers(),
		phase: 3 * time.Second}
}

// threeChats are the chats the game tests play in, three members each.
func (w *world) threeChats() []*chat {
	return []*chat{w.chat(1, 101, 102, 103), w.chat(2, 201, 202, 203), w.chat(3, 301, 302, 303)}
}

// playAll plays the scripted game in every chat at once and waits for all.
func playAll(chats []*chat) {
	var wg sync.WaitGroup
	for _, c := range chats {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.playScripted()
		}()
	}
	wg.Wait()
}

// expect waits for the next message of the chat that contains want, and
// returns it; messages before it are skipped.
func (c *chat) expect(want string) vksim.Sent {
	c.w.t.Helper()
	deadline := time.Now().Add(c.w.timeout)
	for time.Now().Before(deadline) {
		if s, ok := c.nextWith(want); ok {
			return s
		}
		time.Sleep(5 * time.Millisecond)
	}
	c.w.t.Fatalf("chat %d: no message with %q in %v; got:\n%s", c.n, want, c.w.timeout, c.dump())
	return vksim.Sent{}
}

// nextWith takes the chat's next sent message that contains want, if it
// has come; messages before it are skipped.
func (c *chat) nextWith(want string) (vksim.Sent, bool) {
	sent := c.w.fake.SentTo(c.peer)
	for i := c.next; i < len(sent); i++ {
		if strings.Contains(sent[i].Text, want) {
			c.next = i + 1
			return sent[i], true
		}
	}
	return vksim.Sent{}, false
}

// transcript is the chat's messages as they read at the end, each after
// its last edit, with its buttons' labels.
func (c *chat) transcript() string {
	var b strings.Builder
	for _, s := range c.w.fake.SentTo(c.peer) {
		text, kb := s.Text, s.Keyboard
		for _, e := range c.w.fake.Edits() {
			if e.Peer == c.peer && e.CMID == s.CMID {
				text, kb = e.Text+" (edited)", e.Keyboard
			}
		}
		fmt.Fprintf(&b, "--- %d\n%s\n", s.CMID, text)
		if labels := labelRE.FindAllStringSubmatch(kb, -1); len(labels) > 0 {
			b.WriteString("[")
			for i, l := range labels {
				if i > 0 {
					b.WriteString("] [")
				}
				b.WriteString(l[1])
			}
			b.WriteString("]\n")
		}
	}
	return b.String()
}

var labelRE = regexp.MustCompile(`"label":"([^"]*)"`)

func (c *chat) dump() string {
	var b strings.Builder
	for i, s := range c.w.fake.SentTo(c.peer) {
		fmt.Fprintf(&b, "  %d [%s] %s\n", i, s.At.Format("15:04:05.000"), strings.ReplaceAll(s.Text, "\n", " ⏎ "))
	}
	return b.String()
}

// press presses a callback button and waits for the press to be answered;
// it returns the snackbar text ("" when just acknowledged).
func (c *chat) press(user int64, payload map[string]any, cmid int64) string {
	c.w.t.Helper()
	return c.answer(c.w.fake.Press(c.peer, user, payload, cmid))
}

// answer waits for the callback press id to be answered and returns its
// snackbar text ("" when just acknowledged).
func (c *chat) answer(id string) string {
	c.w.t.Helper()
	deadline := time.Now().Add(c.w.timeout)
	for time.Now().Before(deadline) {
		for _, a := range c.w.fake.Answers() {
			if a.EventID == id {
				return a.EventData
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	c.w.t.Fatalf("chat %d: press %s was never answered", c.n, id)
	return ""
}

var captainRE = regexp.MustCompile(`Капитан — \[id(\d+)\|`)

func captainOf(text string) int64 {
	m := captainRE.FindStringSubmatch(text)
	if m == nil {
		return 0
	}
	id, _ := strconv.ParseInt(m[1], 10, 64)
	return id
}

// answerTo finds the answer of the question a round's message shows.
func (c *chat) answerTo(round string) string {
	for text, answer := range c.answers {
		if strings.Contains(round, text) {
			return answer
		}
	}
	c.w.t.Fatalf("chat %d: no known question in %q", c.n, round)
	return ""
}

// checkNoDuplicates fails if the chat got one text twice or one random_id
// twice: either would be a message shown twice.
func (c *chat) checkNoDuplicates() {
	c.w.t.Helper()
	c.checkNoDuplicatesFrom(0)
}

// checkNoDuplicatesFrom checks the chat's messages from the from-th on:
// one game's, when a chat plays several games with the same texts.
func (c *chat) checkNoDuplicatesFrom(from int) {
	c.w.t.Helper()
	texts, ids := map[string]int{}, map[int64]int{}
	for i, s := range c.w.fake.SentTo(c.peer) {
		if i < from {
			continue
		}
		if j, ok := texts[s.Text]; ok {
			c.w.t.Errorf("chat %d: message %d repeats message %d: %q", c.n, i, j, s.Text)
		}
		if j, ok := ids[s.RandomID]; ok {
			c.w.t.Errorf("chat %d: message %d reuses random_id of %d", c.n, i, j)
		}
		texts[s.Text], ids[s.RandomID] = i, i
	}
}

// others returns the members but the given ones.
func (c *chat) others(not ...int64) []int64 {
	var out []int64
	for _, m := range c.members {
		skip := false
		for _, n := range not {
			skip = skip || m == n
		}
		if !skip {
			out = append(out, m)
		}
	}
	return out
}

// playScripted plays a whole two-round game in the chat: joins by button
// and by text, a non-captain pressing the captain's buttons, an early
// answer, the captain's choice by button, a non-answerer writing, a right
// answer; then a round left to its timers and a wrong answer. It checks
// every reply on the way and returns the final results message.
func (c *chat) playScripted() vksim.Sent {
	t := c.w.t
	t.Helper()
	a, b, cc := c.members[0], c.members[1], c.members[2]
	c.w.fake.Say(c.peer, a, "[club4242|@chgk] /start")
	lobby := c.expect("начинает игру")
	c.reached("lobby")
	if snack := c.press(b, map[string]any{"a": "join"}, lobby.CMID); snack != "" {
		t.Errorf("chat %d: join answered with %s", c.n, snack)
	}
	c.expect(fmt.Sprintf("[id%d|Игрок%d] в команде", b, b))
	c.w.fake.Say(c.peer, cc, "Играю")
	c.expect(fmt.Sprintf("[id%d|Игрок%d] в команде", cc, cc))
	if snack := c.press(b, map[string]any{"a": "join"}, lobby.CMID); !strings.Contains(snack, "уже в команде") {
		t.Errorf("chat %d: a second join got %q", c.n, snack)
	}
	c.press(a, map[string]any{"a": "go"}, lobby.CMID)
	// Round 1: early answer, choice by button, a right answer. Its
	// message opens the game: it names the team and the captain.
	r1 := c.expect("Раунд 1 из 2")
	captain := c.captain(r1)
	if captain == 0 {
		t.Fatalf("chat %d: no captain in %q", c.n, r1.Text)
	}
	notCaptain := c.others(captain)[0]
	c.reached("discussion")
	// A non-captain presses the captain's button, then the captain does:
	// VK delivers them in this order, so the first is refused and the
	// second ends the discussion, without waiting in between (the
	// discussion's clock is running).
	wrong := c.w.fake.Press(c.peer, notCaptain, map[string]any{"a": "early", "r": 1}, r1.CMID)
	right := c.w.fake.Press(c.peer, captain, map[string]any{"a": "early", "r": 1}, r1.CMID)
	if snack := c.answer(wrong); !strings.Contains(snack, "только капитан") {
		t.Errorf("chat %d: a non-captain's early answer got %q", c.n, snack)
	}
	if snack := c.answer(right); snack != "" {
		t.Errorf("chat %d: the captain's early answer got %q", c.n, snack)
	}
	choice := c.expect("Досрочный ответ")
	c.reached("choice")
	answerer := c.others(captain)[1]
	wrong = c.w.fake.Press(c.peer, notCaptain, map[string]any{"a": "pick", "r": 1, "u": notCaptain}, choice.CMID)
	right = c.w.fake.Press(c.peer, captain, map[string]any{"a": "pick", "r": 1, "u": answerer}, choice.CMID)
	if snack := c.answer(wrong); !strings.Contains(snack, "только капитан") {
		t.Errorf("chat %d: a non-captain's choice got %q", c.n, snack)
	}
	c.answer(right)
	c.expectSaid(choice, fmt.Sprintf("Отвечает [id%d|", answerer))
	c.reached("answer")
	c.w.fake.Say(c.peer, c.others(answerer)[0], "это не ответ, а болтовня")
	time.Sleep(100 * time.Millisecond)
	c.w.fake.Say(c.peer, answerer, c.answerTo(r1.Text))
	c.expect("✅ Верно!")
	c.reached("pause")

	// Round 2: the timers run out, the captain answers by default, wrongly.
	r2 := c.expect("Раунд 2 из 2")
	c.reached("discussion 2")
	// The first round's button is still there; pressed now, it is refused.
	if snack := c.press(captain, map[string]any{"a": "early", "r": 1}, r1.CMID); !strings.Contains(snack, "нельзя") {
		t.Errorf("chat %d: an old round's button got %q", c.n, snack)
	}
	timeUp := c.expect("⏰ Время!")
	byDefault := c.expectSaid(timeUp, "Капитан не выбрал")
	c.checkNotEarly(r2, timeUp, c.phase)
	c.checkNotEarly(timeUp, byDefault, c.phase)
	c.w.fake.Say(c.peer, captain, "совершенно неверный ответ")
	end := c.expect("Игра окончена")
	if !c.saidSince(r2, "❌ Неверно") {
		t.Errorf("chat %d: the last verdict was never shown: %s", c.n, end.Text)
	}
	if !strings.Contains(end.Text, "Ничья") || !strings.Contains(end.Text, "знатоки 1 : 1 бот") {
		t.Errorf("chat %d: wrong result: %s", c.n, end.Text)
	}
	return end
}

// captain is the captain the game that round (its first) opens names:
// in the round's message, or — as versions before issue 12 sent it — in a
// message of its own before it.
func (c *chat) captain(round vksim.Sent) int64 {
	if id := captainOf(round.Text); id != 0 {
		return id
	}
	for _, s := range c.w.fake.SentTo(c.peer) {
		if s.CMID < round.CMID && strings.Contains(s.Text, "Регистрация закрыта") {
			return captainOf(s.Text)
		}
	}
	return 0
}

// expectSaid waits for the bot to say want after message m: by editing m
// (this version) or in a new message (versions before issue 12, which an
// upgrade test plays with).
func (c *chat) expectSaid(m vksim.Sent, want string) vksim.Sent {
	c.w.t.Helper()
	deadline := time.Now().Add(c.w.timeout)
	for time.Now().Before(deadline) {
		for _, e := range c.w.fake.Edits() {
			if e.Peer == c.peer && e.CMID == m.CMID && strings.Contains(e.Text, want) {
				return c.expectEdit(m, want)
			}
		}
		if s, ok := c.nextWith(want); ok {
			return s
		}
		time.Sleep(5 * time.Millisecond)
	}
	c.w.t.Fatalf("chat %d: %q was never said after %q; got:\n%s", c.n, want, m.Text, c.dump())
	return vksim.Sent{}
}

// saidSince reports whether a message from m on says want.
func (c *chat) saidSince(m vksim.Sent, want string) bool {
	for _, s := range c.w.fake.SentTo(c.peer) {
		if s.CMID >= m.CMID && strings.Contains(s.Text, want) {
			return true
		}
	}
	return false
}

// expectEdit waits for the bot to edit message m into a text that contains
// want, without buttons (the choice is over), and returns the edited
// message as it then reads, with the time of the edit.
func (c *chat) expectEdit(m vksim.Sent, want string) vksim.Sent {
	c.w.t.Helper()
	deadline := time.Now().Add(c.w.timeout)
	for time.Now().Before(deadline) {
		for _, e := range c.w.fake.Edits() {
			if e.Peer == c.peer && e.CMID == m.CMID && strings.Contains(e.Text, want) {
				if e.Keyboard != `{"inline":true,"buttons":[]}` {
					c.w.t.Errorf("chat %d: the edit %q kept buttons: %s", c.n, e.Text, e.Keyboard)
				}
				m.Text, m.Keyboard, m.At = e.Text, e.Keyboard, e.At
				return m
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	c.w.t.Fatalf("chat %d: message %q was never edited to say %q", c.n, m.Text, want)
	return vksim.Sent{}
}

// checkNotEarly fails if closing, sent when opening's phase ran out, came
// sooner than the phase's length after opening reached VK.
func (c *chat) checkNotEarly(opening, closing vksim.Sent, length time.Duration) {
	c.w.t.Helper()
	if got := closing.At.Sub(opening.At); got < length-c.early {
		c.w.t.Errorf("chat %d: a %v phase ended after %v: %q → %q", c.n, length, got, opening.Text, closing.Text)
	}
}

// runBot runs the bot in-process until the returned stop is called.
func runBot(t *testing.T, w *world, getenv func(string) string) (stop func() int) {
	ctx, cancel := context.WithCancel(context.Background())
	var mu sync.Mutex
	code := -1
	done := make(chan struct{})
	logs := &logBuffer{}
	go func() {
		defer close(done)
		c := run(ctx, []string{"run"}, getenv, logs, logs)
		mu.Lock()
		code = c
		mu.Unlock()
	}()
	deadline := time.Now().Add(w.timeout)
	for before := w.fake.Polls(); w.fake.Polls() == before; {
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("the bot never polled VK; logs:\n%s", logs.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	return func() int {
		cancel()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			t.Fatal("the bot did not stop within 15 s")
		}
		if t.Failed() {
			t.Logf("bot logs:\n%s", logs.String())
		}
		mu.Lock()
		defer mu.Unlock()
		return code
	}
}

type logBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

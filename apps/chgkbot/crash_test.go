package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/matryer/is"

	"github.com/vkchgk/chgkbot/adapters/postgres/pgtest"
	"github.com/vkchgk/chgkbot/adapters/vksim"
	"github.com/vkchgk/chgkbot/chgk"
)

// buildBot compiles chgkbot once for the tests that run it as a process.
var buildBot = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "chgkbot-test-")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "chgkbot")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
})

// process is the real chgkbot binary, started and killed by a test.
type process struct {
	t    *testing.T
	bin  string
	env  []string
	logs *os.File

	mu       sync.Mutex
	cmd      *exec.Cmd
	exited   chan struct{}
	kills    int
	started  time.Time
	restarts []time.Time
}

func startProcess(t *testing.T, w *world, extra ...string) *process {
	bin, err := buildBot()
	if err != nil {
		t.Fatal(err)
	}
	return startBinary(t, w, bin, extra...)
}

// startBinary starts the chgkbot binary bin (this commit's, or an older
// one) in the world and waits for its first long poll.
func startBinary(t *testing.T, w *world, bin string, extra ...string) *process {
	get := w.env(extra...)
	var env []string
	for _, k := range []string{"DATABASE_URL", "VK_TOKEN", "VK_GROUP_ID", "VK_API_URL", "HTTP_ADDR", "CHGK_ROUNDS",
		"CHGK_LOBBY_SECONDS", "CHGK_DISCUSSION_SECONDS", "CHGK_CHOICE_SECONDS", "CHGK_ANSWER_SECONDS", "CHGK_PAUSE_SECONDS", "VK_RPS",
		"ADMIN_EMAIL", "ADMIN_PASSWORD", "CHGK_DB_WAIT_SECONDS"} {
		if v := get(k); v != "" {
			env = append(env, k+"="+v)
		}
	}
	logs, err := os.CreateTemp(t.TempDir(), "bot-*.log")
	if err != nil {
		t.Fatal(err)
	}
	p := &process{t: t, bin: bin, env: append(env, "PATH="+os.Getenv("PATH")), logs: logs}
	p.start()
	t.Cleanup(func() {
		p.signal(syscall.SIGKILL)
		if t.Failed() {
			b, _ := os.ReadFile(logs.Name())
			t.Logf("bot logs (last 6000 bytes):\n%s", tail(string(b), 6000))
		}
	})
	// Wait for the first poll: VK does not deliver what came before it.
	deadline := time.Now().Add(w.timeout)
	for w.fake.Polls() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the bot process never polled VK")
		}
		time.Sleep(5 * time.Millisecond)
	}
	return p
}

// logText is everything the process has logged so far.
func (p *process) logText() string {
	b, err := os.ReadFile(p.logs.Name())
	if err != nil {
		p.t.Fatal(err)
	}
	return string(b)
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

func (p *process) start() {
	p.mu.Lock()
	defer p.mu.Unlock()
	cmd := exec.Command(p.bin, "run")
	cmd.Env = p.env
	cmd.Stdout, cmd.Stderr = p.logs, p.logs
	if err := cmd.Start(); err != nil {
		p.t.Fatalf("start the bot: %v", err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	p.cmd, p.exited = cmd, exited
	now := time.Now()
	p.started = now
	p.restarts = append(p.restarts, now)
}

// exitedOnItsOwn reports whether the process ended without being told to.
func (p *process) exitedOnItsOwn() bool {
	p.mu.Lock()
	exited := p.exited
	p.mu.Unlock()
	select {
	case <-exited:
		return true
	default:
		return false
	}
}

// signal sends sig and waits for the process to exit.
func (p *process) signal(sig syscall.Signal) {
	p.mu.Lock()
	cmd, exited := p.cmd, p.exited
	p.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = cmd.Process.Signal(sig)
	select {
	case <-exited:
	case <-time.After(15 * time.Second):
		p.t.Errorf("the bot did not exit within 15 s of %v", sig)
		_ = cmd.Process.Kill()
		<-exited
	}
}

// crash kills the bot with SIGKILL, waits down, and starts it again.
func (p *process) crash(down time.Duration) {
	p.signal(syscall.SIGKILL)
	p.mu.Lock()
	p.kills++
	p.mu.Unlock()
	time.Sleep(down)
	p.start()
}

// TestCrashes plays three scripted games while the bot is killed with
// SIGKILL at every phase of one chat and at random moments, and stopped
// once with SIGTERM: every game must finish with the right score, no chat
// may see a message twice or miss one, and no deadline may fire early.
// The kills are short (under 300 ms): a press that lands while the bot is
// down longer than the phase has left loses to the deadline, which is
// right (VK's callback events carry no time of their own), but would make
// the script's expectations depend on timing. TestOverdueDeadline covers
// the long outage.
func TestCrashes(t *testing.T) {
	if testing.Short() {
		t.Skip("the crash test runs the real binary for a minute; skipped with -short")
	}
	t.Parallel()
	w := newWorld(t, pgtest.NewURL(t))
	w.timeout = 60 * time.Second
	// Phases long enough for the script's presses to land between kills,
	// even on a busy machine: a kill and a restart take about a second.
	const phaseLen = 6 * time.Second
	bot := startProcess(t, w, "CHGK_DISCUSSION_SECONDS", "6", "CHGK_CHOICE_SECONDS", "6")
	chats := w.threeChats()
	for _, c := range chats {
		c.phase = phaseLen
		// A kill after VK took a phase's message but before the bot heard
		// back leaves the bot only VK's whole second and the time its
		// attempt left: the clock then runs from that attempt, early by at
		// most that one request's time (Announcing.arrived; the kill-
		// after-send test bounds it the same way).
		c.early = 300 * time.Millisecond
	}
	// A fourth chat plays a TV game to 7, level until a blitz has given
	// its point, then stops it: the blitz's questions, its short phases and
	// the sector's point all live through the kills.
	tv := w.chat(4, 401, 402, 403)
	w.fake.Say(tv.peer, 401, "режим телеигра")
	tv.expect("телеигра (tv)")
	w.fake.Say(tv.peer, 402, "/settings target 7")
	tv.expect("цель (target) — 7 очков")
	var played *tvGame
	tvDone := make(chan struct{})

	var crashMu sync.Mutex // one crash at a time
	crash := func(down time.Duration) {
		crashMu.Lock()
		defer crashMu.Unlock()
		bot.crash(down)
	}
	var termStop time.Duration // from SIGTERM to the exit
	chats[0].at = func(string) { crash(time.Duration(rand.IntN(300)) * time.Millisecond) }
	ctx, stopKilling := context.WithCancel(context.Background())
	killerDone := make(chan struct{})
	go func() { // random kills, many of them mid-send
		defer close(killerDone)
		for i := 0; ; i++ {
			select {
			case <-ctx.Done():
				return
			case <-time.After(time.Duration(1000+rand.IntN(1500)) * time.Millisecond):
			}
			if i == 3 {
				crashMu.Lock()
				began := time.Now()
				bot.signal(syscall.SIGTERM) // a graceful stop mid-game
				termStop = time.Since(began)
				bot.start()
				crashMu.Unlock()
				continue
			}
			crash(time.Duration(rand.IntN(200)) * time.Millisecond)
		}
	}()

	go func() {
		defer close(tvDone)
		tv.startTV()
		played = tv.playTV(func(g *tvGame) bool { return g.blitzDone }, true)
	}()
	playAll(chats)
	<-tvDone
	stopKilling()
	<-killerDone
	is := is.New(t)
	is.True(played.blitzDone)                                                                               // the TV chat played a blitz to its point
	is.True(strings.Contains(played.end.Text, "блиц"))                                                      // which its results show
	is.True(strings.Contains(played.end.Text, fmt.Sprintf("знатоки %d : %d бот", played.team, played.bot))) // with the score its verdicts gave
	tv.checkNoDuplicates()
	t.Logf("TV chat: %d sectors, %d:%d, %d messages", len(played.sectors), played.team, played.bot, len(w.fake.SentTo(tv.peer)))
	t.Logf("%d kills, %d starts", bot.kills, len(bot.restarts))
	is.True(bot.kills >= 5)                                                 // killed at least five times during the games
	is.True(termStop > 0 && termStop < 10*time.Second)                      // SIGTERM stops it gracefully within 10 s
	is.True(!strings.Contains(bot.logText(), "parts did not stop in time")) // every part heard the stop
	t.Logf("SIGTERM to exit: %v", termStop)
	for _, c := range chats {
		c.checkNoDuplicates() // nothing shown twice, whatever was killed when
		sent := w.fake.SentTo(c.peer)
		resumed := 0
		for _, s := range sent {
			if strings.Contains(s.Text, "игра продолжается") {
				resumed++
			}
		}
		t.Logf("chat %d: %d messages, %d resume notices", c.n, len(sent), resumed)
	}
}

// TestOverdueDeadline kills the bot as a round's discussion begins and keeps
// it down past the discussion's end and past chgk.ResumeNotice: once back,
// it must tell the chat the game goes on and fire the overdue deadline
// within a second of the restart, each message once.
func TestOverdueDeadline(t *testing.T) {
	if testing.Short() {
		t.Skip("the overdue test runs the real binary for 20 s; skipped with -short")
	}
	t.Parallel()
	is := is.New(t)
	w := newWorld(t, pgtest.NewURL(t))
	const discussion = 3 * time.Second
	bot := startProcess(t, w, "CHGK_ROUNDS", "1", "CHGK_DISCUSSION_SECONDS", "3")
	c := w.chat(1, 101)
	w.fake.Say(c.peer, 101, "[club4242|@chgk] /start")
	lobby := c.expect("начинает игру")
	c.press(101, map[string]any{"a": "go"}, lobby.CMID)
	round := c.expect("Раунд 1 из 1")
	// Kill a little after the round's message reached VK: a kill in the few
	// milliseconds between VK's confirmation and the delivery report
	// restarts the phase's clock at the restart instead (the report is
	// lost; VK's answer to the resend does not say when the message first
	// arrived).
	time.Sleep(300 * time.Millisecond)
	bot.signal(syscall.SIGKILL)
	time.Sleep(discussion + chgk.ResumeNotice + time.Second)
	bot.start()
	restart := time.Now()
	resumed := c.expect("игра продолжается")
	timeUp := c.expect("⏰ Время!")
	overdue := timeUp.At.Sub(restart)
	t.Logf("overdue deadline fired %v after the restart", overdue)
	is.True(resumed.At.After(restart))       // told after the restart, not before
	is.True(overdue < 1500*time.Millisecond) // within a second of the restart, plus the process's start
	c.checkNotEarly(round, timeUp, discussion)
	w.fake.Say(c.peer, 101, "/stop")
	c.expect("Игру остановил")
	c.checkNoDuplicates()
}

// TestTheWarningSurvivesACrash: the discussion's 10-second warning is a
// deadline of the game's row like the others: a bot killed between the
// round's message and its warning still warns, on time, after a restart,
// and the discussion still ends at its own time.
func TestTheWarningSurvivesACrash(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the real binary for half a minute; skipped with -short")
	}
	t.Parallel()
	w := newWorld(t, pgtest.NewURL(t))
	bot := startProcess(t, w, "CHGK_DISCUSSION_SECONDS", "16", "CHGK_ROUNDS", "1")
	c := w.chat(1, 101, 102)
	c.early = 300 * time.Millisecond // as in TestCrashes: a kill may date the clock from the send's attempt
	w.fake.Say(c.peer, 101, "/start")
	c.expect("начинает игру")
	w.fake.Say(c.peer, 101, "/go")
	round := c.expect("Раунд 1 из 1")
	bot.crash(2 * time.Second) // down between the round's message and its warning
	var warned vksim.Edit
	for deadline := time.Now().Add(c.w.timeout); warned.CMID == 0; {
		for _, e := range w.fake.Edits() {
			if e.Peer == c.peer && e.CMID == round.CMID && strings.Contains(e.Text, "Осталось 10 секунд") {
				warned = e
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no warning after the restart; logs:\n%s", tail(bot.logText(), 3000))
		}
		time.Sleep(5 * time.Millisecond)
	}
	is := is.New(t)
	is.True(warned.At.Sub(round.At) >= 6*time.Second-c.early) // at its time, not sooner
	timeUp := c.expect("⏰ Время!")
	c.checkNotEarly(round, timeUp, 16*time.Second)
	edits := 0
	for _, e := range w.fake.Edits() {
		if e.Peer == c.peer && e.CMID == round.CMID {
			edits++
		}
	}
	is.Equal(edits, 1) // warned once
}

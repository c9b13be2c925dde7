package main

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/matryer/is"

	"github.com/vkchgk/chgkbot/adapters/postgres/pgtest"
)

// freeAddr is a local address no one listens on yet.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// readyWatch polls /readyz until stopped and keeps what it said.
type readyWatch struct {
	mu       sync.Mutex
	seen503  int
	failing  map[string]bool
	last     int
	stop     chan struct{}
	finished chan struct{}
}

func watchReady(addr string) *readyWatch {
	r := &readyWatch{failing: map[string]bool{}, stop: make(chan struct{}), finished: make(chan struct{})}
	go func() {
		defer close(r.finished)
		hc := &http.Client{Timeout: 3 * time.Second}
		for {
			select {
			case <-r.stop:
				return
			case <-time.After(100 * time.Millisecond):
			}
			resp, err := hc.Get("http://" + addr + "/readyz")
			if err != nil {
				continue
			}
			var body readiness
			_ = json.NewDecoder(resp.Body).Decode(&body)
			resp.Body.Close()
			r.mu.Lock()
			r.last = resp.StatusCode
			if resp.StatusCode == http.StatusServiceUnavailable {
				r.seen503++
				r.failing[body.Failing] = true
			}
			r.mu.Unlock()
		}
	}()
	return r
}

func (r *readyWatch) close() { close(r.stop); <-r.finished }

// TestDatabaseBlinks plays three scripted games at once while the database
// under the real binary blinks: a TCP proxy between them refuses every
// connection while the process starts and cuts them all while it creates
// the first admin; then cuts them in every phase of one chat, and refuses
// connections for 2–5 s twice, once across the pause's deadline and once
// across a discussion's. Every game must finish with the scripted score, no
// message may be shown twice, no deadline may fire early, /readyz must say
// the database is down while it is and ready after, and the process must
// never exit.
func TestDatabaseBlinks(t *testing.T) {
	if testing.Short() {
		t.Skip("the database fault test runs the real binary for a minute; skipped with -short")
	}
	t.Parallel()
	url := pgtest.NewURL(t)
	w := newWorld(t, url)
	w.timeout = 60 * time.Second
	proxy := pgtest.NewProxy(t, url)
	addr := freeAddr(t)
	const phaseLen = 8 * time.Second // longer than any outage, so a press never loses to a deadline

	// At the very start: the database is unreachable, then every
	// connection is cut again and again while the roles start.
	proxy.Refuse(1500 * time.Millisecond)
	storm := make(chan struct{})
	go func() {
		defer close(storm)
		time.Sleep(1600 * time.Millisecond)
		for range 8 {
			proxy.Cut()
			time.Sleep(time.Duration(50+rand.IntN(100)) * time.Millisecond)
		}
	}()
	bot := startProcess(t, w, "DATABASE_URL", proxy.URL(url), "HTTP_ADDR", addr, "ADMIN_EMAIL", "ops@example.org",
		"ADMIN_PASSWORD", "s3cret-enough", "CHGK_DISCUSSION_SECONDS", "8", "CHGK_CHOICE_SECONDS", "8", "CHGK_DB_WAIT_SECONDS", "30")
	<-storm
	ready := watchReady(addr)

	chats := w.threeChats()
	for _, c := range chats {
		c.phase = phaseLen
		// A database cut between VK taking a phase's message and the
		// delivery report has the resend date the clock from the earlier
		// attempt, as a kill does (see the crash test).
		c.early = 300 * time.Millisecond
	}
	var outages []time.Duration
	var mu sync.Mutex
	outage := func(d time.Duration) {
		mu.Lock()
		outages = append(outages, d)
		mu.Unlock()
		proxy.Refuse(d)
	}
	chats[0].at = func(phase string) {
		switch phase {
		case "pause": // the pause (0.5 s) ends while the database is away
			outage(2 * time.Second)
		case "discussion 2": // as is the discussion, 6 s in and 4 s away
			go func() {
				time.Sleep(6 * time.Second)
				outage(4 * time.Second)
			}()
		default: // lobby, discussion, choice, answer: cut right there
			proxy.Cut()
		}
	}
	done := make(chan struct{})
	randomDone := make(chan struct{})
	go func() { // cuts at random moments: after presses, while judging, while posting results
		defer close(randomDone)
		for i := 0; ; i++ {
			select {
			case <-done:
				return
			case <-time.After(time.Duration(700+rand.IntN(1300)) * time.Millisecond):
			}
			if i == 4 {
				outage(3 * time.Second)
				continue
			}
			proxy.Cut()
		}
	}()
	playAll(chats)
	close(done)
	<-randomDone
	time.Sleep(300 * time.Millisecond) // the last readiness answer after the games
	ready.close()

	is := is.New(t)
	cuts, refused := proxy.Stats()
	t.Logf("%d cuts, %d connections refused, outages %v", cuts, refused, outages)
	for _, c := range chats {
		c.checkNoDuplicates() // nothing shown twice
	}
	is.True(!bot.exitedOnItsOwn()) // the process never exited
	is.True(cuts >= 15)            // the database blinked often
	ready.mu.Lock()
	defer ready.mu.Unlock()
	t.Logf("/readyz: %d answers 503 (failing: %v), last %d", ready.seen503, ready.failing, ready.last)
	is.True(ready.seen503 > 0 && ready.failing["database"]) // readiness said the database was down
	is.Equal(ready.last, http.StatusOK)                     // and ready again after
	logs := bot.logText()
	is.True(strings.Contains(logs, "start-up step failed, retrying")) // the start waited for the database
	t.Logf("what the bot logged above info:\n%s", levelSummary(logs))
}

// levelSummary counts the warning and error lines of a text log by message.
func levelSummary(logs string) string {
	counts := map[string]int{}
	var order []string
	for _, line := range strings.Split(logs, "\n") {
		if !strings.Contains(line, "level=WARN") && !strings.Contains(line, "level=ERROR") {
			continue
		}
		_, msg, _ := strings.Cut(line, " msg=")
		if strings.HasPrefix(msg, `"`) {
			msg = msg[:strings.Index(msg[1:], `"`)+2]
		} else {
			msg, _, _ = strings.Cut(msg, " ")
		}
		lvl := "WARN "
		if strings.Contains(line, "level=ERROR") {
			lvl = "ERROR"
		}
		k := lvl + " " + msg
		if counts[k] == 0 {
			order = append(order, k)
		}
		counts[k]++
	}
	var b strings.Builder
	for _, k := range order {
		fmt.Fprintf(&b, "  %5d × %s\n", counts[k], k)
	}
	return b.String()
}

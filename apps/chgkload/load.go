package main

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/stdlib"

	"github.com/vkchgk/chgkbot/adapters/postgres"
	"github.com/vkchgk/chgkbot/adapters/vksim"
)

type options struct {
	profile                  string
	bin                      string
	chats, games, soak       int
	plots                    string
	slowRate, fastRate       float64
	duration                 time.Duration
	capacity                 bool
	burst, steady, fastBurst int
	burstWithin              time.Duration
}

const (
	token   = "load-token"
	group   = 7
	members = 3
)

// row is one line of the result table.
type row struct{ what, target, got string }

func measure(ctx context.Context, o options, out io.Writer) error {
	const rps = 5000
	wd, err := newWorld(ctx, o, o.chats+o.games+measured, rps, "CHGK_LOBBY_SECONDS=3600", "CHGK_DISCUSSION_SECONDS=3600")
	if err != nil {
		return err
	}
	defer wd.stop()
	fake, addr, bot := wd.fake, wd.addr, wd.bot
	started := time.Now()
	var rows []row
	w := &watcher{fake: fake, asked: map[int64]time.Time{}}
	go w.run(ctx)
	sampler := &backlogSampler{}
	sampleCtx, stopSampling := context.WithCancel(ctx)
	defer stopSampling()
	go sampler.run(sampleCtx, addr, 250*time.Millisecond)

	// A few seconds first, not measured: the pools open their connections
	// and prepare their statements (once per connection and query).
	fmt.Fprintf(os.Stderr, "warm-up: %.0f updates/s over %d chats for 5s\n", o.slowRate, o.chats)
	w.offer(ctx, o.slowRate, 5*time.Second, o.chats)
	fmt.Fprintf(os.Stderr, "latency run: %.0f updates/s over %d chats for %v\n", o.slowRate, o.chats, o.duration)
	lat := w.offer(ctx, o.slowRate, o.duration, o.chats)
	rows = append(rows, row{fmt.Sprintf("/info reply latency p50 / p99 at %.0f updates/s", o.slowRate), "≤ 15 ms / ≤ 50 ms",
		fmt.Sprintf("%s / %s (%d replies)", ms(quantile(lat, .5)), ms(quantile(lat, .99)), len(lat))})

	fmt.Fprintf(os.Stderr, "throughput run: %.0f updates/s offered over %d chats for %v\n", o.fastRate, o.chats, o.duration)
	if o.profile != "" {
		go saveProfile(addr, o.profile, o.duration)
	}
	before := w.replies()
	t0 := time.Now()
	lat = w.offer(ctx, o.fastRate, o.duration, o.chats)
	sustained := float64(w.replies()-before) / time.Since(t0).Seconds()
	rows = append(rows, row{fmt.Sprintf("updates/s sustained end to end (%d chats, %.0f offered)", o.chats, o.fastRate), "≥ 1,000",
		fmt.Sprintf("%.0f (p50 %s, p99 %s)", sustained, ms(quantile(lat, .5)), ms(quantile(lat, .99)))})

	if o.games > 0 {
		fmt.Fprintf(os.Stderr, "deadline run: %d live games\n", o.games)
		e2e, err := w.deadlines(ctx, o)
		if err != nil {
			return err
		}
		sweep, err := scrapeLateness(addr)
		if err != nil {
			return err
		}
		rows = append(rows, row{fmt.Sprintf("deadline lateness p50 / p99 with %d live games (sweeper: deadline → fired)", o.games), "p99 ≤ 300 ms",
			fmt.Sprintf("%s / %s", ms(sweep[0]), ms(sweep[1]))})
		rows = append(rows, row{"… as a chat sees it (deadline → the next phase's message at VK)", "",
			fmt.Sprintf("%s / %s (%d timed games)", ms(quantile(e2e, .5)), ms(quantile(e2e, .99)), len(e2e))})
	}

	st := fake.Stats()
	elapsed := time.Since(started).Seconds()
	rows = append(rows, row{"VK requests/s (mean, busiest second)", "≤ VK_RPS",
		fmt.Sprintf("%.0f, %d (VK_RPS %d)", float64(st.Requests)/elapsed, st.MaxPerSec, rps)})
	rows = append(rows, row{"VK error 6 answers", "0", strconv.Itoa(st.Err6)})
	rss, peak := memory(bot.Process.Pid)
	rows = append(rows, row{"bot RSS now / peak", "", fmt.Sprintf("%d MiB / %d MiB", rss>>20, peak>>20)})

	if o.plots != "" {
		stopSampling()
		w.mu.Lock()
		points := slices.Clone(w.points)
		w.mu.Unlock()
		sampler.mu.Lock()
		err := plotRun(o.plots, started, points, fake.PerSecond(), rps, sampler.series)
		sampler.mu.Unlock()
		if err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "plots written to %s\n", o.plots)
	}
	printRows(out, rows)
	return nil
}

// watcher matches the fake's sent messages to the updates that asked for
// them: one question a chat at a time, answered by the next message there.
type watcher struct {
	fake *vksim.Server

	mu      sync.Mutex
	asked   map[int64]time.Time
	lat     []time.Duration
	points  []sample // every reply of the run: when, and its latency in ms
	count   int
	lobbies map[int64]time.Time
	closed  map[int64]time.Time
}

func (w *watcher) run(ctx context.Context) {
	seen := 0
	for ctx.Err() == nil {
		var sent []vksim.Sent
		sent, seen = w.fake.SentSince(seen)
		w.mu.Lock()
		for _, s := range sent {
			w.count++
			if at, ok := w.asked[s.Peer]; ok {
				w.lat = append(w.lat, s.At.Sub(at))
				w.points = append(w.points, sample{s.At, float64(s.At.Sub(at)) / float64(time.Millisecond)})
				delete(w.asked, s.Peer)
			}
			if w.lobbies != nil && strings.Contains(s.Text, "начинает игру") {
				w.lobbies[s.Peer] = s.At
			}
			if w.closed != nil && strings.Contains(s.Text, "Регистрация закрыта") {
				w.closed[s.Peer] = s.At
			}
		}
		w.mu.Unlock()
		time.Sleep(2 * time.Millisecond)
	}
}

func (w *watcher) replies() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.count
}

// offer sends /info at rate per second for d, to chats in turn (skipping a
// chat still waiting for its answer), and returns the reply latencies.
func (w *watcher) offer(ctx context.Context, rate float64, d time.Duration, chats int) []time.Duration {
	w.mu.Lock()
	w.lat = nil
	w.mu.Unlock()
	tick := time.Duration(float64(time.Second) / rate)
	end := time.Now().Add(d)
	next := time.Now()
	chat := 0
	for time.Now().Before(end) && ctx.Err() == nil {
		chat = chat%chats + 1
		peer := vksim.ChatPeer(chat)
		w.mu.Lock()
		_, busy := w.asked[peer]
		if !busy {
			w.asked[peer] = time.Now()
		}
		w.mu.Unlock()
		if !busy {
			w.fake.Say(peer, int64(chat*10), "/info")
		}
		next = next.Add(tick)
		time.Sleep(time.Until(next))
	}
	time.Sleep(2 * time.Second) // the last answers
	w.mu.Lock()
	defer w.mu.Unlock()
	w.asked = map[int64]time.Time{}
	return slices.Clone(w.lat)
}

// measured is how many games of the deadline run are timed.
const measured = 500

// deadlines fills the database with o.games live games (their lobbies last
// an hour), then, with all of them live, opens `measured` more games whose
// lobbies end 20–44 s after they open, 20 a second (VK's message budget for
// a token), and returns how late each of those reached VK with its closing
// message.
func (w *watcher) deadlines(ctx context.Context, o options) ([]time.Duration, error) {
	w.mu.Lock()
	w.lobbies, w.closed = map[int64]time.Time{}, map[int64]time.Time{}
	w.mu.Unlock()
	pace := func(rate float64, from, to int, say func(i int)) {
		tick := time.Duration(float64(time.Second) / rate)
		next := time.Now()
		for i := from; i <= to && ctx.Err() == nil; i++ {
			say(i)
			next = next.Add(tick)
			time.Sleep(time.Until(next))
		}
	}
	first := o.chats + 1
	pace(300, first, o.chats+o.games, func(i int) { w.fake.Say(vksim.ChatPeer(i), int64(i*10), "/start") })
	for wait := time.Now().Add(2 * time.Minute); time.Now().Before(wait) && ctx.Err() == nil; time.Sleep(500 * time.Millisecond) {
		w.mu.Lock()
		opened := len(w.lobbies)
		w.mu.Unlock()
		if opened >= o.games {
			break
		}
	}
	fmt.Fprintf(os.Stderr, "deadline run: %d games live; timing %d more\n", o.games, measured)
	length := func(i int) time.Duration { return time.Duration(20+i%25) * time.Second }
	from := o.chats + o.games + 1
	pace(20, from, from+measured-1, func(i int) {
		peer := vksim.ChatPeer(i)
		w.fake.Say(peer, int64(i*10), fmt.Sprintf("/settings lobby %d", int(length(i).Seconds())))
		w.fake.Say(peer, int64(i*10), "/start")
	})
	for wait := time.Now().Add(time.Minute); time.Now().Before(wait) && ctx.Err() == nil; time.Sleep(500 * time.Millisecond) {
		w.mu.Lock()
		done := len(w.closed)
		w.mu.Unlock()
		if done >= measured {
			break
		}
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	var late []time.Duration
	for peer, closed := range w.closed {
		i := int(peer - vksim.ChatPeer(0))
		if opened, ok := w.lobbies[peer]; ok && i >= from {
			late = append(late, closed.Sub(opened)-length(i))
		}
	}
	if len(late) < measured {
		fmt.Fprintf(os.Stderr, "only %d of %d timed lobbies closed in time\n", len(late), measured)
	}
	return late, nil
}

// scrapeLateness reads the sweeper's lateness histogram and returns its
// p50 and p99, interpolated within buckets.
func scrapeLateness(addr string) ([2]time.Duration, error) {
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		return [2]time.Duration{}, err
	}
	defer resp.Body.Close()
	type bucket struct {
		le float64
		n  float64
	}
	var bs []bucket
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "chgk_deadline_lateness_seconds_bucket{le=\"") {
			continue
		}
		rest := strings.TrimPrefix(line, "chgk_deadline_lateness_seconds_bucket{le=\"")
		le, count, _ := strings.Cut(rest, "\"} ")
		l, _ := strconv.ParseFloat(le, 64)
		if le == "+Inf" {
			l = math.Inf(1)
		}
		n, _ := strconv.ParseFloat(count, 64)
		bs = append(bs, bucket{l, n})
	}
	if len(bs) == 0 || bs[len(bs)-1].n == 0 {
		return [2]time.Duration{}, fmt.Errorf("no deadline fired")
	}
	total := bs[len(bs)-1].n
	q := func(p float64) time.Duration {
		want := p * total
		prevLe, prevN := 0.0, 0.0
		for _, b := range bs {
			if b.n >= want {
				if math.IsInf(b.le, 1) {
					return time.Duration(prevLe * float64(time.Second))
				}
				frac := (want - prevN) / math.Max(b.n-prevN, 1)
				return time.Duration((prevLe + frac*(b.le-prevLe)) * float64(time.Second))
			}
			prevLe, prevN = b.le, b.n
		}
		return 0
	}
	return [2]time.Duration{q(.5), q(.99)}, nil
}

func quantile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[min(len(s)-1, int(p*float64(len(s))))]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond)) }

// memory reads the process's resident set size now and at its peak.
func memory(pid int) (rss, peak int64) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		kb, _ := strconv.ParseInt(f[1], 10, 64)
		switch f[0] {
		case "VmRSS:":
			rss = kb << 10
		case "VmHWM:":
			peak = kb << 10
		}
	}
	return rss, peak
}

func freePort() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// freshDatabase creates and migrates a database for the run on the server
// of DATABASE_URL, and returns its URL and a function that drops it.
func freshDatabase(ctx context.Context) (string, func(), error) {
	base := os.Getenv("DATABASE_URL")
	if base == "" {
		base = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	}
	u, err := url.Parse(base)
	if err != nil {
		return "", nil, fmt.Errorf("DATABASE_URL: %w", err)
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		return "", nil, err
	}
	name := fmt.Sprintf("chgk_load_%d", time.Now().UnixNano())
	if _, err := admin.ExecContext(ctx, `CREATE DATABASE `+name); err != nil {
		return "", nil, fmt.Errorf("create database: %w", err)
	}
	drop := func() {
		_, _ = admin.ExecContext(context.Background(), `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`)
		_ = admin.Close()
	}
	u.Path = "/" + name
	db, err := postgres.Open(ctx, u.String())
	if err != nil {
		drop()
		return "", nil, err
	}
	defer db.Close()
	m, err := postgres.NewMigrator(db)
	if err == nil {
		_, err = m.Up(ctx)
	}
	if err != nil {
		drop()
		return "", nil, err
	}
	return u.String(), drop, nil
}

var _ = stdlib.GetDefaultDriver

// saveProfile writes a CPU profile of the bot during the throughput run.
func saveProfile(addr, path string, d time.Duration) {
	resp, err := http.Get(fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", addr, int(d.Seconds())))
	if err != nil {
		fmt.Fprintln(os.Stderr, "profile:", err)
		return
	}
	defer resp.Body.Close()
	f, err := os.Create(path)
	if err != nil {
		return
	}
	defer f.Close()
	_, _ = io.Copy(f, resp.Body)
}

// startBot starts the chgkbot binary bin against the fake VK and the
// database, with extra environment, and waits for its first long poll.
func startBot(ctx context.Context, bin, dbURL string, fake *vksim.Server, addr string, rps int, extra ...string) (*exec.Cmd, error) {
	bot := exec.CommandContext(ctx, bin, "run")
	bot.Env = append([]string{"PATH=" + os.Getenv("PATH"), "DATABASE_URL=" + dbURL, "VK_TOKEN=" + token, "VK_GROUP_ID=" + strconv.Itoa(group),
		"VK_API_URL=" + fake.APIURL(), "HTTP_ADDR=" + addr, "VK_RPS=" + strconv.Itoa(rps), "LOG_LEVEL=error"}, extra...)
	bot.Stderr = os.Stderr
	if err := bot.Start(); err != nil {
		return nil, fmt.Errorf("start %s (run `make build` first): %w", bin, err)
	}
	for fake.Polls() == 0 {
		if ctx.Err() != nil {
			stopBot(bot)
			return nil, ctx.Err()
		}
		time.Sleep(10 * time.Millisecond)
	}
	return bot, nil
}

// stopBot stops the bot gracefully and waits for it.
func stopBot(bot *exec.Cmd) { _ = bot.Process.Signal(syscall.SIGTERM); _ = bot.Wait() }

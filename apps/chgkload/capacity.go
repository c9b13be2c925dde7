package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/vkchgk/chgkbot/adapters/vksim"
)

// capacity measures the bot at VK's limit (the fake VK answers error 6
// above rps requests a second, as VK does): a burst of games starting at
// once, then many games in steady state. With rps at 5,000 the same burst
// measures the bot itself. It prints one table.
func capacity(ctx context.Context, o options, out io.Writer) error {
	var rows []row
	if o.burst > 0 {
		r, err := burst(ctx, o, o.burst, o.burstWithin, 20)
		if err != nil {
			return err
		}
		rows = append(rows, r...)
	}
	if o.steady > 0 {
		r, err := steady(ctx, o, o.steady, 20)
		if err != nil {
			return err
		}
		rows = append(rows, r...)
	}
	if o.fastBurst > 0 {
		r, err := burst(ctx, o, o.fastBurst, 3*time.Second, 5000)
		if err != nil {
			return err
		}
		rows = append(rows, r...)
	}
	printRows(out, rows)
	return nil
}

func printRows(out io.Writer, rows []row) {
	fmt.Fprintln(out, "| measure | target | measured |")
	fmt.Fprintln(out, "|---|---|---|")
	for _, r := range rows {
		fmt.Fprintf(out, "| %s | %s | %s |\n", r.what, r.target, r.got)
	}
}

// games watches the games of a run at the fake VK: per chat, when its
// lobby, first round, choice and captain showed, and how fast presses were
// answered.
type games struct {
	fake *vksim.Server

	mu      sync.Mutex
	lobby   map[int64]vksim.Sent
	round   map[int64]vksim.Sent
	choice  map[int64]vksim.Sent
	captain map[int64]int64
	pressed map[string]time.Time // callback id → when pressed
	snacks  []time.Duration
	answers int // Answers() already read
}

var captainIn = regexp.MustCompile(`Капитан — \[id(\d+)\|`)

func newGames(fake *vksim.Server) *games {
	return &games{fake: fake, lobby: map[int64]vksim.Sent{}, round: map[int64]vksim.Sent{}, choice: map[int64]vksim.Sent{},
		captain: map[int64]int64{}, pressed: map[string]time.Time{}}
}

func (g *games) run(ctx context.Context) {
	seen := 0
	for ctx.Err() == nil {
		var sent []vksim.Sent
		sent, seen = g.fake.SentSince(seen)
		answers := g.fake.Answers()
		g.mu.Lock()
		for _, s := range sent {
			first := func(m map[int64]vksim.Sent, marker string) {
				if _, ok := m[s.Peer]; !ok && strings.Contains(s.Text, marker) {
					m[s.Peer] = s
				}
			}
			first(g.lobby, "начинает игру")
			first(g.round, "Раунд 1 из")
			first(g.choice, "⏰ Время!")
			if c := captainIn.FindStringSubmatch(s.Text); c != nil {
				id, _ := strconv.ParseInt(c[1], 10, 64)
				g.captain[s.Peer] = id
			}
		}
		for _, a := range answers[g.answers:] {
			if at, ok := g.pressed[a.EventID]; ok {
				g.snacks = append(g.snacks, a.At.Sub(at))
			}
		}
		g.answers = len(answers)
		g.mu.Unlock()
		time.Sleep(2 * time.Millisecond)
	}
}

// waitFor waits until f holds (checked under the lock) or d passes.
func (g *games) waitFor(ctx context.Context, d time.Duration, f func() bool) bool {
	for end := time.Now().Add(d); time.Now().Before(end) && ctx.Err() == nil; time.Sleep(5 * time.Millisecond) {
		g.mu.Lock()
		ok := f()
		g.mu.Unlock()
		if ok {
			return true
		}
	}
	return false
}

// press presses a button and notes when, to time its answer.
func (g *games) press(peer, user int64, payload map[string]any, cmid int64) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.pressed[g.fake.Press(peer, user, payload, cmid)] = time.Now()
}

// world is a fake VK, a fresh database and the bot against both.
type world struct {
	fake *vksim.Server
	addr string // the bot's HTTP address (/metrics, /debug/pprof)
	bot  *exec.Cmd
	stop func() // stops the bot, the fake VK, and drops the database
}

// newWorld starts a fake VK at rps with chats of three members and the bot
// against it, with extra environment.
func newWorld(ctx context.Context, o options, chats, rps int, env ...string) (*world, error) {
	dbURL, drop, err := freshDatabase(ctx)
	if err != nil {
		return nil, err
	}
	fake := vksim.Start(token, group)
	fake.SetRPS(rps)
	for i := 1; i <= chats; i++ {
		ids := make([]int64, members)
		for m := range ids {
			ids[m] = int64(i*10 + m)
			fake.AddUser(ids[m], "Игрок", strconv.Itoa(i))
		}
		fake.AddChat(i, false, ids...)
	}
	addr, err := freePort()
	if err == nil {
		var bot *exec.Cmd
		if bot, err = startBot(ctx, o.bin, dbURL, fake, addr, rps, append(env, "CHGK_PPROF=1")...); err == nil {
			return &world{fake: fake, addr: addr, bot: bot, stop: func() { stopBot(bot); fake.Close(); drop() }}, nil
		}
	}
	fake.Close()
	drop()
	return nil, err
}

// busiest is the most requests the fake VK had in one second.
func busiest(fake *vksim.Server) int {
	n := 0
	for _, s := range fake.PerSecond() {
		n = max(n, s)
	}
	return n
}

// burst starts n games within `within`, as a busy evening does: each chat
// types /start, two members /join when the lobby shows, and /go; 5 s of
// discussion, during which a player presses the lobby's «Я играю» again
// (answered with a snackbar).
func burst(ctx context.Context, o options, n int, within time.Duration, rps int) ([]row, error) {
	const discussion = 5 * time.Second
	fmt.Fprintf(os.Stderr, "burst: %d games within %v, VK at %d requests/s\n", n, within, rps)
	wd, err := newWorld(ctx, o, n, rps, "CHGK_ROUNDS=1", "CHGK_LOBBY_SECONDS=600", "CHGK_DISCUSSION_SECONDS=5",
		"CHGK_CHOICE_SECONDS=600", "CHGK_ANSWER_SECONDS=600")
	if err != nil {
		return nil, err
	}
	defer wd.stop()
	fake := wd.fake
	if o.profile != "" {
		go saveProfile(wd.addr, fmt.Sprintf("%s.burst%d", o.profile, rps), within+5*time.Second)
	}
	g := newGames(fake)
	watchCtx, stopWatching := context.WithCancel(ctx)
	defer stopWatching()
	go g.run(watchCtx)
	before := fake.Stats()
	began := time.Now()
	goAt := make([]time.Time, n+1)
	var wg sync.WaitGroup
	for i := 1; i <= n; i++ {
		start := began.Add(time.Duration(i-1) * within / time.Duration(n))
		wg.Go(func() {
			time.Sleep(time.Until(start))
			peer, first := vksim.ChatPeer(i), int64(i*10)
			fake.Say(peer, first, "/start")
			if !g.waitFor(ctx, 2*time.Minute, func() bool { _, ok := g.lobby[peer]; return ok }) {
				return
			}
			fake.Say(peer, first+1, "/join")
			fake.Say(peer, first+2, "/join")
			goAt[i] = time.Now()
			fake.Say(peer, first, "/go")
			if !g.waitFor(ctx, 2*time.Minute, func() bool { _, ok := g.round[peer]; return ok }) {
				return
			}
			time.Sleep(time.Second)
			g.mu.Lock()
			lobby := g.lobby[peer]
			g.mu.Unlock()
			g.press(peer, first+1, map[string]any{"a": "join"}, lobby.CMID)
			g.waitFor(ctx, 2*time.Minute, func() bool { _, ok := g.choice[peer]; return ok })
		})
	}
	wg.Wait()
	time.Sleep(time.Second) // the last snackbars
	after := fake.Stats()
	g.mu.Lock()
	defer g.mu.Unlock()
	var toRound, toChoice []time.Duration
	for i := 1; i <= n; i++ {
		peer := vksim.ChatPeer(i)
		r, ok := g.round[peer]
		if ok && !goAt[i].IsZero() {
			toRound = append(toRound, r.At.Sub(goAt[i]))
		}
		if c, ok := g.choice[peer]; ok && r.At.Before(c.At) {
			toChoice = append(toChoice, c.At.Sub(r.At)-discussion)
		}
	}
	requests, calls := after.Requests-before.Requests, after.Calls-before.Calls
	what := fmt.Sprintf("%d games started within %v, VK at %d req/s", n, within, rps)
	targetRound := "p99 ≤ 1 s"
	if rps > 20 {
		targetRound = "p99 ≤ 500 ms"
	}
	rows := []row{
		{what + ": /go → round message p50 / p99", targetRound, fmt.Sprintf("%s / %s (%d of %d games)",
			ms(quantile(toRound, .5)), ms(quantile(toRound, .99)), len(toRound), n)},
	}
	if rps <= 20 {
		rows = append(rows,
			row{"… round message + 5 s → choice message p50 / p99", "p99 ≤ 500 ms", fmt.Sprintf("%s / %s (%d games)",
				ms(quantile(toChoice, .5)), ms(quantile(toChoice, .99)), len(toChoice))},
			row{"… press → snackbar p50 / p99", "p99 ≤ 1 s", fmt.Sprintf("%s / %s (%d presses)",
				ms(quantile(g.snacks, .5)), ms(quantile(g.snacks, .99)), len(g.snacks))},
			row{"… VK requests/s in the busiest second; calls per request", "≤ 20", fmt.Sprintf("%d; %.1f (%d calls in %d requests, %d error 6)",
				busiest(fake), float64(calls)/float64(max(requests, 1)), calls, requests, after.Err6-before.Err6)})
	}
	return rows, nil
}

// steady runs n games at once in steady state: their starts spread over a
// minute, phases scaled down (lobby 20 s, discussion 20 s, choice and
// answer 10 s), timers left to run out; it measures how late each phase's
// message came after the last one's length.
func steady(ctx context.Context, o options, n, rps int) ([]row, error) {
	const lobby, discussion = 20 * time.Second, 20 * time.Second
	fmt.Fprintf(os.Stderr, "steady: %d games at once, VK at %d requests/s\n", n, rps)
	wd, err := newWorld(ctx, o, n, rps, "CHGK_ROUNDS=1", "CHGK_LOBBY_SECONDS=20", "CHGK_DISCUSSION_SECONDS=20",
		"CHGK_CHOICE_SECONDS=10", "CHGK_ANSWER_SECONDS=10")
	if err != nil {
		return nil, err
	}
	defer wd.stop()
	fake := wd.fake
	g := newGames(fake)
	watchCtx, stopWatching := context.WithCancel(ctx)
	defer stopWatching()
	go g.run(watchCtx)
	before := fake.Stats()
	began := time.Now()
	for i := 1; i <= n && ctx.Err() == nil; i++ {
		time.Sleep(time.Until(began.Add(time.Duration(i-1) * time.Minute / time.Duration(n))))
		peer, first := vksim.ChatPeer(i), int64(i*10)
		fake.Say(peer, first, "/start")
		fake.Say(peer, first+1, "/join")
		fake.Say(peer, first+2, "/join")
	}
	g.waitFor(ctx, 3*time.Minute, func() bool { return len(g.choice) >= n })
	after := fake.Stats()
	g.mu.Lock()
	defer g.mu.Unlock()
	var late []time.Duration
	for peer, r := range g.round {
		if l, ok := g.lobby[peer]; ok {
			late = append(late, r.At.Sub(l.At)-lobby)
		}
		if c, ok := g.choice[peer]; ok {
			late = append(late, c.At.Sub(r.At)-discussion)
		}
	}
	slices.Sort(late)
	requests, calls := after.Requests-before.Requests, after.Calls-before.Calls
	return []row{
		{fmt.Sprintf("%d games at once (starts over a minute), VK at %d req/s: phase message late p50 / p99", n, rps), "p99 ≤ 1 s",
			fmt.Sprintf("%s / %s (%d phases of %d games)", ms(quantile(late, .5)), ms(quantile(late, .99)), len(late), n)},
		{"… VK requests/s in the busiest second; calls per request", "≤ 20", fmt.Sprintf("%d; %.1f (%d error 6)",
			busiest(fake), float64(calls)/float64(max(requests, 1)), after.Err6-before.Err6)},
	}, nil
}

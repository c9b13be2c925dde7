package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"time"

	"github.com/vkchgk/chgkbot/adapters/postgres"
	"github.com/vkchgk/chgkbot/adapters/vksim"
	"github.com/vkchgk/chgkbot/ports/bus"
)

// soak plays o.soak one-round games through the real binary — each chat
// starts games one after another, timers run out — then runs the retention
// job and prints rows and bytes per table before and after: the bus tables
// must end near what the live games need (none are live by then).
func soak(ctx context.Context, o options, out io.Writer) error {
	dbURL, drop, err := freshDatabase(ctx)
	if err != nil {
		return err
	}
	defer drop()
	fake := vksim.Start(token, group)
	defer fake.Close()
	const rps, chats = 5000, 100
	fake.SetRPS(rps)
	for i := 1; i <= chats; i++ {
		fake.AddUser(int64(i*10), "Игрок", strconv.Itoa(i))
		fake.AddChat(i, false, int64(i*10))
	}
	addr, err := freePort()
	if err != nil {
		return err
	}
	bot, err := startBot(ctx, o.bin, dbURL, fake, addr, rps, "CHGK_ROUNDS=1", "CHGK_LOBBY_SECONDS=0.05", "CHGK_DISCUSSION_SECONDS=0.05",
		"CHGK_CHOICE_SECONDS=0.05", "CHGK_ANSWER_SECONDS=0.05", "CHGK_PAUSE_SECONDS=0")
	if err != nil {
		return err
	}
	defer stopBot(bot)
	db, err := postgres.Open(ctx, dbURL)
	if err != nil {
		return err
	}
	defer db.Close()
	ended := func() int {
		var n int
		_ = db.NewRaw(`SELECT count(*) FROM games WHERE ended_at IS NOT NULL`).Scan(ctx, &n)
		return n
	}
	fmt.Fprintf(os.Stderr, "soak: %d games over %d chats\n", o.soak, chats)
	began := time.Now()
	startedIn := make([]int, chats+1) // games started in each chat
	for started := 0; started < o.soak; {
		// Each chat plays one game at a time: a chat whose games have all
		// ended starts the next.
		var rows []struct {
			Peer  int64 `bun:"peer_id"`
			Ended int   `bun:"ended"`
		}
		if err := db.NewRaw(`SELECT peer_id, count(*) AS ended FROM games WHERE ended_at IS NOT NULL GROUP BY peer_id`).Scan(ctx, &rows); err != nil {
			return err
		}
		endedIn := make([]int, chats+1)
		for _, r := range rows {
			endedIn[r.Peer-vksim.ChatPeer(0)] = r.Ended
		}
		for c := 1; c <= chats && started < o.soak; c++ {
			if startedIn[c] == endedIn[c] {
				fake.Say(vksim.ChatPeer(c), int64(c*10), "/start")
				startedIn[c]++
				started++
			}
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		time.Sleep(20 * time.Millisecond)
	}
	for ended() < o.soak {
		if ctx.Err() != nil || time.Since(began) > 30*time.Minute {
			return fmt.Errorf("soak: only %d of %d games ended", ended(), o.soak)
		}
		time.Sleep(50 * time.Millisecond)
	}
	played := time.Since(began)
	time.Sleep(2 * time.Second) // the last announcements and reports
	r := postgres.NewRetention(db)
	rowsOf := func() map[string]int64 {
		out := map[string]int64{}
		var rows []struct {
			Name string `bun:"relname"`
			N    int64  `bun:"n"`
		}
		_ = db.NewRaw(`SELECT relname, n_live_tup AS n FROM pg_stat_user_tables`).Scan(ctx, &rows)
		for _, row := range rows {
			var n int64
			_ = db.NewRaw(`SELECT count(*) FROM "`+row.Name+`"`).Scan(ctx, &n) // exact, not the statistics' estimate
			out[row.Name] = n
		}
		return out
	}
	rowsBefore := rowsOf()
	bytesBefore, err := r.Sizes(ctx)
	if err != nil {
		return err
	}
	t0 := time.Now()
	d, _, err := r.Run(ctx, postgres.RetentionConfig{Groups: bus.ConsumerGroups(false), PoisonTopic: bus.PoisonTopic,
		Bus: 0, Poison: 30 * 24 * time.Hour, Inbox: 0}, time.Now(), nil)
	if err != nil {
		return err
	}
	took := time.Since(t0)
	if _, err := db.ExecContext(ctx, `VACUUM`); err != nil { // what autovacuum does later: the space is reused
		return err
	}
	rowsAfter := rowsOf()
	bytesAfter, err := r.Sizes(ctx)
	if err != nil {
		return err
	}
	var deleted int64
	for _, n := range d {
		deleted += n
	}
	fmt.Fprintf(out, "\nSoak: %d one-round games in %v (%d chats); retention deleted %d rows in %v.\n\n", o.soak, played.Round(time.Second), chats, deleted, took.Round(time.Millisecond))
	fmt.Fprintln(out, "| table | rows before | rows after | bytes before | bytes after |")
	fmt.Fprintln(out, "|---|---|---|---|---|")
	var names []string
	for t := range bytesBefore {
		if rowsBefore[t] > 0 || rowsAfter[t] > 0 {
			names = append(names, t)
		}
	}
	slices.Sort(names)
	for _, t := range names {
		fmt.Fprintf(out, "| %s | %d | %d | %s | %s |\n", t, rowsBefore[t], rowsAfter[t], kib(bytesBefore[t]), kib(bytesAfter[t]))
	}
	return nil
}

func kib(b int64) string { return fmt.Sprintf("%d KiB", b>>10) }

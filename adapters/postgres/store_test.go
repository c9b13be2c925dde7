package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/matryer/is"
	"github.com/uptrace/bun"

	"github.com/vkchgk/chgkbot/adapters/postgres"
	"github.com/vkchgk/chgkbot/adapters/postgres/pgtest"
	"github.com/vkchgk/chgkbot/chgk"
	ct "github.com/vkchgk/chgkbot/chgk/chgktest"
)

// replaceQuestions swaps the seed questions for qs, keeping their ids.
func replaceQuestions(t testing.TB, db *bun.DB, qs []chgk.Question) {
	t.Helper()
	ctx := context.Background()
	if _, err := db.ExecContext(ctx, `TRUNCATE questions, packs RESTART IDENTITY CASCADE`); err != nil {
		t.Fatal(err)
	}
	var packID int64
	if err := db.NewRaw(`INSERT INTO packs (name) VALUES ('Тестовый пакет') RETURNING id`).Scan(ctx, &packID); err != nil {
		t.Fatal(err)
	}
	for _, q := range qs {
		row := postgres.QuestionRow{ID: q.ID, PackID: packID, Text: q.Text, Handout: q.Handout, Answer: q.Answer,
			Accepted: q.Accepted, Rejected: q.Rejected, Comment: q.Comment, Source: q.Source, Author: q.Author}
		if row.Accepted == nil {
			row.Accepted = []string{}
		}
		if row.Rejected == nil {
			row.Rejected = []string{}
		}
		if _, err := db.NewInsert().Model(&row).Exec(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.ExecContext(ctx, `SELECT setval('questions_id_seq', (SELECT coalesce(max(id), 1) FROM questions))`); err != nil {
		t.Fatal(err)
	}
}

func TestStoreContract(t *testing.T) {
	ct.StoreContract(t, func(t *testing.T, qs []chgk.Question) ct.Stores {
		db := pgtest.New(t)
		replaceQuestions(t, db, qs)
		return stores(db)
	})
}

func TestLeaderboardContract(t *testing.T) {
	ct.LeaderboardContract(t, func(t *testing.T, qs []chgk.Question) (ct.Stores, chgk.Leaderboards) {
		db := pgtest.New(t)
		replaceQuestions(t, db, qs)
		return stores(db), postgres.NewStats(db)
	})
}

// stores are the Postgres stores of chgk's interfaces over db.
func stores(db *bun.DB) chgk.Stores {
	return chgk.Stores{Games: postgres.NewGames(db), Questions: postgres.NewQuestions(db), Chats: postgres.NewChats(db)}
}

func newHost(t *testing.T, db *bun.DB, s chgk.Settings) (*chgk.Host, *postgres.Games, *ct.Clock) {
	clock := ct.NewClock(ct.Epoch)
	h := (&chgk.Host{Clock: clock, Rand: ct.NewRand(), Defaults: s}).With(stores(db))
	return h, h.Games.(*postgres.Games), clock
}

func TestTwoStartsAtOnceMakeOneGame(t *testing.T) {
	t.Parallel()
	is := is.New(t)
	db := pgtest.New(t)
	h, _, _ := newHost(t, db, ct.FastSettings())
	peer := ct.Chat(7)
	var wg sync.WaitGroup
	opened := make(chan bool, 2)
	for i := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			evs, err := h.Handle(context.Background(), peer, chgk.Start{By: chgk.Player{ID: chgk.UserID(i + 1)}})
			if err != nil {
				t.Error(err)
				return
			}
			_, ok := evs[0].(chgk.LobbyOpened)
			opened <- ok
		}()
	}
	wg.Wait()
	close(opened)
	n := 0
	for ok := range opened {
		if ok {
			n++
		}
	}
	is.Equal(n, 1) // one start opens the lobby, the other is refused
	var games int
	is.NoErr(db.NewRaw(`SELECT count(*) FROM games WHERE peer_id = ?`, int64(peer)).Scan(context.Background(), &games))
	is.Equal(games, 1) // and only one game exists
}

func TestOneActiveGameIndexHoldsWithoutTheCode(t *testing.T) {
	t.Parallel()
	is := is.New(t)
	db := pgtest.New(t)
	ctx := context.Background()
	h, _, _ := newHost(t, db, ct.FastSettings())
	_, err := h.Handle(ctx, ct.Chat(1), chgk.Start{By: ct.Anna})
	is.NoErr(err)
	// A second active game written past the store, as buggy code might.
	_, err = db.ExecContext(ctx, `INSERT INTO games (peer_id, phase, settings, question_ids, phase_started_at, started_by, started_at, version)
		SELECT peer_id, 'lobby', settings, question_ids, now(), 1, now(), 1 FROM games LIMIT 1`)
	is.True(err != nil) // the partial unique index refuses it
}

func TestFiftyConcurrentCommandsApplyOnce(t *testing.T) {
	t.Parallel()
	is := is.New(t)
	db := pgtest.New(t)
	ctx := context.Background()
	h, store, _ := newHost(t, db, ct.FastSettings())
	peer := ct.Chat(2)
	_, err := h.Handle(ctx, peer, chgk.Start{By: ct.Anna})
	is.NoErr(err)
	const n = 50
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p := chgk.Player{ID: chgk.UserID(10_000 + i), Name: fmt.Sprintf("Игрок %d", i)}
			evs, err := h.Handle(ctx, peer, chgk.Join{Player: p})
			if err != nil {
				t.Error(err)
				return
			}
			if _, ok := evs[0].(chgk.PlayerJoined); !ok {
				t.Errorf("join %d: %#v", i, evs[0])
			}
		}()
	}
	wg.Wait()
	var st chgk.State
	is.NoErr(store.Update(ctx, peer, func(_ context.Context, g *chgk.Game) (*chgk.Game, []chgk.Event, error) {
		st = g.State()
		return nil, nil, nil
	}))
	is.Equal(len(st.Players), n+1)   // every join applied, none lost
	is.Equal(st.Version, int64(n+1)) // each exactly once
	seen := map[chgk.UserID]bool{}
	for _, p := range st.Players {
		is.True(!seen[p.ID]) // no one twice
		seen[p.ID] = true
	}
}

func TestDeletedQuestionStaysInResults(t *testing.T) {
	t.Parallel()
	is := is.New(t)
	db := pgtest.New(t)
	ctx := context.Background()
	s := ct.FastSettings()
	s.Rounds = 1
	h, store, clock := newHost(t, db, s)
	peer := ct.Chat(3)
	must := func(cmd chgk.Command) {
		_, err := h.Handle(ctx, peer, cmd)
		is.NoErr(err)
	}
	must(chgk.Start{By: ct.Anna})
	must(chgk.Begin{By: ct.Anna})
	must(chgk.AnswerEarly{By: ct.Anna})
	must(chgk.Choose{By: ct.Anna, Answerer: ct.Anna.ID})
	clock.Advance(time.Second)
	must(chgk.Answer{By: ct.Anna, Text: "не знаю"})
	last, err := store.LastEnded(ctx, peer)
	is.NoErr(err)
	q := last.Results().Rounds[0].Question
	_, err = db.ExecContext(ctx, `UPDATE questions SET deleted_at = now() WHERE id = ?`, q.ID)
	is.NoErr(err)
	again, err := store.LastEnded(ctx, peer)
	is.NoErr(err)                                   // the old game still loads
	is.Equal(again.Results().Rounds[0].Question, q) // with its question intact
	byID, err := store.Game(ctx, last.ID())
	is.NoErr(err)
	is.Equal(byID.Results(), again.Results())
	drawn, err := postgres.NewQuestions(db).Draw(ctx, ct.Chat(4), 1000)
	is.NoErr(err)
	for _, d := range drawn {
		is.True(d.ID != q.ID) // but it is never dealt again
	}
	_, err = store.Game(ctx, 999_999)
	is.True(errors.Is(err, chgk.ErrNotFound)) // a missing game is ErrNotFound
}

func TestSeedQuestionsArePlayable(t *testing.T) {
	t.Parallel()
	is := is.New(t)
	db := pgtest.New(t)
	qs, err := postgres.NewQuestions(db).Draw(context.Background(), ct.Chat(1), 1000)
	is.NoErr(err)
	is.True(len(qs) >= 60) // a new install can play at once
	packs := map[string]int{}
	withAlternatives, withRejected := 0, 0
	for _, q := range qs {
		packs[q.Pack]++
		is.True(q.Text != "" && q.Comment != "") // every question has a text and a comment
		if !q.Accepts(q.Answer) {
			t.Errorf("question %d refuses its own answer %q", q.ID, q.Answer)
		}
		for _, a := range q.Accepted {
			if !q.Accepts(a) {
				t.Errorf("question %d refuses its alternative %q", q.ID, a)
			}
		}
		for _, r := range q.Rejected {
			if q.Accepts(r) {
				t.Errorf("question %d accepts its rejected answer %q", q.ID, r)
			}
		}
		if len(q.Accepted) > 0 {
			withAlternatives++
		}
		if len(q.Rejected) > 0 {
			withRejected++
		}
	}
	is.True(len(packs) >= 4)               // spread over at least four packs
	is.True(withAlternatives*3 >= len(qs)) // a third with accepted alternatives
	is.True(withRejected > 0)              // some with rejected answers
}

func TestStoreErrorsAreTranslated(t *testing.T) {
	t.Parallel()
	is := is.New(t)
	db := pgtest.New(t)
	store := stores(db)
	ctx := context.Background()
	_, err := store.Games.LastEnded(ctx, ct.Chat(1))
	is.True(errors.Is(err, chgk.ErrNotFound)) // no rows → ErrNotFound
	_, err = store.Chats.Settings(ctx, ct.Chat(1))
	is.True(errors.Is(err, chgk.ErrNotFound)) // no settings → ErrNotFound
	err = store.Chats.SaveSettings(ctx, chgk.PeerID(5), ct.FastSettings())
	is.True(errors.Is(err, postgres.ErrInvalid)) // a private dialog is no chat: refused as invalid, not a driver error
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	_, err = store.Questions.Draw(cancelled, ct.Chat(1), 1)
	is.True(errors.Is(err, context.Canceled)) // a cancelled context stays itself
}

// BenchmarkUpdate measures one game-store update on the local Postgres: lock
// the chat, load the game with its players, rounds and questions, apply one
// move of a round, save the game and its round, commit.
func BenchmarkUpdate(b *testing.B) {
	db := pgtest.New(b)
	ctx := context.Background()
	s := ct.FastSettings()
	s.Rounds = 30
	clock := ct.NewClock(ct.Epoch)
	h := (&chgk.Host{Clock: clock, Rand: ct.NewRand(), Defaults: s}).With(stores(db))
	peer := ct.Chat(1)
	do := func(cmd chgk.Command) {
		if _, err := h.Handle(ctx, peer, cmd); err != nil {
			b.Fatal(err)
		}
	}
	round, step := 0, 0
	b.ReportAllocs()
	for b.Loop() {
		if round == 0 || round == 30 {
			b.StopTimer()
			do(chgk.Stop{By: ct.Anna})
			do(chgk.Start{By: ct.Anna})
			do(chgk.Begin{By: ct.Anna})
			round, step = 1, 0
			b.StartTimer()
		}
		switch step % 4 {
		case 0:
			do(chgk.AnswerEarly{By: ct.Anna})
		case 1:
			do(chgk.Choose{By: ct.Anna, Answerer: ct.Anna.ID})
		case 2:
			do(chgk.Answer{By: ct.Anna, Text: "не знаю"})
		case 3:
			clock.Advance(s.Pause)
			do(chgk.Expire{Phase: chgk.PhasePause, Round: round})
			round++
		}
		step++
	}
}

package postgres_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/matryer/is"

	"github.com/vkchgk/chgkbot/adapters/postgres"
	"github.com/vkchgk/chgkbot/adapters/postgres/pgtest"
	"github.com/vkchgk/chgkbot/chgk"
	ct "github.com/vkchgk/chgkbot/chgk/chgktest"
	"github.com/vkchgk/chgkbot/ports/bus/bustest"
)

// TestUnitContract holds the Postgres unit of work to the contract the
// in-memory one passes: inbox, chat lock, outbox if and only if it commits.
func TestUnitContract(t *testing.T) {
	bustest.UnitContract(t, func(t *testing.T) (bustest.Units, func(string) []string) {
		db := pgtest.New(t)
		return postgres.NewUnits(db), func(topic string) []string {
			var ids []string
			if err := db.NewRaw(`SELECT uuid FROM watermill_`+topic+` ORDER BY "offset"`).Scan(context.Background(), &ids); err != nil {
				t.Fatal(err)
			}
			return ids
		}
	})
}

// TestUnitStoresServeOnlyTheirChat: the stores a unit hands over hold one
// chat's lock; a write for another chat through them is refused, never run
// outside the lock.
func TestUnitStoresServeOnlyTheirChat(t *testing.T) {
	t.Parallel()
	is := is.New(t)
	db := pgtest.New(t)
	ctx := context.Background()
	_, err := postgres.NewUnits(db).InChat(ctx, ct.Chat(1), "ev-1", func(ctx context.Context, tx chgk.Stores, _ message.Publisher) error {
		return tx.Chats.SaveSettings(ctx, ct.Chat(2), ct.FastSettings())
	})
	is.True(err != nil) // another chat's write is refused
	_, err = postgres.NewChats(db).Settings(ctx, ct.Chat(2))
	is.True(errors.Is(err, chgk.ErrNotFound)) // and nothing was written
}

// TestExpireNextHandsOverTheDueChat: the sweeper's unit names the due
// phase and round and hands over the chat's stores in its transaction.
func TestExpireNextHandsOverTheDueChat(t *testing.T) {
	t.Parallel()
	is := is.New(t)
	db := pgtest.New(t)
	ctx := context.Background()
	h, _, clock := newHost(t, db, ct.FastSettings())
	_, err := h.Handle(ctx, ct.Chat(3), chgk.Start{By: ct.Anna})
	is.NoErr(err)
	units := postgres.NewUnits(db)
	var got chgk.Expire
	var active *chgk.Game
	found, err := units.ExpireNext(ctx, clock.Now().Add(time.Hour), func(ctx context.Context, tx chgk.Stores, _ message.Publisher,
		peer chgk.PeerID, due chgk.Expire, _ time.Time) error {
		got = due
		is.Equal(peer, ct.Chat(3)) // the due chat
		return tx.Games.Update(ctx, peer, func(_ context.Context, g *chgk.Game) (*chgk.Game, []chgk.Event, error) {
			active = g
			return nil, nil, nil
		})
	})
	is.NoErr(err)
	is.True(found)                                               // a game is due
	is.Equal(got, chgk.Expire{Phase: chgk.PhaseLobby, Round: 0}) // its lobby
	is.True(active != nil && active.Phase() == chgk.PhaseLobby)  // and the unit's stores see its game
}

// TestTheWarningIsDue: a discussion's warning wakes the sweeper before the
// deadline, and then the deadline is next.
func TestTheWarningIsDue(t *testing.T) {
	t.Parallel()
	is := is.New(t)
	db := pgtest.New(t)
	ctx := context.Background()
	s := ct.FastSettings()
	s.Discussion = time.Minute
	h, _, clock := newHost(t, db, s)
	peer := ct.Chat(4)
	_, err := h.Handle(ctx, peer, chgk.Start{By: ct.Anna})
	is.NoErr(err)
	_, err = h.Handle(ctx, peer, chgk.Begin{By: ct.Anna})
	is.NoErr(err)
	units := postgres.NewUnits(db)
	next, ok, err := units.NextDeadline(ctx)
	is.NoErr(err)
	is.True(ok)
	is.True(next.Equal(clock.Now().Add(50 * time.Second))) // the warning, 10 s before the minute ends
	start := clock.Now()
	expire := func(at time.Time) (found bool, evs []chgk.Event) {
		clock.Set(at)
		found, err := units.ExpireNext(ctx, at, func(ctx context.Context, tx chgk.Stores, _ message.Publisher,
			peer chgk.PeerID, due chgk.Expire, _ time.Time) error {
			evs, err = h.With(tx).Handle(ctx, peer, due)
			return err
		})
		is.NoErr(err)
		return found, evs
	}
	found, _ := expire(start.Add(49 * time.Second))
	is.True(!found) // nothing due before the warning
	found, evs := expire(start.Add(50 * time.Second))
	is.True(found)
	is.Equal(evs, []chgk.Event{chgk.DiscussionWarned{Peer: peer, Round: 1, Left: 10 * time.Second}})
	next, _, err = units.NextDeadline(ctx)
	is.NoErr(err)
	is.True(next.Equal(start.Add(time.Minute))) // then the discussion's end
}

// TestErrorsKeepTheirClass: a database that does not answer is temporary
// (the bus hands the message back instead of poisoning it) and the
// driver's error stays in the chain; a bad value is not temporary.
func TestErrorsKeepTheirClass(t *testing.T) {
	t.Parallel()
	is := is.New(t)
	ctx := context.Background()
	db := pgtest.New(t)
	err := postgres.NewChats(db).SaveSettings(ctx, chgk.PeerID(5), ct.FastSettings())
	is.True(errors.Is(err, chgk.ErrInvalid)) // a check violation is invalid
	is.True(!postgres.IsTemporary(err))      // and retrying cannot help
	var pg *pgconn.PgError
	is.True(errors.As(err, &pg)) // the driver's error is still reachable
	is.Equal(pg.Code, "23514")

	url := pgtest.NewURL(t)
	proxy := pgtest.NewProxy(t, url)
	down, err := postgres.Open(ctx, proxy.URL(url))
	is.NoErr(err)
	t.Cleanup(func() { _ = down.Close() })
	proxy.Refuse(time.Minute) // the database goes away
	_, err = postgres.NewUnits(down).InChat(ctx, ct.Chat(1), "ev", func(context.Context, chgk.Stores, message.Publisher) error { return nil })
	is.True(err != nil)
	is.True(postgres.IsTemporary(err)) // not reaching the database is temporary
	var tmp interface{ Temporary() bool }
	is.True(errors.As(err, &tmp) && tmp.Temporary()) // and says so to a bus that knows no Postgres
}

// TestAttemptsKeepTheLatest: each attempt returns the one before it.
func TestAttemptsKeepTheLatest(t *testing.T) {
	t.Parallel()
	is := is.New(t)
	ctx := context.Background()
	a := postgres.NewAttempts(pgtest.New(t))
	t0 := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	_, again, err := a.Attempt(ctx, "k", t0)
	is.NoErr(err)
	is.True(!again) // the first
	prev, again, err := a.Attempt(ctx, "k", t0.Add(time.Second))
	is.NoErr(err)
	is.True(again)
	is.True(prev.Equal(t0)) // the one before
	prev, _, err = a.Attempt(ctx, "k", t0.Add(2*time.Second))
	is.NoErr(err)
	is.True(prev.Equal(t0.Add(time.Second))) // the latest, not the first
	is.NoErr(a.Forget(ctx, "k"))
	_, again, err = a.Attempt(ctx, "k", t0)
	is.NoErr(err)
	is.True(!again) // forgotten once reported
}

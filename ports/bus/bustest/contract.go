package bustest

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/matryer/is"

	"github.com/vkchgk/chgkbot/chgk"
	ct "github.com/vkchgk/chgkbot/chgk/chgktest"
)

// Units is what the contract checks (bus.Units), and how it reads back what
// committed units published to a topic.
type Units interface {
	InChat(ctx context.Context, peer chgk.PeerID, eventID string,
		f func(ctx context.Context, tx chgk.Stores, out message.Publisher) error) (bool, error)
}

// NewUnits makes fresh, empty units for one subtest (which may run in
// parallel with others) and a function that returns the UUIDs of the
// messages committed units have published to topic so far.
type NewUnits func(t *testing.T) (u Units, committed func(topic string) []string)

// UnitContract runs the suite every unit of work must pass: an event id is
// applied once; units of one chat never overlap, of different chats may;
// the outbox holds a unit's messages if and only if it committed, and a
// failed unit can be tried again with the same event id; the stores it
// hands over work on the chat's game.
func UnitContract(t *testing.T, newUnits NewUnits) {
	ctx := context.Background()
	const topic = "chgk_events_1"
	run := func(name string, f func(t *testing.T, is *is.I, u Units, committed func(string) []string)) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			u, committed := newUnits(t)
			f(t, is.New(t), u, committed)
		})
	}
	publishOne := func(out message.Publisher) (string, error) {
		m := message.NewMessage(watermill.NewUUID(), []byte(`{"kind":"greet"}`))
		return m.UUID, out.Publish(topic, m)
	}

	run("an event id is applied once", func(t *testing.T, is *is.I, u Units, committed func(string) []string) {
		calls := 0
		var id string
		for i := range 3 {
			fresh, err := u.InChat(ctx, ct.Chat(1), "ev-once", func(ctx context.Context, _ chgk.Stores, out message.Publisher) error {
				calls++
				var err error
				id, err = publishOne(out)
				return err
			})
			is.NoErr(err)           // each delivery is accepted
			is.Equal(fresh, i == 0) // only the first delivery is fresh
		}
		is.Equal(calls, 1)                       // the body ran once
		is.Equal(committed(topic), []string{id}) // and published once
	})

	run("outbox if and only if the unit commits", func(t *testing.T, is *is.I, u Units, committed func(string) []string) {
		boom := errors.New("boom")
		_, err := u.InChat(ctx, ct.Chat(1), "ev-fail", func(ctx context.Context, _ chgk.Stores, out message.Publisher) error {
			if _, err := publishOne(out); err != nil {
				return err
			}
			return boom
		})
		is.True(errors.Is(err, boom))      // the body's error comes back
		is.Equal(len(committed(topic)), 0) // nothing it published is kept
		var id string
		fresh, err := u.InChat(ctx, ct.Chat(1), "ev-fail", func(ctx context.Context, _ chgk.Stores, out message.Publisher) error {
			var err error
			id, err = publishOne(out)
			return err
		})
		is.NoErr(err)                            // the same event id again
		is.True(fresh)                           // is fresh: the failed unit left no inbox entry
		is.Equal(committed(topic), []string{id}) // and its message is kept
	})

	run("one unit at a time per chat, chats in parallel", func(t *testing.T, is *is.I, u Units, _ func(string) []string) {
		var inside, most atomic.Int32
		var wg sync.WaitGroup
		for i := range 6 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := u.InChat(ctx, ct.Chat(1), "ev-lock-"+string(rune('a'+i)), func(context.Context, chgk.Stores, message.Publisher) error {
					n := inside.Add(1)
					if n > most.Load() {
						most.Store(n)
					}
					time.Sleep(5 * time.Millisecond)
					inside.Add(-1)
					return nil
				})
				is.NoErr(err) // every unit runs
			}()
		}
		wg.Wait()
		is.Equal(most.Load(), int32(1)) // never two units of one chat at once

		other := make(chan struct{})
		hold := make(chan struct{})
		go func() {
			_, _ = u.InChat(ctx, ct.Chat(2), "ev-hold", func(context.Context, chgk.Stores, message.Publisher) error {
				close(hold)
				<-other
				return nil
			})
		}()
		<-hold
		_, err := u.InChat(ctx, ct.Chat(3), "ev-other", func(context.Context, chgk.Stores, message.Publisher) error { return nil })
		close(other)
		is.NoErr(err) // another chat's unit ran while chat 2's was open
	})

	run("the unit's stores work on the chat's game", func(t *testing.T, is *is.I, u Units, _ func(string) []string) {
		host := &chgk.Host{Clock: ct.NewClock(ct.Epoch), Rand: ct.NewRand(1), Defaults: ct.FastSettings()}
		var evs []chgk.Event
		_, err := u.InChat(ctx, ct.Chat(5), "ev-start", func(ctx context.Context, tx chgk.Stores, _ message.Publisher) error {
			var err error
			evs, err = host.With(tx).Handle(ctx, ct.Chat(5), chgk.Start{By: ct.Anna})
			return err
		})
		is.NoErr(err) // a game starts inside a unit
		is.Equal(len(evs), 1)
		_, ok := evs[0].(chgk.LobbyOpened)
		is.True(ok) // the lobby opened
		_, err = u.InChat(ctx, ct.Chat(5), "ev-start-2", func(ctx context.Context, tx chgk.Stores, _ message.Publisher) error {
			var err error
			evs, err = host.With(tx).Handle(ctx, ct.Chat(5), chgk.Start{By: ct.Boris})
			return err
		})
		is.NoErr(err)
		rej, ok := evs[0].(chgk.Rejected)
		is.True(ok && rej.Reason == chgk.ErrGameRunning) // the next unit sees the game the first one saved
	})
}

package bus

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/pubsub/gochannel"
	"github.com/matryer/is"

	"github.com/vkchgk/chgkbot/chgk"
	ct "github.com/vkchgk/chgkbot/chgk/chgktest"
)

type permanentErr struct{}

func (permanentErr) Error() string   { return "vk: you don't have access to this chat" }
func (permanentErr) Permanent() bool { return true }

type temporaryErr struct{}

func (temporaryErr) Error() string   { return "vk: HTTP 503" }
func (temporaryErr) Temporary() bool { return true }

// fakeAnnouncer fails each chat's announcements with the error it is given:
// always, or for the first failFor[peer] calls.
type fakeAnnouncer struct {
	mu      sync.Mutex
	fail    map[chgk.PeerID]error
	failFor map[chgk.PeerID]int
	calls   map[chgk.PeerID]int
	vkAt    time.Time // what SentAt says
	vkErr   error
}

func (f *fakeAnnouncer) Announce(_ context.Context, _ string, peer chgk.PeerID, _ chgk.Event, sending func() error) (int64, error) {
	if sending != nil {
		if err := sending(); err != nil {
			return 0, err
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls[peer]++
	if n, ok := f.failFor[peer]; ok && f.calls[peer] > n {
		return 7, nil
	}
	return 7, f.fail[peer]
}
func (f *fakeAnnouncer) Prepare(context.Context, string, chgk.PeerID, chgk.Event) error { return nil }
func (f *fakeAnnouncer) SentAt(context.Context, chgk.PeerID, int64) (time.Time, error) {
	return f.vkAt, f.vkErr
}
func (f *fakeAnnouncer) Answer(context.Context, string, chgk.UserID, chgk.PeerID, string) error {
	return nil
}
func (f *fakeAnnouncer) Page(context.Context, chgk.PeerID, int64, int, int, []chgk.Player) error {
	return nil
}
func (f *fakeAnnouncer) Greet(context.Context, string, chgk.PeerID) error        { return nil }
func (f *fakeAnnouncer) ReplyPrivate(context.Context, string, chgk.PeerID) error { return nil }

func (f *fakeAnnouncer) count(p chgk.PeerID) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[p]
}

// announceOnce runs the announcer's handlers over fa on an in-memory bus
// until the test ends, publishes one announcement for each of peers, and
// returns the poison topic's messages.
func announceOnce(t *testing.T, fa *fakeAnnouncer, peers ...chgk.PeerID) <-chan *message.Message {
	t.Helper()
	is := is.New(t)
	ps := gochannel.NewGoChannel(gochannel.Config{Persistent: true}, watermill.NopLogger{})
	log := slog.New(slog.DiscardHandler)
	r, err := NewRouter(RouterConfig{Announcing: &Announcing{Announcer: fa, Reports: ps, Clock: ct.NewClock(ct.Epoch), Log: log},
		Subscriber: func(string, string) (message.Subscriber, error) { return ps, nil }, Poison: ps, Log: log, CloseTimeout: time.Second})
	is.NoErr(err)
	poisoned, err := ps.Subscribe(context.Background(), PoisonTopic)
	is.NoErr(err)
	go func() { _ = r.Run(context.Background()) }()
	<-r.Running()
	t.Cleanup(func() { _ = r.Close() })
	for _, p := range peers {
		m, err := eventOf(p, chgk.RulesShown{Peer: p, Settings: chgk.DefaultSettings()})
		is.NoErr(err)
		is.NoErr(publish(ps, p, []wireMsg{m}))
	}
	return poisoned
}

// TestRouterRetriesPoisonsAndNeverBlocks runs the announcer's handlers on an
// in-memory bus: a permanent failure goes to the poison topic at once, a
// transient one after the bounded retries, and neither stops another chat
// of the same topic.
func TestRouterRetriesPoisonsAndNeverBlocks(t *testing.T) {
	is := is.New(t)
	bad, flaky, good := ct.Chat(16), ct.Chat(32), ct.Chat(48) // one shard
	is.Equal(EventsTopic(bad), EventsTopic(good))
	fa := &fakeAnnouncer{fail: map[chgk.PeerID]error{bad: permanentErr{}, flaky: errors.New("vk: HTTP 502")}, calls: map[chgk.PeerID]int{}}
	poisoned := announceOnce(t, fa, bad, flaky, good)
	got := map[string]bool{}
	for range 2 {
		select {
		case m := <-poisoned:
			got[m.Metadata.Get(peerKey)] = true
			m.Ack()
		case <-time.After(10 * time.Second):
			t.Fatal("nothing reached the poison topic")
		}
	}
	is.True(got["2000000016"] && got["2000000032"]) // both failing chats were set aside
	is.Equal(fa.count(bad), 1)                      // the permanent failure was not retried
	is.Equal(fa.count(flaky), 5)                    // the transient one was, a bounded number of times
	is.Equal(fa.count(good), 1)                     // and the healthy chat behind them was announced
}

// TestTemporaryFailureIsDeliveredLater: VK is down for longer than the
// bounded retries last. The message is not poisoned: it goes back to the bus
// and is delivered once VK answers again. (The in-memory bus here does not
// keep a topic's order; the Postgres one does, and there the chats behind
// it wait, as every chat waits for VK in an outage.)
func TestTemporaryFailureIsDeliveredLater(t *testing.T) {
	is := is.New(t)
	outage, good := ct.Chat(16), ct.Chat(32) // one shard
	const failures = 7                       // more than one delivery's retries
	fa := &fakeAnnouncer{fail: map[chgk.PeerID]error{outage: temporaryErr{}}, failFor: map[chgk.PeerID]int{outage: failures},
		calls: map[chgk.PeerID]int{}}
	poisoned := announceOnce(t, fa, outage, good)
	deadline := time.Now().Add(20 * time.Second)
	for (fa.count(outage) <= failures || fa.count(good) == 0) && time.Now().Before(deadline) {
		select {
		case m := <-poisoned:
			t.Fatalf("chat %s was poisoned", m.Metadata.Get(peerKey))
		case <-time.After(10 * time.Millisecond):
		}
	}
	is.Equal(fa.count(outage), failures+1) // tried until VK answered, then delivered
	is.Equal(fa.count(good), 1)            // and the other chat got its message
	is.True(IsTemporary(fmt.Errorf("announce: %w", temporaryErr{})))
	is.True(IsTemporary(context.DeadlineExceeded)) // a handler out of time is tried again too
	is.True(!IsTemporary(errors.New("vk: HTTP 502")))
}

func TestShutdownIsNotPoison(t *testing.T) {
	is := is.New(t)
	is.True(shuttingDown(context.Canceled))
	is.True(shuttingDown(errors.Join(errors.New("announce"), context.Canceled))) // a stop is never the message's fault
	is.True(!shuttingDown(permanentErr{}))
	var _ message.Publisher = (*gochannel.GoChannel)(nil)
}

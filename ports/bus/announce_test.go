package bus

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/matryer/is"

	"github.com/vkchgk/chgkbot/chgk"
	ct "github.com/vkchgk/chgkbot/chgk/chgktest"
)

// memAttempts is Attempts in memory.
type memAttempts struct {
	mu    sync.Mutex
	first map[string]time.Time
}

func (m *memAttempts) Attempt(_ context.Context, key string, at time.Time) (time.Time, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	prev, ok := m.first[key]
	m.first[key] = at
	return prev, ok, nil
}

func (m *memAttempts) Forget(_ context.Context, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.first, key)
	return nil
}

// reports collects the delivery reports the announcer publishes.
type reports struct {
	mu  sync.Mutex
	got []delivery
}

func (r *reports) Publish(_ string, msgs ...*message.Message) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, msg := range msgs {
		m, err := decode[deliveredMsg](msg.Payload)
		if err != nil {
			return err
		}
		r.got = append(r.got, m.Delivered)
	}
	return nil
}
func (r *reports) Close() error { return nil }

// TestRedeliveredPhaseMessageKeepsItsClock: the process died after VK took
// a round's message and before the report; the message comes again. The
// report must say when the message arrived — the later of the last earlier
// attempt and VK's own second — not the time of the resend, or the team
// would get its discussion anew. When VK's second reaches into the resend
// (VK may have taken the message only now), or VK cannot say: the resend's
// confirmation (more time, never less). A first send reports its
// confirmation.
func TestRedeliveredPhaseMessageKeepsItsClock(t *testing.T) {
	peer := ct.Chat(1)
	round := chgk.RoundStarted{Peer: peer, Round: 1, Of: 1, Timer: chgk.Timer{Phase: chgk.PhaseDiscussion, Round: 1, Duration: time.Minute}}
	m, err := eventOf(peer, round)
	if err != nil {
		t.Fatal(err)
	}
	msg, err := newMessage(peer, "", m)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		vkAt  time.Duration // VK's time of the message, after the first attempt
		vkErr error
		want  time.Duration // the reported time, after the first attempt
	}{
		{"VK's second is before the first attempt: the attempt", -400 * time.Millisecond, nil, 0},
		{"VK took it later (the first attempt failed): VK's time", 20 * time.Second, nil, 20 * time.Second},
		{"VK cannot say: the resend's time", 0, errors.New("vk: 10"), 40 * time.Second},
		{"VK's second reaches into the resend: the resend's time", 39*time.Second + 500*time.Millisecond, nil, 40 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			is := is.New(t)
			clock := ct.NewClock(ct.Epoch)
			fa := &fakeAnnouncer{calls: map[chgk.PeerID]int{}, vkAt: ct.Epoch.Add(tc.vkAt), vkErr: tc.vkErr}
			att := &memAttempts{first: map[string]time.Time{}}
			rep := &reports{}
			a := &Announcing{Announcer: fa, Attempts: att, Reports: rep, Clock: clock, Log: slog.New(slog.DiscardHandler)}
			// The earlier attempt: VK took the message, the process died
			// before its report (the report is not kept).
			_, _, err := att.Attempt(context.Background(), msg.UUID, clock.Now())
			is.NoErr(err)
			clock.Advance(40 * time.Second) // down, back, the message comes again
			is.NoErr(a.Handle(msg))
			is.Equal(len(rep.got), 1)                      // one report
			is.Equal(rep.got[0].At, ct.Epoch.Add(tc.want)) // at the time the message first arrived
			is.Equal(len(att.first), 0)                    // and the record is gone
		})
	}
	t.Run("a first send reports its confirmation", func(t *testing.T) {
		is := is.New(t)
		clock := ct.NewClock(ct.Epoch)
		rep := &reports{}
		a := &Announcing{Announcer: &fakeAnnouncer{calls: map[chgk.PeerID]int{}, vkAt: ct.Epoch.Add(-time.Hour)},
			Attempts: &memAttempts{first: map[string]time.Time{}}, Reports: rep, Clock: clock, Log: slog.New(slog.DiscardHandler)}
		is.NoErr(a.Handle(msg))
		is.Equal(rep.got[0].At, ct.Epoch) // now, not what VK would say
	})
}

package bus

import (
	"context"
	"encoding/json"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/matryer/is"

	"github.com/vkchgk/chgkbot/chgk"
	ct "github.com/vkchgk/chgkbot/chgk/chgktest"
)

// memChats is the worker's transactional path in memory: an inbox of seen
// event ids and a publisher that records what a chat is told.
type memChats struct {
	mu   sync.Mutex
	seen map[string]bool
	sent []outbound
}

func (m *memChats) Process(ctx context.Context, _ chgk.PeerID, eventID string, f func(context.Context, message.Publisher) error) (bool, error) {
	m.mu.Lock()
	if m.seen[eventID] {
		m.mu.Unlock()
		return false, nil
	}
	m.seen[eventID] = true
	m.mu.Unlock()
	return true, f(ctx, m)
}

func (m *memChats) Publish(_ string, msgs ...*message.Message) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, msg := range msgs {
		var o outbound
		if err := json.Unmarshal(msg.Payload, &o); err != nil {
			return err
		}
		m.sent = append(m.sent, o)
	}
	return nil
}

func (m *memChats) Close() error { return nil }

func (m *memChats) told(t *testing.T) []chgk.Event {
	m.mu.Lock()
	defer m.mu.Unlock()
	var evs []chgk.Event
	for _, o := range m.sent {
		e, err := o.event()
		if err != nil {
			t.Fatal(err)
		}
		evs = append(evs, e)
	}
	m.sent = nil
	return evs
}

// TestLateDeliveryReportResumes: the bot went down after VK took a round's
// message but before the worker heard of it. The report, read after the
// restart, ends the phase at once and the chat is told the game goes on;
// a report on time only starts the clock, silently; a repeated report is
// ignored.
func TestLateDeliveryReportResumes(t *testing.T) {
	is := is.New(t)
	ctx := context.Background()
	s := ct.FastSettings()
	host, _, clock := ct.NewHost(s, ct.Questions(3))
	host.Grace = 30 * time.Second // clocks wait for the announcer's report
	chats := &memChats{seen: map[string]bool{}}
	w := &Worker{Chats: chats, Host: host, Log: slog.New(slog.DiscardHandler)}
	peer, anna := ct.Chat(1), chgk.Player{ID: 1, Name: "Анна"}
	report := func(key string, phase chgk.Phase, round int, at time.Time) {
		t.Helper()
		m, err := newMessage(peer, "delivered:"+key, inbound{Kind: "delivered",
			Delivered: &deliveredMsg{Peer: peer, Phase: phase, Round: round, At: at}})
		is.NoErr(err)
		is.NoErr(w.Handle(m))
	}

	_, err := host.Handle(ctx, peer, chgk.Start{By: anna})
	is.NoErr(err)
	report("lobby", chgk.PhaseLobby, 0, clock.Now())
	is.Equal(len(chats.told(t)), 0) // a report on time says nothing
	_, err = host.Handle(ctx, peer, chgk.Begin{By: anna})
	is.NoErr(err)

	sent := clock.Now() // round 1's message reached VK; then the bot was down
	clock.Advance(s.Discussion + chgk.ResumeNotice + time.Second)
	report("round1", chgk.PhaseDiscussion, 1, sent)
	evs := chats.told(t)
	is.Equal(len(evs), 1) // the chat is told the game goes on
	resumed, ok := evs[0].(chgk.GameResumed)
	is.True(ok)
	is.Equal(resumed.Phase, chgk.PhaseDiscussion)
	is.Equal(resumed.Late, chgk.ResumeNotice+time.Second)

	report("round1", chgk.PhaseDiscussion, 1, sent) // VK's answer redelivered
	is.Equal(len(chats.told(t)), 0)                 // changes nothing
	evs, err = host.Handle(ctx, peer, chgk.Expire{Phase: chgk.PhaseDiscussion, Round: 1})
	is.NoErr(err)
	is.Equal(len(evs), 1) // and the discussion ends at once, with no second notice
	chosen, ok := evs[0].(chgk.AnswererChosen)
	is.True(ok && chosen.Solo) // (Anna plays alone: she answers)
}

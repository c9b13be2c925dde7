package bus

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/matryer/is"

	"github.com/vkchgk/chgkbot/chgk"
	ct "github.com/vkchgk/chgkbot/chgk/chgktest"
	"github.com/vkchgk/chgkbot/ports/bus/bustest"
)

// told decodes the events the committed units of m published, and
// forgets them.
func told(t *testing.T, m *bustest.Memory) []chgk.Event {
	t.Helper()
	var evs []chgk.Event
	for _, p := range m.Outbox() {
		em, err := decode[eventMsg](p.Message.Payload)
		if err != nil {
			t.Fatal(err)
		}
		e, err := em.event()
		if err != nil {
			t.Fatal(err)
		}
		evs = append(evs, e)
	}
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
	host, store, clock := ct.NewHost(s, ct.Questions(3))
	host.Grace = 30 * time.Second // clocks wait for the announcer's report
	units := bustest.NewMemory(store)
	w := &Worker{Games: &Games{Units: units, Host: host}, Log: slog.New(slog.DiscardHandler)}
	peer, anna := ct.Chat(1), chgk.Player{ID: 1, Name: "Анна"}
	report := func(key string, phase chgk.Phase, round int, at time.Time) {
		t.Helper()
		m, err := newMessage(peer, "delivered:"+key, deliveredMsg{Delivered: delivery{Peer: peer, Phase: phase, Round: round, At: at}})
		is.NoErr(err)
		is.NoErr(w.Handle(m))
	}

	_, err := host.Handle(ctx, peer, chgk.Start{By: anna})
	is.NoErr(err)
	report("lobby", chgk.PhaseLobby, 0, clock.Now())
	is.Equal(len(told(t, units)), 0) // a report on time says nothing
	_, err = host.Handle(ctx, peer, chgk.Begin{By: anna})
	is.NoErr(err)

	sent := clock.Now() // round 1's message reached VK; then the bot was down
	clock.Advance(s.Discussion + chgk.ResumeNotice + time.Second)
	report("round1", chgk.PhaseDiscussion, 1, sent)
	evs := told(t, units)
	is.Equal(len(evs), 1) // the chat is told the game goes on
	resumed, ok := evs[0].(chgk.GameResumed)
	is.True(ok)
	is.Equal(resumed.Phase, chgk.PhaseDiscussion)
	is.Equal(resumed.Late, chgk.ResumeNotice+time.Second)

	report("round1", chgk.PhaseDiscussion, 1, sent) // VK's answer redelivered
	is.Equal(len(told(t, units)), 0)                // changes nothing
	evs, err = host.Handle(ctx, peer, chgk.Expire{Phase: chgk.PhaseDiscussion, Round: 1})
	is.NoErr(err)
	is.Equal(len(evs), 1) // and the discussion ends at once, with no second notice
	chosen, ok := evs[0].(chgk.AnswererChosen)
	is.True(ok && chosen.Solo) // (Anna plays alone: she answers)
}

package vkapi_test

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/matryer/is"

	"github.com/vkchgk/chgkbot/adapters/vkapi"
	"github.com/vkchgk/chgkbot/adapters/vksim"
	"github.com/vkchgk/chgkbot/chgk"
	ct "github.com/vkchgk/chgkbot/chgk/chgktest"
)

// memKeyboards is vkapi.KeyboardStore in memory.
type memKeyboards struct {
	mu        sync.Mutex
	cmid      map[int64]int64
	text, key map[int64]string
}

func (m *memKeyboards) LiveKeyboard(_ context.Context, peer int64) (int64, string, string, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	c, ok := m.cmid[peer]
	return c, m.text[peer], m.key[peer], ok && c != 0, nil
}

func (m *memKeyboards) SetLiveKeyboard(_ context.Context, peer, cmid int64, text, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.cmid[peer], m.text[peer], m.key[peer] = cmid, text, key
	return nil
}

// memButtons is vkapi.AppealButtons in memory.
type memButtons struct {
	mu   sync.Mutex
	list []button
}

type button struct {
	peer, cmid, game int64
	round            int
	closes           time.Time
	text, kb         string
}

func (m *memButtons) AddAppealButton(_ context.Context, peer, cmid, game int64, round int, closes time.Time, text, kb string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.list = append(m.list, button{peer, cmid, game, round, closes, text, kb})
	return nil
}

func (m *memButtons) RoundAppealButton(_ context.Context, peer, game int64, round int) (int64, string, string, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, b := range m.list {
		if b.peer == peer && b.game == game && b.round == round {
			return b.cmid, b.text, b.kb, true, nil
		}
	}
	return 0, "", "", false, nil
}

func (m *memButtons) NextAppealButton(context.Context) (int64, int64, time.Time, string, string, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.list) == 0 {
		return 0, 0, time.Time{}, "", "", false, nil
	}
	first := m.list[0]
	for _, b := range m.list {
		if b.closes.Before(first.closes) {
			first = b
		}
	}
	return first.peer, first.cmid, first.closes, first.text, first.kb, true, nil
}

func (m *memButtons) DoneAppealButton(_ context.Context, peer, cmid int64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i, b := range m.list {
		if b.peer == peer && b.cmid == cmid {
			m.list = append(m.list[:i], m.list[i+1:]...)
			break
		}
	}
	return nil
}

func announcer(t *testing.T) (*vksim.Server, *vkapi.Announcer, *memButtons, int64) {
	vk, c, peer := setup(t)
	b := &memButtons{}
	return vk, &vkapi.Announcer{Client: c, Keyboards: &memKeyboards{cmid: map[int64]int64{}, text: map[int64]string{}, key: map[int64]string{}},
		Appeals: b, Log: slog.New(slog.DiscardHandler)}, b, peer
}

func lastEdit(vk *vksim.Server, peer, cmid int64) vksim.Edit {
	var last vksim.Edit
	for _, e := range vk.Edits() {
		if e.Peer == peer && e.CMID == cmid {
			last = e
		}
	}
	return last
}

// TestAWarningAfterAMinute: the warning keeps the minute's button while the
// team may still take it; a discussion lengthened after its warning is
// warned again in the same message, without the button.
func TestAWarningAfterAMinute(t *testing.T) {
	t.Parallel()
	is := is.New(t)
	vk, a, _, peer := announcer(t)
	ctx := context.Background()
	round := chgk.RoundStarted{Peer: chgk.PeerID(peer), Round: 1, Question: ct.Questions(1)[0], Captain: ct.Anna, Target: 6, Minutes: 1,
		Sector: chgk.Sector{Number: 4, Kind: chgk.SectorNormal}, Timer: chgk.Timer{Phase: chgk.PhaseDiscussion, Round: 1, Duration: time.Minute}}
	cmid, err := a.Announce(ctx, "round-1", chgk.PeerID(peer), round, nil)
	is.NoErr(err)
	is.True(strings.Contains(vk.SentTo(peer)[0].Keyboard, "Взять дополнительную минуту")) // the round offers the minute
	_, err = a.Announce(ctx, "warn-1", chgk.PeerID(peer), chgk.DiscussionWarned{Peer: chgk.PeerID(peer), Round: 1, Left: 10 * time.Second, Minute: true}, nil)
	is.NoErr(err)
	first := lastEdit(vk, peer, cmid)
	is.True(strings.HasSuffix(first.Text, "Осталось 10 секунд на обсуждение!")) // warned in place
	is.True(strings.Contains(first.Keyboard, "Взять дополнительную минуту"))    // the minute's button stays
	_, err = a.Announce(ctx, "warn-2", chgk.PeerID(peer), chgk.DiscussionWarned{Peer: chgk.PeerID(peer), Round: 1, Left: 10 * time.Second}, nil)
	is.NoErr(err)
	second := lastEdit(vk, peer, cmid)
	is.True(second.At.After(first.At) || second.At.Equal(first.At))
	is.Equal(strings.Count(second.Text, "Осталось 10 секунд"), 1)              // warned again, once in the text
	is.True(!strings.Contains(second.Keyboard, "Взять дополнительную минуту")) // the minute is spent
	is.Equal(len(vk.SentTo(peer)), 1)                                          // and no new message
}

// TestAppealButtonsGo: a verdict's appeal button goes when its window
// closes, or at once when the appeal is filed; the results' other button
// stays.
func TestAppealButtonsGo(t *testing.T) {
	t.Parallel()
	is := is.New(t)
	vk, a, buttons, peer := announcer(t)
	ctx := context.Background()
	now := time.Now()
	q := ct.Questions(2)
	verdict := chgk.RoundJudged{Peer: chgk.PeerID(peer), Round: 1, Of: 2, Answerer: ct.Anna, Given: "нет", Verdict: chgk.VerdictWrong, Question: q[0],
		Bot: 1, Timer: chgk.Timer{Phase: chgk.PhasePause, Round: 1, Duration: time.Second}, Game: 5, AppealUntil: now.Add(time.Hour)}
	v, err := a.Announce(ctx, "judged-1", chgk.PeerID(peer), verdict, nil)
	is.NoErr(err)
	end := chgk.GameEnded{Peer: chgk.PeerID(peer), AppealUntil: now.Add(-time.Second), Results: chgk.Results{GameID: 5, Team: 0, Bot: 2,
		Outcome: chgk.OutcomeBot, Rounds: []chgk.Round{{Number: 1, Question: q[0], Verdict: chgk.VerdictWrong, Given: "нет"},
			{Number: 2, Question: q[1], Verdict: chgk.VerdictWrong, Given: "тоже нет", Answerer: ct.Anna}}}}
	e, err := a.Announce(ctx, "ended", chgk.PeerID(peer), end, nil)
	is.NoErr(err)
	is.Equal(len(buttons.list), 2) // both remembered

	run, stop := context.WithCancel(ctx)
	done := make(chan error)
	go func() { done <- a.CloseAppeals(run, time.Now) }()
	for deadline := time.Now().Add(10 * time.Second); lastEdit(vk, peer, e).CMID == 0; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the closed window's button was never taken away")
		}
	}
	closed := lastEdit(vk, peer, e)
	is.True(!strings.Contains(closed.Keyboard, vkapi.AppealLabel)) // the appeal goes
	is.True(strings.Contains(closed.Keyboard, "Сыграть ещё"))      // the other button stays
	is.True(strings.HasPrefix(closed.Text, "❌ Неверно"))           // and the text
	is.Equal(lastEdit(vk, peer, v).CMID, int64(0))                 // the open window's stays

	_, err = a.Announce(ctx, "filed", chgk.PeerID(peer), chgk.AppealFiled{Peer: chgk.PeerID(peer), Appeal: chgk.Appeal{Game: 5, Round: 1, By: ct.Anna, Given: "нет"}}, nil)
	is.NoErr(err)
	is.True(lastEdit(vk, peer, v).CMID != 0) // filed: its button goes at once
	is.True(!strings.Contains(lastEdit(vk, peer, v).Keyboard, vkapi.AppealLabel))
	is.Equal(len(buttons.list), 0)
	stop()
	is.NoErr(<-done) // and the loop ends with its context
}

package vk_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vkchgk/chgkbot/chgk/vkwire"

	"github.com/matryer/is"

	"github.com/vkchgk/chgkbot/adapters/vkapi"
	"github.com/vkchgk/chgkbot/adapters/vksim"
	"github.com/vkchgk/chgkbot/ports/vk"
)

// memorySink stores delivered updates and the ts, and can refuse batches.
type memorySink struct {
	mu      sync.Mutex
	updates []vk.Update
	ts      string
	refuse  int
}

func (s *memorySink) Deliver(_ context.Context, us []vk.Update, next string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.refuse > 0 {
		s.refuse--
		return errors.New("sink is down")
	}
	s.updates = append(s.updates, us...)
	s.ts = next
	return nil
}

func (s *memorySink) snapshot() ([]vk.Update, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]vk.Update(nil), s.updates...), s.ts
}

func startIntake(t *testing.T, fake *vksim.Server, sink *memorySink, ts string) context.CancelFunc {
	client, err := vkapi.New(vkapi.Config{Token: "tok", URL: fake.APIURL(), Backoff: time.Millisecond, MaxWait: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	in := &vk.Intake{
		GroupID: group, Sink: sink, TS: ts, Wait: 1, Backoff: 5 * time.Millisecond, MaxBackoff: 20 * time.Millisecond,
		Server: func(ctx context.Context) (vkwire.LongPoll, error) {
			lp, err := client.LongPollServer(ctx, group)
			return vkwire.LongPoll{Server: lp.Server, Key: lp.Key, TS: lp.TS}, err
		},
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := in.Run(ctx); err != nil {
			t.Error(err)
		}
	}()
	return func() {
		cancel()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Error("intake did not stop on cancel")
		}
	}
}

func waitFor(t *testing.T, sink *memorySink, n int) []vk.Update {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if us, _ := sink.snapshot(); len(us) >= n {
			time.Sleep(50 * time.Millisecond) // room for a wrong extra delivery to show
			us, _ = sink.snapshot()
			return us
		}
		time.Sleep(5 * time.Millisecond)
	}
	us, _ := sink.snapshot()
	var got []string
	for _, u := range us {
		got = append(got, u.Text)
	}
	t.Fatalf("got %d updates, want %d: %v", len(us), n, got)
	return nil
}

func TestIntakeDeliversEverythingOnceThroughFaults(t *testing.T) {
	t.Parallel()
	is := is.New(t)
	fake := vksim.New(t, "tok", group)
	peer := fake.AddChat(1, false, 5)
	sink := &memorySink{}
	stop := startIntake(t, fake, sink, "")
	time.Sleep(50 * time.Millisecond) // the intake takes "now" from the server first

	faults := []func(){
		func() { fake.FailPoll(1) },
		func() { fake.FailPoll(2) },
		func() { fake.ExpireKey() },
		func() { fake.FailPoll(3) },
		func() { fake.HTTPFailNext("lp", 502, 2) },
		func() { fake.DropPolls(2) },
		func() { fake.FailNext("groups.getLongPollServer", 10, 1); fake.ExpireKey() },
		func() { sink.mu.Lock(); sink.refuse = 2; sink.mu.Unlock() },
	}
	const n = 40
	for i := range n {
		if i%5 == 2 {
			faults[(i/5)%len(faults)]()
		}
		fake.Say(peer, 5, fmt.Sprintf("m%d", i))
		if i%3 == 0 {
			time.Sleep(15 * time.Millisecond)
		}
	}
	us := waitFor(t, sink, n)
	is.Equal(len(us), n) // every update exactly once
	for i, u := range us {
		is.Equal(u.Text, fmt.Sprintf("m%d", i)) // in order
	}
	stop()

	// A restart resumes from the stored ts: nothing lost, nothing repeated.
	_, ts := sink.snapshot()
	for i := n; i < n+5; i++ {
		fake.Say(peer, 5, fmt.Sprintf("m%d", i)) // said while the intake is down
	}
	stop = startIntake(t, fake, sink, ts)
	defer stop()
	fake.Say(peer, 5, fmt.Sprintf("m%d", n+5))
	us = waitFor(t, sink, n+6)
	is.Equal(len(us), n+6)
	for i, u := range us {
		is.Equal(u.Text, fmt.Sprintf("m%d", i))
	}
}

func TestIntakeSkipsJunk(t *testing.T) {
	t.Parallel()
	is := is.New(t)
	fake := vksim.New(t, "tok", group)
	peer := fake.AddChat(1, false, 5)
	sink := &memorySink{}
	stop := startIntake(t, fake, sink, "")
	defer stop()
	time.Sleep(50 * time.Millisecond)
	fake.Raw("message_new", map[string]any{"message": "not an object"})
	fake.Raw("wall_post_new", map[string]any{})
	fake.Press(peer, 5, "garbage", 3)
	fake.Say(peer, 5, "/start")
	us := waitFor(t, sink, 2)
	is.Equal(len(us), 2)                         // junk is dropped, never a crash
	is.Equal(us[0].Callback != "", true)         // a bad press is kept, to stop its spinner
	is.Equal(us[0].Action, vk.Action{})          // asking for nothing
	is.Equal(us[1].Action.Name, vkwire.ActStart) // and the intake goes on
}

func TestIntakeRecoversFromRepeatedFailed3(t *testing.T) {
	t.Parallel()
	is := is.New(t)
	fake := vksim.New(t, "tok", group)
	peer := fake.AddChat(1, false, 5)
	sink := &memorySink{}
	fake.FailPoll(3, 3, 3)
	stop := startIntake(t, fake, sink, "")
	defer stop()
	// Three failed 3 in a row: the intake starts over from the server's ts,
	// losing what came in between (as VK does), and then polls on.
	time.Sleep(500 * time.Millisecond)
	fake.Say(peer, 5, "после сбоя")
	us := waitFor(t, sink, 1)
	is.Equal(us[0].Text, "после сбоя") // the intake starts over and goes on
}

// TestPollErrorsHideTheKey: a failed poll is logged, and the key in its
// URL is a credential.
func TestPollErrorsHideTheKey(t *testing.T) {
	is := is.New(t)
	var logs strings.Builder
	log := slog.New(slog.NewTextHandler(&logs, nil))
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	in := &vk.Intake{GroupID: 1, Log: log, Backoff: time.Millisecond, MaxBackoff: 10 * time.Millisecond,
		Server: func(context.Context) (vkwire.LongPoll, error) {
			return vkwire.LongPoll{Server: "http://127.0.0.1:1/nothing-listens", Key: "very-secret-key", TS: "1"}, nil
		},
		Sink: sinkFunc(func(context.Context, []vk.Update, string) error { return nil })}
	is.NoErr(in.Run(ctx))
	is.True(strings.Contains(logs.String(), "poll failed"))      // the failure is logged
	is.True(!strings.Contains(logs.String(), "very-secret-key")) // without the key
	is.True(strings.Contains(logs.String(), "key=REDACTED"))     // which shows as redacted
}

type sinkFunc func(ctx context.Context, us []vk.Update, next string) error

func (f sinkFunc) Deliver(ctx context.Context, us []vk.Update, next string) error {
	return f(ctx, us, next)
}

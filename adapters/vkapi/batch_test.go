package vkapi_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/matryer/is"

	"github.com/vkchgk/chgkbot/adapters/vkapi"
	"github.com/vkchgk/chgkbot/adapters/vksim"
)

// held is a fake VK whose first message is held until release is called,
// and a client with one request per second: while the first request is
// held, every other call waits in the client's queue, so a test decides
// exactly what the next request carries.
type held struct {
	vk       *vksim.Server
	c        *vkapi.Client
	gate     chan struct{}
	once     sync.Once
	requests []int // calls per request, in order
	mu       sync.Mutex
}

func newHeld(t *testing.T) *held {
	t.Helper()
	h := &held{vk: vksim.New(t, token, group), gate: make(chan struct{})}
	var first atomic.Bool
	h.vk.OnSent(func(vksim.Sent) {
		if first.CompareAndSwap(false, true) {
			<-h.gate
		}
	})
	c, err := vkapi.New(vkapi.Config{Token: token, URL: h.vk.APIURL(), RPS: 1, Backoff: time.Millisecond, MaxWait: 5 * time.Millisecond,
		Requests: func(calls int) {
			h.mu.Lock()
			defer h.mu.Unlock()
			h.requests = append(h.requests, calls)
		}})
	if err != nil {
		t.Fatal(err)
	}
	h.c = c
	t.Cleanup(h.release)
	return h
}

func (h *held) release() { h.once.Do(func() { close(h.gate) }) }

// hold sends the message the fake holds, and returns once its request has
// reached the fake: every call after it waits in the client's queue.
func (h *held) hold(ctx context.Context, peer, rid int64, text string) <-chan error {
	first := h.send(ctx, peer, rid, text)
	for h.vk.Stats().Requests == 0 {
		time.Sleep(time.Millisecond)
	}
	return first
}

// waitQueued waits until n calls wait in the client's queue.
func (h *held) waitQueued(t *testing.T, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for h.c.Waiting() < n {
		if time.Now().After(deadline) {
			t.Fatalf("%d calls queued, want %d", h.c.Waiting(), n)
		}
		time.Sleep(time.Millisecond)
	}
}

func (h *held) perRequest() []int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]int(nil), h.requests...)
}

// send sends text to peer in the background; the result comes on the
// returned channel.
func (h *held) send(ctx context.Context, peer, rid int64, text string) <-chan error {
	done := make(chan error, 1)
	go func() {
		_, err := h.c.Send(ctx, vkapi.Message{Peer: peer, RandomID: rid, Text: text})
		done <- err
	}()
	return done
}

func TestALoneCallGoesAlone(t *testing.T) {
	t.Parallel()
	is := is.New(t)
	vk, c, peer := setup(t)
	_, err := c.Send(context.Background(), vkapi.Message{Peer: peer, RandomID: 1, Text: "один"})
	is.NoErr(err)
	st := vk.Stats()
	is.Equal(st.Requests, 1) // one request
	is.Equal(st.Executes, 0) // and no execute: an idle bot sends at once, as the call itself
}

func TestWaitingCallsRideInOneExecute(t *testing.T) {
	t.Parallel()
	is := is.New(t)
	h := newHeld(t)
	ctx := context.Background()
	const chats = 30
	peers := make([]int64, chats)
	for i := range peers {
		peers[i] = h.vk.AddChat(i+1, false)
	}
	first := h.hold(ctx, peers[0], 1000, "первое")
	results := make([]<-chan error, chats)
	for i, p := range peers {
		results[i] = h.send(ctx, p, int64(i+1), fmt.Sprintf("сообщение %d", i))
	}
	h.waitQueued(t, chats)
	h.release()
	is.NoErr(<-first) // the held request comes back
	for _, r := range results {
		is.NoErr(<-r) // and every queued call has its own result
	}
	for i, p := range peers {
		got := h.vk.SentTo(p)
		want := 1
		if i == 0 {
			want = 2
		}
		is.Equal(len(got), want)                                       // each chat got its message, once
		is.Equal(got[len(got)-1].Text, fmt.Sprintf("сообщение %d", i)) // the right one
	}
	st := h.vk.Stats()
	is.Equal(st.Calls, chats+1)               // 31 logical calls
	is.Equal(st.Requests, 3)                  // in three requests: the held one, then 25, then 5
	is.Equal(h.perRequest(), []int{1, 25, 5}) // as the client saw them
	is.Equal(st.Executes, 2)                  // the two batches went as execute
}

func TestAFailingCallFailsOnlyItsOwnMessage(t *testing.T) {
	t.Parallel()
	is := is.New(t)
	h := newHeld(t)
	ctx := context.Background()
	a, b, c := h.vk.AddChat(1, false), h.vk.AddChat(2, false), h.vk.AddChat(3, false)
	first := h.hold(ctx, a, 1, "держит")
	h.vk.FailNext("peer:"+fmt.Sprint(b), 917, 1) // chat b's send fails inside the batch (a per-peer error)
	ra := h.send(ctx, a, 2, "a")
	h.waitQueued(t, 1)
	rb := h.send(ctx, b, 3, "b")
	h.waitQueued(t, 2)
	rc := h.send(ctx, c, 4, "c")
	h.waitQueued(t, 3)
	edit := make(chan error, 1)
	go func() { edit <- h.c.Edit(ctx, c, 999, "нет такого", nil) }() // not the bot's message: error 15 in execute_errors
	h.waitQueued(t, 4)
	h.release()
	is.NoErr(<-first)
	is.NoErr(<-ra)                        // a's message went
	is.Equal(vkapi.Code(<-rb), 917)       // b's failed with its own error
	is.NoErr(<-rc)                        // c's went
	is.Equal(vkapi.Code(<-edit), 15)      // the failed edit has its error, from execute_errors
	is.Equal(len(h.vk.SentTo(a)), 2)      // a: the held message and this one
	is.Equal(len(h.vk.SentTo(b)), 0)      // b: nothing
	is.Equal(len(h.vk.SentTo(c)), 1)      // c: its message
	is.Equal(h.perRequest(), []int{1, 4}) // all four rode in one execute
}

func TestAChatsCallsKeepTheirOrderAcrossBatches(t *testing.T) {
	t.Parallel()
	is := is.New(t)
	h := newHeld(t)
	ctx := context.Background()
	chat, other := h.vk.AddChat(1, false), h.vk.AddChat(2, false)
	first := h.hold(ctx, other, 1, "держит")
	const n = 40
	var results []<-chan error
	for i := range n {
		// The chat's calls come one after another, the later ones urgent:
		// urgency must not let a chat's later call overtake its earlier.
		cctx := ctx
		if i%2 == 1 {
			cctx = vkapi.WithPriority(ctx, vkapi.Urgent)
		} else {
			cctx = vkapi.WithPriority(ctx, vkapi.Info)
		}
		results = append(results, h.send(cctx, chat, int64(100+i), fmt.Sprintf("%02d", i)))
		h.waitQueued(t, i+1)
	}
	h.release()
	is.NoErr(<-first)
	for _, r := range results {
		is.NoErr(<-r)
	}
	got := h.vk.SentTo(chat)
	is.Equal(len(got), n) // every message arrived once
	for i, m := range got {
		is.Equal(m.Text, fmt.Sprintf("%02d", i)) // in the order they were sent
	}
	is.Equal(h.perRequest(), []int{1, 25, 15}) // across two batches
}

func TestUrgentCallsGoFirst(t *testing.T) {
	t.Parallel()
	is := is.New(t)
	h := newHeld(t)
	ctx := context.Background()
	first := h.hold(ctx, h.vk.AddChat(1, false), 1, "держит")
	var info []<-chan error
	for i := range 30 {
		info = append(info, h.send(vkapi.WithPriority(ctx, vkapi.Info), h.vk.AddChat(100+i, false), int64(10+i), "инфо"))
	}
	h.waitQueued(t, 30)
	urgent := h.vk.AddChat(2, false)
	u := h.send(vkapi.WithPriority(ctx, vkapi.Urgent), urgent, 2, "срочно")
	h.waitQueued(t, 31)
	h.release()
	is.NoErr(<-first)
	is.NoErr(<-u)
	for _, r := range info {
		is.NoErr(<-r)
	}
	sent := h.vk.AllSent()
	is.Equal(sent[1].Peer, urgent) // the urgent call, queued last, went first after the held one
}

func TestAFailedExecuteFallsBackToDirectCalls(t *testing.T) {
	t.Parallel()
	for _, fault := range []struct {
		name string
		fail func(vk *vksim.Server)
	}{
		{"runtime error 13", func(vk *vksim.Server) { vk.FailNext("execute", 13, 1) }},
		{"compile error 12", func(vk *vksim.Server) { vk.FailNext("execute", 12, 1) }},
		{"HTTP 502", func(vk *vksim.Server) { vk.HTTPFailNext("execute", 502, 1) }},
	} {
		t.Run(fault.name, func(t *testing.T) {
			t.Parallel()
			is := is.New(t)
			h := newHeld(t)
			ctx := context.Background()
			first := h.hold(ctx, h.vk.AddChat(1, false), 1, "держит")
			fault.fail(h.vk)
			var peers []int64
			var results []<-chan error
			for i := range 3 {
				p := h.vk.AddChat(10+i, false)
				peers = append(peers, p)
				results = append(results, h.send(ctx, p, int64(10+i), "x"))
			}
			h.waitQueued(t, 3)
			h.release()
			is.NoErr(<-first)
			for _, r := range results {
				is.NoErr(<-r) // every call got through in the end
			}
			for _, p := range peers {
				is.Equal(len(h.vk.SentTo(p)), 1) // once: nothing lost, nothing doubled
			}
		})
	}
}

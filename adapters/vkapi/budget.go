package vkapi

import (
	"context"
	"sync"
	"time"
)

// budget keeps the requests VK counts in any window of one second at or
// below n, however late each request reaches VK.
//
// A pacing limiter alone cannot promise that: it spaces requests as they
// leave, and VK counts them as they arrive. A request delayed on the way
// (a busy machine, a slow network) lands next to the one after it, and a
// second can hold n+1. The budget closes that gap with what the client
// knows for sure: a request reaches VK after it was let go and before its
// answer comes back. So a request holds its place from the moment it is
// let go until one window after its answer, and a new one goes only while
// fewer than n places are held. If n+1 requests arrived within one window,
// the last of them to go would have found the other n still holding their
// places (each arrived, hence answered, less than a window before it went),
// and would have waited.
//
// It costs a round trip per window: n requests per (window + round trip)
// at most, 19 requests/s instead of 20 with VK's typical 50 ms.
type budget struct {
	n      int
	window time.Duration

	mu       sync.Mutex
	inFlight int
	done     []time.Time   // answer times within the last window, oldest first
	changed  chan struct{} // closed and replaced when a place frees
}

func newBudget(n int, window time.Duration) *budget {
	return &budget{n: n, window: window, changed: make(chan struct{})}
}

// take waits for a free place and holds it; the caller must call give
// once the request's answer (or failure) is in.
func (b *budget) take(ctx context.Context) error {
	for {
		b.mu.Lock()
		now := time.Now()
		for len(b.done) > 0 && now.Sub(b.done[0]) >= b.window {
			b.done = b.done[1:]
		}
		if b.inFlight+len(b.done) < b.n {
			b.inFlight++
			b.mu.Unlock()
			return nil
		}
		// Wait for the oldest answer to leave the window or, when every
		// place is in flight, for an answer to come in.
		changed, until := b.changed, time.Duration(0)
		if len(b.done) > 0 {
			until = b.window - now.Sub(b.done[0])
		}
		b.mu.Unlock()
		if err := sleep(ctx, changed, until); err != nil {
			return err
		}
	}
}

// sleep waits for changed to close, for d to pass (if d > 0), or for ctx.
func sleep(ctx context.Context, changed <-chan struct{}, d time.Duration) error {
	var timeout <-chan time.Time
	if d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		timeout = t.C
	}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-changed:
	case <-timeout:
	}
	return nil
}

// give releases a place taken by take, one window from now.
func (b *budget) give() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.inFlight--
	b.done = append(b.done, time.Now())
	close(b.changed)
	b.changed = make(chan struct{})
}

// release frees a place taken by take whose request never left.
func (b *budget) release() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.inFlight--
	close(b.changed)
	b.changed = make(chan struct{})
}

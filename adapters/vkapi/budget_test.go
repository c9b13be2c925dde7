package vkapi

import (
	"context"
	"errors"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/matryer/is"
)

// TestBudgetHoldsAtArrival sends requests that take a random time to reach
// the "server" and to come back, and checks that no window at the server
// ever holds more than n of them: the promise a pacing limiter cannot keep.
func TestBudgetHoldsAtArrival(t *testing.T) {
	t.Parallel()
	is := is.New(t)
	const n, window, requests = 5, 100 * time.Millisecond, 60
	b := newBudget(n, window)
	var (
		mu       sync.Mutex
		arrivals []time.Time
		wg       sync.WaitGroup
	)
	for range requests {
		wg.Add(1)
		go func() {
			defer wg.Done()
			is.NoErr(b.take(context.Background()))
			time.Sleep(time.Duration(rand.IntN(30)) * time.Millisecond) // on the way there
			mu.Lock()
			arrivals = append(arrivals, time.Now())
			mu.Unlock()
			time.Sleep(time.Duration(rand.IntN(10)) * time.Millisecond) // and back
			b.give()
		}()
	}
	wg.Wait()
	slices.SortFunc(arrivals, func(a, b time.Time) int { return a.Compare(b) })
	is.Equal(len(arrivals), requests) // every request went
	for i := 0; i+n < len(arrivals); i++ {
		if span := arrivals[i+n].Sub(arrivals[i]); span < window {
			t.Fatalf("arrivals %d..%d, %d requests, fit in %v < %v", i, i+n, n+1, span, window)
		}
	}
}

func TestBudgetTakeHonoursContext(t *testing.T) {
	t.Parallel()
	is := is.New(t)
	b := newBudget(1, time.Hour)
	is.NoErr(b.take(context.Background())) // the only place, never given back
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.take(ctx) }()
	cancel()
	select {
	case err := <-done:
		is.True(errors.Is(err, context.Canceled)) // the wait ends with the context
	case <-time.After(5 * time.Second):
		t.Fatal("take did not return on cancel")
	}
	b.give()
	ctx, cancel = context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	is.True(errors.Is(b.take(ctx), context.DeadlineExceeded)) // a given-back place stays held for the window
}

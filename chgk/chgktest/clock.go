package chgktest

import (
	"sync"
	"time"
)

// Clock is a chgk.Clock that stands still until Advance or Set moves it.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a clock showing t.
func NewClock(t time.Time) *Clock { return &Clock{now: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d and returns the new time.
func (c *Clock) Advance(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	return c.now
}

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// Rand is a chgk.Rand that returns its values in turn (each taken modulo n),
// starting over at the end; with no values it always returns 0.
type Rand struct {
	mu     sync.Mutex
	values []int
	next   int
}

// NewRand returns a Rand that yields values in turn.
func NewRand(values ...int) *Rand { return &Rand{values: values} }

// IntN returns the next value modulo n.
func (r *Rand) IntN(n int) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.values) == 0 {
		return 0
	}
	v := r.values[r.next%len(r.values)]
	r.next++
	return ((v % n) + n) % n
}

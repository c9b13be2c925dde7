package vkapi

import (
	"context"
	"testing"
	"time"

	"github.com/matryer/is"
)

// queued puts calls straight into c's queue, as submit does, without a
// dispatcher: take alone decides.
func queued(c *Client, calls ...*pending) {
	for _, p := range calls {
		c.queue.seq++
		p.seq, p.ctx, p.done = c.queue.seq, context.Background(), make(chan error, 1)
		c.queue.calls = append(c.queue.calls, p)
	}
}

func names(batch []*pending) []string {
	var out []string
	for _, p := range batch {
		out = append(out, p.method)
	}
	return out
}

func TestTakeOrdersByHeadStartAndKeepsEachChatsOrder(t *testing.T) {
	is := is.New(t)
	now := time.Now()
	c := &Client{}
	queued(c,
		&pending{method: "old info", prio: Info, peer: "1", at: now.Add(-3 * time.Second)},      // due -1 s
		&pending{method: "new urgent", prio: Urgent, peer: "2", at: now},                        // due 0
		&pending{method: "phase", prio: Phase, peer: "3", at: now.Add(-100 * time.Millisecond)}, // due +0.4 s
		&pending{method: "fresh info", prio: Info, peer: "4", at: now},                          // due +2 s
		&pending{method: "behind old info", prio: Urgent, peer: "1", at: now},                   // chat 1's second call
	)
	is.Equal(names(c.take()), []string{"old info", "new urgent", "behind old info", "phase", "fresh info"})
	// An info call that waited past its head start goes before newer urgent
	// calls (none starves); a chat's urgent call waits for the chat's earlier
	// one, then takes its place by its own due time (a tie goes to the call
	// that came first).
	is.Equal(len(c.queue.calls), 0) // all taken
}

func TestTakeSendsACallThatMustGoAloneAlone(t *testing.T) {
	is := is.New(t)
	now := time.Now()
	c := &Client{}
	queued(c,
		&pending{method: "a", prio: Phase, peer: "1", at: now},
		&pending{method: "alone", prio: Phase, peer: "2", at: now.Add(time.Millisecond), alone: true},
		&pending{method: "c", prio: Phase, peer: "3", at: now.Add(2 * time.Millisecond)},
	)
	is.Equal(names(c.take()), []string{"a", "c"}) // the lone one waits for a request of its own
	is.Equal(names(c.take()), []string{"alone"})  // and has it
	is.Equal(len(c.take()), 0)
}

func TestTakeCarriesAtMostABatch(t *testing.T) {
	is := is.New(t)
	c := &Client{}
	for range MaxBatch + 3 {
		queued(c, &pending{method: "m", at: time.Now()})
	}
	is.Equal(len(c.take()), MaxBatch) // 25 in one execute
	is.Equal(len(c.take()), 3)        // the rest in the next
}

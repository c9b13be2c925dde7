package vkapi

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

// MaxBatch is how many calls one execute request carries at most: VK's
// limit (VK.md §1.2).
const MaxBatch = 25

// Priority orders the calls waiting for VK's budget: when more are waiting
// than one request carries, the more urgent go first. Each class is a head
// start in time (see lead), not an absolute rank, so a waiting call of a
// lower class goes before urgent calls that came long enough after it:
// none starves.
type Priority int

const (
	// Urgent: someone is looking at a spinner — the answer to a button
	// press, a page of buttons; and what the intake needs to go on.
	Urgent Priority = iota
	// Phase: a message that opens a phase of a game, whose clock waits
	// for it (the default).
	Phase
	// Info: joins, /info, /rules, greetings: nobody's clock waits.
	Info
)

// lead is how much later than an urgent call a call of each class may
// come and still go first: calls go in the order of came + lead.
var lead = [...]time.Duration{Urgent: 0, Phase: 500 * time.Millisecond, Info: 2 * time.Second}

type priorityKey struct{}

// WithPriority returns ctx carrying the priority of the VK calls made
// with it. Without one a call is Phase.
func WithPriority(ctx context.Context, p Priority) context.Context {
	return context.WithValue(ctx, priorityKey{}, p)
}

func priorityOf(ctx context.Context) Priority {
	if p, ok := ctx.Value(priorityKey{}).(Priority); ok {
		return p
	}
	return Phase
}

// pending is one call waiting to go to VK, alone or in an execute.
type pending struct {
	ctx     context.Context
	method  string
	params  url.Values
	out     any
	sending func() error
	prio    Priority
	peer    string // calls of one chat leave in the order they came
	alone   bool   // goes in a request of its own (execute failed as a whole)
	seq     uint64
	at      time.Time
	done    chan error // buffered: the dispatcher never waits for a caller
}

// queue holds the calls waiting for VK. One dispatcher goroutine runs while
// any wait: it takes a place in the rate budget, then as many waiting calls
// as one request carries, and sends them — a lone call at once, several in
// one execute. So an idle bot answers without delay and a busy one sends
// up to MaxBatch calls per request.
type queue struct {
	mu      sync.Mutex
	calls   []*pending // in the order they came
	seq     uint64
	running bool
}

// submit queues p and waits for its result or for ctx.
func (c *Client) submit(ctx context.Context, p *pending) error {
	q := &c.queue
	q.mu.Lock()
	q.seq++
	p.seq, p.at, p.done = q.seq, time.Now(), make(chan error, 1)
	q.calls = append(q.calls, p)
	if !q.running {
		q.running = true
		go c.dispatch()
	}
	q.mu.Unlock()
	select {
	case err := <-p.done:
		return err
	case <-ctx.Done():
		return fmt.Errorf("vk %s: %w", p.method, ctx.Err()) // the dispatcher drops it if it has not left yet
	}
}

// requeue puts calls back at the head of the queue, in their order.
func (c *Client) requeue(calls []*pending) {
	q := &c.queue
	q.mu.Lock()
	q.calls = append(slices.Clone(calls), q.calls...)
	slices.SortStableFunc(q.calls, func(a, b *pending) int { return cmp.Compare(a.seq, b.seq) })
	if !q.running {
		q.running = true
		go c.dispatch()
	}
	q.mu.Unlock()
}

// Waiting is how many calls wait for VK's budget now.
func (c *Client) Waiting() int {
	c.queue.mu.Lock()
	defer c.queue.mu.Unlock()
	return len(c.queue.calls)
}

func (c *Client) dispatch() {
	ctx := context.Background()
	for {
		q := &c.queue
		q.mu.Lock()
		q.calls = slices.DeleteFunc(q.calls, func(p *pending) bool { return p.ctx.Err() != nil })
		if len(q.calls) == 0 {
			q.running = false
			q.mu.Unlock()
			return
		}
		q.mu.Unlock()
		_ = c.limiter.Wait(ctx)
		_ = c.budget.take(ctx)
		batch := c.take()
		if len(batch) == 0 {
			c.budget.release()
			continue
		}
		go c.send(ctx, batch)
	}
}

// take removes the next request's calls from the queue: the most urgent
// first (by came + lead; ties: the oldest), a chat's calls in their order — a call is taken
// only after every earlier call of its chat — and at most MaxBatch.
func (c *Client) take() []*pending {
	q := &c.queue
	q.mu.Lock()
	defer q.mu.Unlock()
	due := func(p *pending) time.Time { return p.at.Add(lead[min(max(p.prio, Urgent), Info)]) }
	// Each chat's head is its first waiting call; the others wait behind it.
	heads, behind := []*pending{}, map[string][]*pending{}
	for _, p := range q.calls {
		if p.ctx.Err() != nil {
			continue
		}
		if p.peer != "" {
			if _, seen := behind[p.peer]; seen {
				behind[p.peer] = append(behind[p.peer], p)
				continue
			}
			behind[p.peer] = nil
		}
		heads = append(heads, p)
	}
	better := func(a, b *pending) bool {
		if da, db := due(a), due(b); !da.Equal(db) {
			return da.Before(db)
		}
		return a.seq < b.seq
	}
	var batch []*pending
	taken := map[*pending]bool{}
	for len(batch) < MaxBatch && len(heads) > 0 {
		best := 0
		for i, h := range heads {
			if better(h, heads[best]) {
				best = i
			}
		}
		p := heads[best]
		if p.alone && len(batch) > 0 {
			heads = slices.Delete(heads, best, best+1) // it goes in a request of its own, next time
			continue
		}
		batch, taken[p] = append(batch, p), true
		heads = slices.Delete(heads, best, best+1)
		if p.alone {
			break
		}
		if next := behind[p.peer]; p.peer != "" && len(next) > 0 {
			heads, behind[p.peer] = append(heads, next[0]), next[1:]
		}
	}
	q.calls = slices.DeleteFunc(q.calls, func(p *pending) bool { return taken[p] || p.ctx.Err() != nil })
	return batch
}

// send makes one request of batch: the call itself when alone, else an
// execute. It holds the budget's place taken for it.
func (c *Client) send(ctx context.Context, batch []*pending) {
	batch = c.noteSending(batch)
	if len(batch) == 0 {
		c.budget.release() // nothing left: no request, no place in VK's second
		return
	}
	defer c.budget.give()
	if c.cfg.Requests != nil {
		c.cfg.Requests(len(batch))
	}
	if len(batch) == 1 {
		p := batch[0]
		began := time.Now()
		err := c.once(p.ctx, p.method, p.params, p.out)
		c.observe(p.method, err, time.Since(began))
		p.done <- err
		return
	}
	c.execute(ctx, batch)
}

// noteSending runs the calls' sending hooks, at once, right before their
// request leaves; a call whose hook fails does not go and gets its error.
func (c *Client) noteSending(batch []*pending) []*pending {
	var wg sync.WaitGroup
	failed := make([]error, len(batch))
	for i, p := range batch {
		if p.sending != nil {
			wg.Go(func() { failed[i] = p.sending() })
		}
	}
	wg.Wait()
	going := batch[:0:0]
	for i, p := range batch {
		if failed[i] != nil {
			p.done <- hookError{failed[i]}
			continue
		}
		going = append(going, p)
	}
	return going
}

// hookError is a failed sending hook: the call did not leave, and is not
// retried (the caller decides).
type hookError struct{ error }

func (h hookError) Unwrap() error { return h.error }

// execute sends batch as one execute request and hands each call its own
// result or error, as if it had gone alone. If execute itself fails to
// compile or run (12, 13) or its answer does not fit the batch, the calls go
// again one by one: nothing is lost, and random_id keeps a resend of a send
// that did run from showing twice. Any other failure of the request (HTTP,
// network, 5, 6, 10) is each call's failure, for its caller to retry.
func (c *Client) execute(ctx context.Context, batch []*pending) {
	began := time.Now()
	var env executeAnswer
	err := c.once(ctx, "execute", url.Values{"code": {script(batch)}}, &env)
	c.observe("execute", err, time.Since(began))
	if code := Code(err); code == 12 || code == 13 || (err == nil && len(env.Response) != len(batch)) {
		c.cfg.Log.Warn("execute failed as a whole; its calls go one by one", "calls", len(batch), "err", err,
			"results", len(env.Response))
		for _, p := range batch {
			p.alone = true
		}
		c.requeue(batch)
		return
	}
	if err != nil {
		for _, p := range batch {
			p.done <- err
		}
		return
	}
	failures := env.Errors
	for i, p := range batch {
		raw := env.Response[i]
		if !bytes.Equal(bytes.TrimSpace(raw), []byte("false")) {
			err := decodeInto(p.method, raw, p.out)
			c.observe(p.method, err, time.Since(began))
			p.done <- err
			continue
		}
		e := &Error{Code: 1, Message: "execute: the call failed without an error", Method: p.method}
		if len(failures) > 0 {
			f := failures[0]
			failures = failures[1:]
			e.Code, e.Message = f.Code, f.Msg
		}
		c.observe(p.method, e, time.Since(began))
		p.done <- e
	}
}

type executeAnswer struct {
	Response []json.RawMessage `json:"-"`
	Errors   []struct {
		Method string `json:"method"`
		Code   int    `json:"error_code"`
		Msg    string `json:"error_msg"`
	} `json:"-"`
}

// executeAnswer is decoded from the whole envelope: execute_errors sits
// next to response, outside it.
func (a *executeAnswer) fromEnvelope(response json.RawMessage, errs json.RawMessage) error {
	if err := json.Unmarshal(response, &a.Response); err != nil {
		return err
	}
	if len(errs) > 0 {
		return json.Unmarshal(errs, &a.Errors)
	}
	return nil
}

func decodeInto(method string, raw json.RawMessage, out any) error {
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return &decodeError{fmt.Errorf("vk %s: unexpected response: %w", method, err)}
	}
	return nil
}

func (c *Client) observe(method string, err error, d time.Duration) {
	if c.cfg.Observe == nil {
		return
	}
	code := Code(err)
	if err != nil && code == 0 {
		code = -1
	}
	c.cfg.Observe(method, code, d)
}

// script is the VKScript of an execute making batch's calls in order:
// return [API.a.b({"k":"v",...}), ...]; every value goes as a string, as
// in the direct call's form.
func script(batch []*pending) string {
	var b strings.Builder
	b.WriteString("return [")
	for i, p := range batch {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, "API.%s(", p.method)
		args := map[string]string{}
		for k, v := range p.params {
			args[k] = strings.Join(v, ",")
		}
		var js bytes.Buffer
		enc := json.NewEncoder(&js)
		enc.SetEscapeHTML(false)
		_ = enc.Encode(args) // a map of strings always encodes
		b.WriteString(strings.TrimSpace(js.String()))
		b.WriteString(")")
	}
	b.WriteString("];")
	return b.String()
}

// Package bustest holds what tests of the bus's ports need: an in-memory
// unit of work over chgktest.Memory, and the contract every implementation
// of bus.Units must pass (the Postgres adapter's included).
package bustest

import (
	"context"
	"slices"
	"sync"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/vkchgk/chgkbot/chgk"
	"github.com/vkchgk/chgkbot/chgk/chgktest"
)

// Published is a message a unit published, with its topic.
type Published struct {
	Topic   string
	Message *message.Message
}

// Memory is an in-memory bus.Units over a chgktest.Memory store: an inbox
// of seen event ids, one unit at a time per chat, and an outbox that keeps
// a unit's messages only if the unit succeeds. (The game state itself is
// the Memory store's, which does not roll back: the Postgres units do.)
type Memory struct {
	Store *chgktest.Memory

	locks sync.Map // chgk.PeerID → *sync.Mutex, held for a whole unit

	mu     sync.Mutex
	inbox  map[string]bool
	outbox []Published
}

// NewMemory returns units over store.
func NewMemory(store *chgktest.Memory) *Memory {
	return &Memory{Store: store, inbox: map[string]bool{}}
}

// InChat implements bus.Units.
func (m *Memory) InChat(ctx context.Context, peer chgk.PeerID, eventID string,
	f func(ctx context.Context, tx chgk.Stores, out message.Publisher) error) (bool, error) {
	l, _ := m.locks.LoadOrStore(peer, &sync.Mutex{})
	lock := l.(*sync.Mutex)
	lock.Lock()
	defer lock.Unlock()
	if err := ctx.Err(); err != nil {
		return false, err
	}
	m.mu.Lock()
	seen := m.inbox[eventID]
	m.mu.Unlock()
	if seen {
		return false, nil
	}
	out := &outbox{}
	if err := f(ctx, chgk.Stores{Games: m.Store, Questions: m.Store, Chats: m.Store}, out); err != nil {
		return false, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.inbox[eventID] = true
	m.outbox = append(m.outbox, out.msgs...)
	return true, nil
}

// Outbox returns every message committed units published, in order, and
// forgets them.
func (m *Memory) Outbox() []Published {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := slices.Clone(m.outbox)
	m.outbox = nil
	return out
}

// outbox collects one unit's messages until it commits.
type outbox struct{ msgs []Published }

func (o *outbox) Publish(topic string, msgs ...*message.Message) error {
	for _, msg := range msgs {
		o.msgs = append(o.msgs, Published{Topic: topic, Message: msg})
	}
	return nil
}

func (o *outbox) Close() error { return nil }

// Package bus joins the bot's stages with a message bus (Watermill): the
// long-poll intake publishes VK updates; the worker applies them to games
// and publishes what the chats must be told, in the same transaction as the
// games' new state; the announcer tells the chats; the sweeper fires due
// deadlines through the worker's path. Delivery is at least once; an
// inbox of processed update ids and VK's random_id make the effect exactly
// once.
package bus

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/vkchgk/chgkbot/chgk"
	"github.com/vkchgk/chgkbot/ports/vk"
)

// Shards is how many topics updates and events are spread over, by chat:
// one chat's messages stay in order on one topic, and chats on different
// topics never queue behind each other. The topics' tables come from the
// migrations: changing this number needs a migration.
const Shards = 4

// Topic names are persistent identifiers (their tables exist): never rename.
const (
	PoisonTopic = "chgk_poison"
	peerKey     = "peer"
	eventIDKey  = "event_id"
)

// UpdatesTopic is the topic of the VK updates and commands of peer.
func UpdatesTopic(peer chgk.PeerID) string { return "chgk_updates_" + strconv.Itoa(Shard(peer)) }

// EventsTopic is the topic of what peer must be told.
func EventsTopic(peer chgk.PeerID) string { return "chgk_events_" + strconv.Itoa(Shard(peer)) }

// Shard is the shard of peer.
func Shard(peer chgk.PeerID) int {
	s := int(peer % Shards)
	if s < 0 {
		s = -s
	}
	return s
}

// inbound is a message on an updates topic: a VK update, or the announcer's
// report that a phase's message was delivered.
type inbound struct {
	Kind      string        `json:"kind"` // "update" or "delivered"
	Update    *vk.Update    `json:"update,omitempty"`
	Delivered *deliveredMsg `json:"delivered,omitempty"`
}

type deliveredMsg struct {
	Peer  chgk.PeerID `json:"peer"`
	Phase chgk.Phase  `json:"phase"`
	Round int         `json:"round"`
	At    time.Time   `json:"at"`
}

// outbound is a message on an events topic: something to tell a chat.
type outbound struct {
	Kind     string          `json:"kind"` // event, answer, page, greet, private
	Peer     chgk.PeerID     `json:"peer"`
	Type     string          `json:"type,omitempty"`  // event: the chgk event's type
	Event    json.RawMessage `json:"event,omitempty"` // event: the chgk event
	Callback string          `json:"callback,omitempty"`
	User     chgk.UserID     `json:"user,omitempty"`
	Text     string          `json:"text,omitempty"`
	CMID     int64           `json:"cmid,omitempty"`
	Round    int             `json:"round,omitempty"`
	Page     int             `json:"page,omitempty"`
	Players  []chgk.Player   `json:"players,omitempty"`
}

// eventTypes names every chgk event on the wire. The names are persistent:
// a message written by one version is read by the next.
var eventTypes = map[string]reflect.Type{}

func init() {
	for _, e := range []chgk.Event{
		chgk.LobbyOpened{}, chgk.PlayerJoined{}, chgk.GameStarted{}, chgk.RoundStarted{}, chgk.AnswererAsked{},
		chgk.AnswererChosen{}, chgk.RoundJudged{}, chgk.GameEnded{}, chgk.GameResumed{}, chgk.StatusShown{},
		chgk.RulesShown{}, chgk.SettingsShown{}, chgk.Rejected{},
	} {
		t := reflect.TypeOf(e)
		eventTypes[t.Name()] = t
	}
}

func encodeEvent(peer chgk.PeerID, e chgk.Event) (outbound, error) {
	t := reflect.TypeOf(e)
	if eventTypes[t.Name()] != t {
		return outbound{}, fmt.Errorf("bus: event type %T is not registered", e)
	}
	b, err := json.Marshal(e)
	if err != nil {
		return outbound{}, fmt.Errorf("bus: encode %T: %w", e, err)
	}
	return outbound{Kind: "event", Peer: peer, Type: t.Name(), Event: b}, nil
}

func (o outbound) event() (chgk.Event, error) {
	t, ok := eventTypes[o.Type]
	if !ok {
		return nil, fmt.Errorf("bus: unknown event type %q", o.Type)
	}
	v := reflect.New(t)
	if err := json.Unmarshal(o.Event, v.Interface()); err != nil {
		return nil, fmt.Errorf("bus: decode %s: %w", o.Type, err)
	}
	return v.Elem().Interface().(chgk.Event), nil
}

// newMessage wraps v as a message with the peer (and inbox key) in its
// metadata.
func newMessage(peer chgk.PeerID, eventID string, v any) (*message.Message, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("bus: encode: %w", err)
	}
	m := message.NewMessage(watermill.NewUUID(), b)
	m.Metadata.Set(peerKey, strconv.FormatInt(int64(peer), 10))
	if eventID != "" {
		m.Metadata.Set(eventIDKey, eventID)
	}
	return m, nil
}

// publishOut publishes outs for peer on its events topic.
func publishOut(pub message.Publisher, peer chgk.PeerID, outs []outbound) error {
	if len(outs) == 0 {
		return nil
	}
	msgs := make([]*message.Message, 0, len(outs))
	for _, o := range outs {
		m, err := newMessage(peer, "", o)
		if err != nil {
			return err
		}
		msgs = append(msgs, m)
	}
	if err := pub.Publish(EventsTopic(peer), msgs...); err != nil {
		return fmt.Errorf("bus: publish to %s: %w", EventsTopic(peer), err)
	}
	return nil
}

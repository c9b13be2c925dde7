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
// topics never queue behind each other — each shard's handler works on its
// own, so Shards chats are served at once (the announcer needs many in
// flight to fill an execute). The topics' tables come from the migrations:
// changing this number needs a migration and a drain of the old shards
// (see LegacyShards).
const Shards = 16

// Topic and metadata names are persistent identifiers (the topics' tables
// exist, queued messages carry the keys): never rename.
const (
	PoisonTopic   = "chgk_poison"
	updatesPrefix = "chgk_updates_"
	eventsPrefix  = "chgk_events_"
	peerKey       = "peer"
	eventIDKey    = "event_id"
)

// UpdatesTopic is the topic of the VK updates and commands of peer.
func UpdatesTopic(peer chgk.PeerID) string { return updatesPrefix + strconv.Itoa(Shard(peer)) }

// EventsTopic is the topic of what peer must be told.
func EventsTopic(peer chgk.PeerID) string { return eventsPrefix + strconv.Itoa(Shard(peer)) }

// Shard is the shard of peer.
func Shard(peer chgk.PeerID) int {
	s := int(peer % Shards)
	if s < 0 {
		s = -s
	}
	return s
}

// Topics are the bus's updates and events topics, every shard.
func Topics() []string {
	var ts []string
	for shard := range Shards {
		k := strconv.Itoa(shard)
		ts = append(ts, updatesPrefix+k, eventsPrefix+k)
	}
	return ts
}

// The kinds of bus messages, the "kind" of every payload. They are
// persistent identifiers: a message written by one version is read by the
// next, so never rename one.
const (
	kindUpdate    = "update"    // updates topic: a VK update (updateMsg)
	kindDelivered = "delivered" // updates topic: a phase's message reached the chat (deliveredMsg)
	kindEvent     = "event"     // events topic: a chgk event to announce (eventMsg)
	kindAnswer    = "answer"    // events topic: the answer to a button press (answerMsg)
	kindPage      = "page"      // events topic: another page of the answerer buttons (pageMsg)
	kindGreet     = "greet"     // events topic: the bot was added to a chat (greetMsg)
	kindPrivate   = "private"   // events topic: a reply to a private message (privateMsg)
)

// wireMsg is one kind of bus message. Each is a struct whose JSON names
// are its wire format; kind names it on the wire.
type wireMsg interface{ kind() string }

// updateMsg carries a VK update from the intake to the worker.
type updateMsg struct {
	Update vk.Update `json:"update"`
}

// deliveredMsg is the announcer's report that the message opening a phase
// reached VK at At: the phase's clock runs from then (SPEC §2).
type deliveredMsg struct {
	Delivered delivery `json:"delivered"`
}

type delivery struct {
	Peer  chgk.PeerID `json:"peer"`
	Phase chgk.Phase  `json:"phase"`
	Round int         `json:"round"`
	At    time.Time   `json:"at"`
}

// eventMsg carries a chgk event to announce; Type names its Go type (see
// eventTypes), Event is its JSON.
type eventMsg struct {
	Peer  chgk.PeerID     `json:"peer"`
	Type  string          `json:"type"`
	Event json.RawMessage `json:"event"`
}

// answerMsg answers a button press: a snackbar with Reason (a
// chgk.RuleError's text), or "" to stop the spinner.
type answerMsg struct {
	Peer     chgk.PeerID `json:"peer"`
	Callback string      `json:"callback"`
	User     chgk.UserID `json:"user"`
	Reason   string      `json:"text,omitempty"` // "text" on the wire since the first version
}

// pageMsg shows another page of the answerer buttons on message CMID.
type pageMsg struct {
	Peer    chgk.PeerID   `json:"peer"`
	CMID    int64         `json:"cmid"`
	Round   int           `json:"round"`
	Page    int           `json:"page"`
	Players []chgk.Player `json:"players"`
}

// greetMsg welcomes a chat that added the bot.
type greetMsg struct {
	Peer chgk.PeerID `json:"peer"`
}

// privateMsg answers a private message; Key (the update's event id) keeps
// a redelivered update from replying twice.
type privateMsg struct {
	Peer chgk.PeerID `json:"peer"`
	User chgk.UserID `json:"user"`
	Key  string      `json:"text"` // "text" on the wire since the first version
}

func (updateMsg) kind() string    { return kindUpdate }
func (deliveredMsg) kind() string { return kindDelivered }
func (eventMsg) kind() string     { return kindEvent }
func (answerMsg) kind() string    { return kindAnswer }
func (pageMsg) kind() string      { return kindPage }
func (greetMsg) kind() string     { return kindGreet }
func (privateMsg) kind() string   { return kindPrivate }

// encode writes m as one flat JSON object with its kind first.
func encode(m wireMsg) ([]byte, error) {
	b, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("bus: encode %s: %w", m.kind(), err)
	}
	head := []byte(`{"kind":` + strconv.Quote(m.kind()))
	if len(b) > 2 {
		head = append(head, ',')
	}
	return append(head, b[1:]...), nil
}

// kindOf reads the kind of a payload.
func kindOf(payload []byte) (string, error) {
	var k struct {
		Kind string `json:"kind"`
	}
	if err := json.Unmarshal(payload, &k); err != nil {
		return "", fmt.Errorf("bus: unreadable message: %w", err)
	}
	return k.Kind, nil
}

// decode reads a payload of a known kind into its type.
func decode[T wireMsg](payload []byte) (T, error) {
	var m T
	if err := json.Unmarshal(payload, &m); err != nil {
		return m, fmt.Errorf("bus: decode %s: %w", m.kind(), err)
	}
	return m, nil
}

// eventTypes names every chgk event on the wire. The names are persistent:
// a message written by one version is read by the next.
var eventTypes = map[string]reflect.Type{}

func init() {
	for _, e := range []chgk.Event{
		chgk.LobbyOpened{}, chgk.PlayerJoined{}, chgk.GameStarted{}, chgk.RoundStarted{}, chgk.AnswererAsked{},
		chgk.AnswererChosen{}, chgk.RoundJudged{}, chgk.GameEnded{}, chgk.GameResumed{}, chgk.StatusShown{},
		chgk.RulesShown{}, chgk.SettingsShown{}, chgk.Rejected{}, chgk.LeaderboardShown{},
		chgk.DiscussionWarned{}, chgk.MinuteTaken{}, chgk.AppealFiled{}, chgk.AppealDecided{},
	} {
		t := reflect.TypeOf(e)
		eventTypes[t.Name()] = t
	}
}

// eventOf wraps a chgk event for the events topic.
func eventOf(peer chgk.PeerID, e chgk.Event) (eventMsg, error) {
	t := reflect.TypeOf(e)
	if eventTypes[t.Name()] != t {
		return eventMsg{}, fmt.Errorf("bus: event type %T is not registered", e)
	}
	b, err := json.Marshal(e)
	if err != nil {
		return eventMsg{}, fmt.Errorf("bus: encode %T: %w", e, err)
	}
	return eventMsg{Peer: peer, Type: t.Name(), Event: b}, nil
}

// event decodes the chgk event m carries.
func (m eventMsg) event() (chgk.Event, error) {
	t, ok := eventTypes[m.Type]
	if !ok {
		return nil, fmt.Errorf("bus: unknown event type %q", m.Type)
	}
	v := reflect.New(t)
	if err := json.Unmarshal(m.Event, v.Interface()); err != nil {
		return nil, fmt.Errorf("bus: decode %s: %w", m.Type, err)
	}
	return v.Elem().Interface().(chgk.Event), nil
}

// newMessage wraps m as a bus message with the peer (and inbox key) in its
// metadata.
func newMessage(peer chgk.PeerID, eventID string, m wireMsg) (*message.Message, error) {
	b, err := encode(m)
	if err != nil {
		return nil, err
	}
	msg := message.NewMessage(watermill.NewUUID(), b)
	msg.Metadata.Set(peerKey, strconv.FormatInt(int64(peer), 10))
	if eventID != "" {
		msg.Metadata.Set(eventIDKey, eventID)
	}
	return msg, nil
}

// eventMsgs wraps events for the events topic, in order.
func eventMsgs(peer chgk.PeerID, evs []chgk.Event) ([]wireMsg, error) {
	out := make([]wireMsg, 0, len(evs))
	for _, e := range evs {
		m, err := eventOf(peer, e)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

// publish is the one way anything is told to a chat: msgs go to peer's
// events topic through pub (an outbox bound to a unit's transaction, or a
// direct publisher), in order.
func publish(pub message.Publisher, peer chgk.PeerID, msgs []wireMsg) error {
	if len(msgs) == 0 {
		return nil
	}
	out := make([]*message.Message, 0, len(msgs))
	for _, m := range msgs {
		msg, err := newMessage(peer, "", m)
		if err != nil {
			return err
		}
		out = append(out, msg)
	}
	if err := pub.Publish(EventsTopic(peer), out...); err != nil {
		return fmt.Errorf("bus: publish to %s: %w", EventsTopic(peer), err)
	}
	return nil
}

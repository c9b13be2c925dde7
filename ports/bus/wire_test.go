package bus

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vkchgk/chgkbot/chgk/vkwire"

	"github.com/matryer/is"

	"github.com/vkchgk/chgkbot/chgk"
	ct "github.com/vkchgk/chgkbot/chgk/chgktest"
	"github.com/vkchgk/chgkbot/ports/vk"
)

// fill sets every settable field of v to a non-zero value, so a round trip
// that drops a field shows. It fills the fields of the first version first
// (skipping newFields), numbered as that version numbered them, so the
// samples still equal testdata/v1; then the new fields.
func fill(v reflect.Value, n *int) {
	fillOld(v, n)
	fillNew(v, n)
}

func fillNew(v reflect.Value, n *int) {
	switch v.Kind() {
	case reflect.Struct:
		if v.Type() == reflect.TypeOf(time.Time{}) {
			return
		}
		for i := range v.NumField() {
			if slices.Contains(newFields[v.Type()], v.Type().Field(i).Name) {
				fill(v.Field(i), n)
			} else {
				fillNew(v.Field(i), n)
			}
		}
	case reflect.Slice:
		for i := range v.Len() {
			fillNew(v.Index(i), n)
		}
	case reflect.Pointer:
		if !v.IsNil() {
			fillNew(v.Elem(), n)
		}
	}
}

func fillOld(v reflect.Value, n *int) {
	*n++
	switch v.Kind() {
	case reflect.Struct:
		if v.Type() == reflect.TypeOf(time.Time{}) {
			v.Set(reflect.ValueOf(ct.Epoch.Add(time.Duration(*n) * time.Second)))
			return
		}
		for i := range v.NumField() {
			if !slices.Contains(newFields[v.Type()], v.Type().Field(i).Name) {
				fillOld(v.Field(i), n)
			}
		}
	case reflect.String:
		v.SetString("s" + string(rune('a'+*n%26)))
	case reflect.Int, reflect.Int64:
		v.SetInt(int64(*n))
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Slice:
		s := reflect.MakeSlice(v.Type(), 2, 2)
		for i := range 2 {
			fillOld(s.Index(i), n)
		}
		v.Set(s)
	case reflect.Pointer:
		p := reflect.New(v.Type().Elem())
		fillOld(p.Elem(), n)
		v.Set(p)
	}
}

// filledEvent is an event of type typ with every field set (see fill); a
// RuleError is a string on the wire, so Rejected gets a real one.
func filledEvent(typ reflect.Type) chgk.Event {
	n := 0
	v := reflect.New(typ).Elem()
	fill(v, &n)
	e := v.Interface().(chgk.Event)
	if r, ok := e.(chgk.Rejected); ok {
		r.Reason = chgk.ErrNotCaptain
		e = r
	}
	return e
}

// samples is one message of every kind, with every field set: the values
// testdata/v1 holds as the first version encoded them.
func samples(t *testing.T) map[string]wireMsg {
	t.Helper()
	out := map[string]wireMsg{
		"answer":  answerMsg{Peer: ct.Chat(1), Callback: "cb-1", User: 7, Reason: string(chgk.ErrNotCaptain)},
		"page":    pageMsg{Peer: ct.Chat(1), CMID: 12, Round: 2, Page: 1, Players: []chgk.Player{{ID: 7, Name: "Анна"}, {ID: 8, Name: "Борис"}}},
		"greet":   greetMsg{Peer: ct.Chat(1)},
		"private": privateMsg{Peer: 7, User: 7, Key: "ev-1"},
		"update": updateMsg{Update: vk.Update{EventID: "ev-2", Kind: vk.KindCallback, Peer: ct.Chat(1), From: 7, Text: "x", CMID: 3, Callback: "cb-2",
			Action: vk.Action{Name: vkwire.ActPick, Round: 2, Answerer: 8, Page: 1, Setting: "s", Value: "v"}}},
		"delivered": deliveredMsg{Delivered: delivery{Peer: ct.Chat(1), Phase: chgk.PhaseDiscussion, Round: 2, At: ct.Epoch.Add(3 * time.Second)}},
	}
	for name, typ := range eventTypes {
		m, err := eventOf(ct.Chat(1), filledEvent(typ))
		if err != nil {
			t.Fatal(err)
		}
		out["event_"+name] = m
	}
	return out
}

// decodeAny reads a payload back into its kind's type, as the handlers do;
// an event message is compared by the event it carries.
func decodeAny(t *testing.T, b []byte) any {
	t.Helper()
	kind, err := kindOf(b)
	if err != nil {
		t.Fatal(err)
	}
	var v any
	switch kind {
	case kindEvent:
		m, err := decode[eventMsg](b)
		if err == nil {
			v, err = m.event()
		}
		if err != nil {
			t.Fatal(err)
		}
		return v
	case kindAnswer:
		v, err = decode[answerMsg](b)
	case kindPage:
		v, err = decode[pageMsg](b)
	case kindGreet:
		v, err = decode[greetMsg](b)
	case kindPrivate:
		v, err = decode[privateMsg](b)
	case kindUpdate:
		v, err = decode[updateMsg](b)
	case kindDelivered:
		v, err = decode[deliveredMsg](b)
	default:
		t.Fatalf("unknown kind %q", kind)
	}
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func want(t *testing.T, m wireMsg) any {
	if e, ok := m.(eventMsg); ok {
		ev, err := e.event()
		if err != nil {
			t.Fatal(err)
		}
		return ev
	}
	return m
}

var update = flag.Bool("update", false, "rewrite the golden files of testdata/wire")

// TestWireGolden pins the encoding of every message kind: a rename of a
// JSON name (here or in chgk's events) fails here instead of breaking the
// messages already queued in a database. Run with -update after a change
// that is meant to be compatible, and keep testdata/v1 as it is.
func TestWireGolden(t *testing.T) {
	for name, m := range samples(t) {
		t.Run(name, func(t *testing.T) {
			is := is.New(t)
			b, err := encode(m)
			is.NoErr(err)
			var pretty bytes.Buffer
			is.NoErr(json.Indent(&pretty, b, "", "  "))
			pretty.WriteByte('\n')
			path := filepath.Join("testdata", "wire", name+".json")
			if *update {
				is.NoErr(os.MkdirAll(filepath.Dir(path), 0o755))
				is.NoErr(os.WriteFile(path, pretty.Bytes(), 0o644))
			}
			golden, err := os.ReadFile(path)
			is.NoErr(err) // every kind has a golden file (go test -run TestWireGolden -update)
			if !bytes.Equal(golden, pretty.Bytes()) {
				t.Errorf("%s is encoded differently from %s:\n%s", name, path, pretty.Bytes())
			}
			is.True(reflect.DeepEqual(decodeAny(t, b), want(t, m))) // and reads back as it was
		})
	}
}

// TestFirstVersionMessagesDecode reads the messages the first version of
// the bus wrote (testdata/v1, captured from that code: Go field names in
// the events, one struct for every kind) with today's code: an outbox
// row that outlived a deploy is still announced as it was meant.
func TestFirstVersionMessagesDecode(t *testing.T) {
	all := samples(t)
	files, err := filepath.Glob(filepath.Join("testdata", "v1", "*.json"))
	if err != nil || len(files) != len(all)-len(sinceV1) {
		t.Fatalf("testdata/v1 has %d files, want one per kind of the first version (%d): %v", len(files), len(all)-len(sinceV1), err)
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".json")
		t.Run(name, func(t *testing.T) {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			m, ok := all[name]
			if !ok {
				t.Fatalf("no sample for %s", name)
			}
			if got, want := decodeAny(t, b), withoutNewFields(want(t, m)); !reflect.DeepEqual(got, want) {
				t.Errorf("%s decodes to\n%#v\nwant\n%#v", name, got, want)
			}
		})
	}
}

// sinceV1 are the kinds the first version did not have: nothing of it
// needs reading.
var sinceV1 = map[string]bool{"event_LeaderboardShown": true, "event_DiscussionWarned": true, "event_MinuteTaken": true, "event_AppealFiled": true, "event_AppealDecided": true}

// newFields are the fields added since the first version, by the type
// that holds them: a message of that version has them zero.
var newFields = map[reflect.Type][]string{
	reflect.TypeFor[chgk.RoundStarted]():     {"Players", "Sector", "Landed", "Target", "Minutes", "Answerer", "ByDefault"}, // the team (issue 12), the TV game (issue 14)
	reflect.TypeFor[chgk.LobbyOpened]():      {"Mode", "Target"},
	reflect.TypeFor[chgk.GameStarted]():      {"Mode", "Target"},
	reflect.TypeFor[chgk.AnswererAsked]():    {"Sector", "Landed", "Team", "Bot", "Target"},
	reflect.TypeFor[chgk.AnswererChosen]():   {"Sector"},
	reflect.TypeFor[chgk.RoundJudged]():      {"Sector", "Point", "MinuteEarned", "Minutes", "Target", "Game", "AppealUntil"},
	reflect.TypeFor[chgk.Round]():            {"Sector", "Early", "ExtraMinute", "MinuteEarned", "Appealed"},
	reflect.TypeFor[chgk.GameEnded]():        {"AppealUntil"},
	reflect.TypeFor[chgk.Status]():           {"Mode", "Target", "Sector", "Minutes"},
	reflect.TypeFor[chgk.Results]():          {"Mode", "Target"},
	reflect.TypeFor[chgk.Settings]():         {"Mode", "Target", "Appeal"},
	reflect.TypeFor[chgk.DiscussionWarned](): {"Minute"},
}

// withoutNewFields clears in a sample, wherever they are nested, the
// fields of newFields.
func withoutNewFields(m any) any {
	v := reflect.New(reflect.TypeOf(m)).Elem()
	v.Set(reflect.ValueOf(m))
	clearNew(v)
	return v.Interface()
}

func clearNew(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			c := reflect.New(v.Type().Elem())
			c.Elem().Set(v.Elem())
			clearNew(c.Elem())
			v.Set(c)
		}
	case reflect.Slice:
		if !v.IsNil() {
			c := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
			reflect.Copy(c, v)
			for i := range c.Len() {
				clearNew(c.Index(i))
			}
			v.Set(c)
		}
	case reflect.Struct:
		for _, name := range newFields[v.Type()] {
			f := v.FieldByName(name)
			f.Set(reflect.Zero(f.Type()))
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				clearNew(v.Field(i))
			}
		}
	}
}

func TestEveryEventIsRegistered(t *testing.T) {
	is := is.New(t)
	is.Equal(len(eventTypes), 18) // every chgk event is registered
}

func TestShards(t *testing.T) {
	is := is.New(t)
	seen := map[string]bool{}
	for i := range 100 {
		p := ct.Chat(i)
		is.Equal(UpdatesTopic(p)[len("chgk_updates_"):], EventsTopic(p)[len("chgk_events_"):]) // a chat's two topics share its shard
		seen[UpdatesTopic(p)] = true
	}
	is.Equal(len(seen), Shards)         // chats spread over every shard
	is.Equal(Shard(chgk.PeerID(-7)), 7) // never a negative shard
	for i := range 100 {
		p := ct.Chat(i)
		legacy, moved := legacyOf(UpdatesTopic(p))
		if Shard(p) < LegacyShards {
			is.True(!moved) // a chat of shards 0..3 kept its topic
			continue
		}
		is.True(moved)
		is.Equal(legacy, updatesPrefix+strconv.Itoa(int(p%LegacyShards))) // the others came from peer % 4, the old shard
	}
}

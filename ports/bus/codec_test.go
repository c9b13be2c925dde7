package bus

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/matryer/is"

	"github.com/vkchgk/chgkbot/chgk"
	ct "github.com/vkchgk/chgkbot/chgk/chgktest"
)

// fill sets every settable field of v to a non-zero value, so a round trip
// that drops a field shows.
func fill(v reflect.Value, n *int) {
	*n++
	switch v.Kind() {
	case reflect.Struct:
		if v.Type() == reflect.TypeOf(time.Time{}) {
			v.Set(reflect.ValueOf(ct.Epoch.Add(time.Duration(*n) * time.Second)))
			return
		}
		for i := range v.NumField() {
			fill(v.Field(i), n)
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
			fill(s.Index(i), n)
		}
		v.Set(s)
	case reflect.Pointer:
		p := reflect.New(v.Type().Elem())
		fill(p.Elem(), n)
		v.Set(p)
	}
}

func TestEveryEventSurvivesTheWire(t *testing.T) {
	is := is.New(t)
	is.Equal(len(eventTypes), 13) // every chgk event is registered
	for name, typ := range eventTypes {
		n := 0
		v := reflect.New(typ).Elem()
		fill(v, &n)
		e := v.Interface().(chgk.Event)
		if r, ok := e.(chgk.Rejected); ok {
			r.Reason = chgk.ErrNotCaptain // a RuleError is a string on the wire
			e = r
		}
		out, err := encodeEvent(ct.Chat(1), e)
		is.NoErr(err)
		b, err := json.Marshal(out)
		is.NoErr(err)
		var back outbound
		is.NoErr(json.Unmarshal(b, &back))
		got, err := back.event()
		is.NoErr(err)
		if !reflect.DeepEqual(got, e) {
			t.Errorf("%s changed on the wire:\n got %#v\nwant %#v", name, got, e)
		}
	}
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
	is.Equal(Shard(chgk.PeerID(-7)), 3) // never a negative shard
}

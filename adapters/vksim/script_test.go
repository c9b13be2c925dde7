package vksim

import (
	"strings"
	"testing"

	"github.com/matryer/is"
)

func TestFormValues(t *testing.T) {
	is := is.New(t)
	calls, err := parseVKScript(`return [API.users.get({user_ids: [1, 2, 3], flag: true, off: false, n: -1.5,
		kb: {"inline": true, "buttons": []}})];`)
	is.NoErr(err)
	p := calls[0].params
	is.Equal(calls[0].method, "users.get")
	is.Equal(p.Get("user_ids"), "1,2,3") // an array of scalars is a comma list
	is.Equal(p.Get("flag"), "1")         // booleans are 1/0
	is.Equal(p.Get("off"), "0")
	is.Equal(p.Get("n"), "-1.5")
	is.Equal(p.Get("kb"), `{"buttons":[],"inline":true}`) // a nested object is its JSON text
}

func FuzzParseVKScript(f *testing.F) {
	f.Add(`return [API.messages.send({"peer_ids":"1","message":"x"})];`)
	f.Add(`var r = []; r.push(API.a.b({k: 'v'})); return r;`)
	f.Add(`return [API.a.b({k: [1, {"x": "\u0041"}]})];`)
	f.Fuzz(func(t *testing.T, code string) {
		calls, err := parseVKScript(code)
		if err == nil {
			for _, c := range calls {
				if !strings.Contains(c.method, ".") {
					t.Fatalf("method %q without a section", c.method)
				}
			}
		}
	})
}

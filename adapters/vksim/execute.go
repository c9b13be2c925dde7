package vksim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxExecuteCalls is how many API calls one execute may make (VK.md §1.2).
const MaxExecuteCalls = 25

// execCall is one API call of an execute's code.
type execCall struct {
	method string
	params url.Values
}

// execute runs the calls of an execute request one after the other, each
// exactly as the direct call would run (faults injected for its method
// included), and answers their results in order: false in the slot of a
// failed call, with its error in execute_errors. Code outside the subset
// of VK.md §1.2 is error 12; more than 25 calls, error 13.
func (s *Server) execute(w http.ResponseWriter, r *http.Request) {
	calls, err := parseVKScript(r.Form.Get("code"))
	if err != nil {
		vkError(w, "execute", 12, err.Error(), r)
		return
	}
	if len(calls) > MaxExecuteCalls {
		vkError(w, "execute", 13, fmt.Sprintf("too many API calls (%d, at most %d)", len(calls), MaxExecuteCalls), r)
		return
	}
	s.mu.Lock()
	s.executes++
	s.mu.Unlock()
	results := make([]json.RawMessage, len(calls))
	errs := []map[string]any{}
	for i, c := range calls {
		inner := httptest.NewRequestWithContext(r.Context(), http.MethodPost, "/method/"+c.method, nil)
		inner.Form = c.params
		rec := httptest.NewRecorder()
		if f := s.takeFault(c.method); f != nil {
			if f.code < 0 {
				f.code = 10 // an inner call has no HTTP status of its own
			}
			s.mu.Lock()
			s.calls++
			s.mu.Unlock()
			vkError(rec, c.method, f.code, f.detail, inner)
		} else {
			s.dispatch(rec, inner, c.method)
		}
		var env struct {
			Response json.RawMessage `json:"response"`
			Error    *struct {
				Code int    `json:"error_code"`
				Msg  string `json:"error_msg"`
			} `json:"error"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &env); err != nil || (env.Error == nil && env.Response == nil) {
			vkError(w, "execute", 13, "a call returned no result", r)
			return
		}
		if env.Error != nil {
			results[i] = json.RawMessage("false")
			errs = append(errs, map[string]any{"method": c.method, "error_code": env.Error.Code, "error_msg": env.Error.Msg})
			continue
		}
		results[i] = env.Response
	}
	answer := map[string]any{"response": results}
	if len(errs) > 0 {
		answer["execute_errors"] = errs
	}
	writeJSON(w, answer)
}

// parseVKScript reads the subset of VKScript a batching client sends:
//
//	return [API.a.b({...}), API.c.d({...})];
//	var r = []; r.push(API.a.b({...})); return r;
//
// Each argument is an object whose keys are bare or quoted and whose
// values are strings (double or single quotes, JSON escapes), numbers,
// true/false (sent as 1/0), arrays of scalars (a comma list) or nested
// objects and arrays (their JSON text, as a keyboard is sent).
func parseVKScript(code string) ([]execCall, error) {
	p := &scriptParser{src: code}
	var calls []execCall
	p.space()
	if p.word("var") {
		name := p.ident()
		if name == "" || !p.punct('=') || !p.punct('[') || !p.punct(']') || !p.punct(';') {
			return nil, p.fail("expected var <name> = [];")
		}
		for {
			p.space()
			save := p.pos
			if p.word("return") {
				if p.ident() != name {
					return nil, p.fail("expected return " + name)
				}
				break
			}
			p.pos = save
			if p.ident() != name || !p.punct('.') || p.ident() != "push" || !p.punct('(') {
				return nil, p.fail("expected " + name + ".push(API...)")
			}
			c, err := p.call()
			if err != nil {
				return nil, err
			}
			if !p.punct(')') || !p.punct(';') {
				return nil, p.fail("expected );")
			}
			calls = append(calls, c)
		}
	} else {
		if !p.word("return") || !p.punct('[') {
			return nil, p.fail("expected return [")
		}
		for !p.punct(']') {
			if len(calls) > 0 && !p.punct(',') {
				return nil, p.fail("expected , or ]")
			}
			c, err := p.call()
			if err != nil {
				return nil, err
			}
			calls = append(calls, c)
		}
	}
	p.punct(';')
	p.space()
	if p.pos != len(p.src) {
		return nil, p.fail("unexpected text after return")
	}
	return calls, nil
}

type scriptParser struct {
	src string
	pos int
}

func (p *scriptParser) fail(msg string) error {
	return fmt.Errorf("%s at character %d", msg, p.pos)
}

func (p *scriptParser) space() {
	for p.pos < len(p.src) {
		r, n := utf8.DecodeRuneInString(p.src[p.pos:])
		if !unicode.IsSpace(r) {
			return
		}
		p.pos += n
	}
}

// punct consumes the character c after any spaces.
func (p *scriptParser) punct(c byte) bool {
	p.space()
	if p.pos < len(p.src) && p.src[p.pos] == c {
		p.pos++
		return true
	}
	return false
}

// ident reads a name of letters, digits and underscores.
func (p *scriptParser) ident() string {
	p.space()
	start := p.pos
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		if c != '_' && (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') && (c < '0' || c > '9' || p.pos == start) {
			break
		}
		p.pos++
	}
	return p.src[start:p.pos]
}

// word consumes the keyword w.
func (p *scriptParser) word(w string) bool {
	save := p.pos
	if p.ident() == w {
		return true
	}
	p.pos = save
	return false
}

// call reads API.<section>.<method>(<object>?).
func (p *scriptParser) call() (execCall, error) {
	if p.ident() != "API" || !p.punct('.') {
		return execCall{}, p.fail("expected API.<section>.<method>")
	}
	section := p.ident()
	if section == "" || !p.punct('.') {
		return execCall{}, p.fail("expected API.<section>.<method>")
	}
	method := p.ident()
	if method == "" || !p.punct('(') {
		return execCall{}, p.fail("expected API.<section>.<method>(")
	}
	params := url.Values{}
	if !p.punct(')') {
		v, err := p.value()
		if err != nil {
			return execCall{}, err
		}
		obj, ok := v.(map[string]any)
		if !ok {
			return execCall{}, p.fail("the argument of a call must be an object")
		}
		for k, v := range obj {
			params.Set(k, formValue(v))
		}
		if !p.punct(')') {
			return execCall{}, p.fail("expected )")
		}
	}
	return execCall{method: section + "." + method, params: params}, nil
}

// value reads a string, number, true/false, array or object.
func (p *scriptParser) value() (any, error) {
	p.space()
	if p.pos >= len(p.src) {
		return nil, p.fail("unexpected end of code")
	}
	switch c := p.src[p.pos]; {
	case c == '"' || c == '\'':
		return p.str()
	case c == '{':
		p.pos++
		obj := map[string]any{}
		for !p.punct('}') {
			if len(obj) > 0 && !p.punct(',') {
				return nil, p.fail("expected , or }")
			}
			p.space()
			var key string
			if p.pos < len(p.src) && (p.src[p.pos] == '"' || p.src[p.pos] == '\'') {
				k, err := p.str()
				if err != nil {
					return nil, err
				}
				key = k
			} else if key = p.ident(); key == "" {
				return nil, p.fail("expected a key")
			}
			if !p.punct(':') {
				return nil, p.fail("expected :")
			}
			v, err := p.value()
			if err != nil {
				return nil, err
			}
			obj[key] = v
		}
		return obj, nil
	case c == '[':
		p.pos++
		arr := []any{}
		for !p.punct(']') {
			if len(arr) > 0 && !p.punct(',') {
				return nil, p.fail("expected , or ]")
			}
			v, err := p.value()
			if err != nil {
				return nil, err
			}
			arr = append(arr, v)
		}
		return arr, nil
	case c == '-' || (c >= '0' && c <= '9'):
		start := p.pos
		p.pos++
		for p.pos < len(p.src) && strings.IndexByte("0123456789.eE+-", p.src[p.pos]) >= 0 {
			p.pos++
		}
		num := p.src[start:p.pos]
		if _, err := strconv.ParseFloat(num, 64); err != nil {
			return nil, p.fail("bad number " + strconv.Quote(num))
		}
		return json.Number(num), nil
	}
	switch {
	case p.word("true"):
		return true, nil
	case p.word("false"):
		return false, nil
	}
	return nil, p.fail("unexpected character")
}

// str reads a quoted string with JSON escapes; single quotes are allowed.
func (p *scriptParser) str() (string, error) {
	quote := p.src[p.pos]
	var b strings.Builder
	b.WriteByte('"')
	for i := p.pos + 1; i < len(p.src); i++ {
		c := p.src[i]
		switch {
		case c == '\\' && i+1 < len(p.src):
			if p.src[i+1] == '\'' {
				b.WriteByte('\'')
			} else {
				b.WriteByte(c)
				b.WriteByte(p.src[i+1])
			}
			i++
		case c == quote:
			b.WriteByte('"')
			var s string
			if err := json.Unmarshal([]byte(b.String()), &s); err != nil {
				return "", p.fail("bad string")
			}
			p.pos = i + 1
			return s, nil
		case c == '"':
			b.WriteString(`\"`)
		default:
			b.WriteByte(c)
		}
	}
	return "", p.fail("unterminated string")
}

// formValue is a parsed argument as the direct call's form would carry it.
func formValue(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case json.Number:
		return v.String()
	case bool:
		if v {
			return "1"
		}
		return "0"
	case []any:
		parts := make([]string, len(v))
		for i, e := range v {
			switch e.(type) {
			case map[string]any, []any:
				return jsonText(v)
			}
			parts[i] = formValue(e)
		}
		return strings.Join(parts, ",")
	}
	return jsonText(v)
}

func jsonText(v any) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
	return strings.TrimSpace(b.String())
}

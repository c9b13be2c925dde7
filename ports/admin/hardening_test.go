package admin_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/matryer/is"

	"github.com/vkchgk/chgkbot/chgk"
	ct "github.com/vkchgk/chgkbot/chgk/chgktest"
	"github.com/vkchgk/chgkbot/ports/admin"
)

// TestParallelGuessesMeetTheLimit: thirty wrong passwords sent at once,
// with real requests against a real server and database, are checked at
// most as often as the limit allows; the rest are refused before bcrypt.
func TestParallelGuessesMeetTheLimit(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	mux := http.NewServeMux()
	admin.New(mux, e.store.config(admin.Config{Log: e.log()}))
	srv := httptest.NewServer(admin.WithRemoteAddr(mux))
	defer srv.Close()
	codes := atOnce(30, func() int {
		resp, err := http.Post(srv.URL+"/auth/login", "application/json",
			strings.NewReader(fmt.Sprintf(`{"email": %q, "password": "guess"}`, email)))
		if err != nil {
			t.Error(err)
			return 0
		}
		resp.Body.Close()
		return resp.StatusCode
	})
	is := is.New(t)
	t.Logf("30 parallel guesses: %v", codes)
	is.True(codes[http.StatusUnauthorized] <= admin.DefaultLimits.Pair)                       // at most the limit were checked
	is.Equal(codes[http.StatusUnauthorized]+codes[http.StatusTooManyRequests], 30)            // the rest refused
	is.True(strings.Count(e.logs.String(), "failed admin login") <= admin.DefaultLimits.Pair) // and logged as failures
}

// TestImportBounds: an import is held to 1 MiB, to 2,000 questions and to
// the field checks of POST /questions; a number the database cannot hold
// and duplicates are skipped and reported, never a 500.
func TestImportBounds(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	is := is.New(t)
	auth := e.auth()
	post := func(text string) (int, string) {
		resp := e.api.Post("/packs/import?name="+fmt.Sprint(time.Now().UnixNano()), auth, "Content-Type: text/plain", strings.NewReader(text))
		return resp.Code, resp.Body.String()
	}
	q := func(n int, text, answer string) string {
		return fmt.Sprintf("Вопрос %d:\n%s\n\nОтвет:\n%s\n\n", n, text, answer)
	}
	code, _ := post(q(1, strings.Repeat("длинный текст ", 80_000), "x")) // ~1.1 MiB
	is.Equal(code, http.StatusRequestEntityTooLarge)                     // a body over 1 MiB

	var many strings.Builder
	for i := 1; i <= 2001; i++ {
		many.WriteString(q(i, fmt.Sprintf("Вопрос номер %d?", i), "да"))
	}
	code, body := post(many.String())
	is.Equal(code, http.StatusUnprocessableEntity) // more than 2,000 questions
	is.True(strings.Contains(body, "at most 2000 questions"))

	seed := decode[struct{ Items []admin.Question }](t, e.api.Get("/questions?per_page=1", auth).Body).Items[0]
	text := q(1, "Обычный вопрос?", "Ответ") +
		q(2, strings.Repeat("я", 4001), "x") + // over POST /questions' 4,000 characters
		q(3, "Вопрос с длинным ответом?", strings.Repeat("б", 301)) +
		q(9999999999, "Номер вне диапазона?", "да") +
		q(5, "  обычный   ВОПРОС? ", "Ответ") + // the same as 1, case and spacing aside
		q(6, seed.Text, seed.Answer) // one the bank has
	code, body = post(text)
	is.Equal(code, http.StatusCreated) // the good one is imported
	rep := decode[admin.ImportReport](t, bytes.NewBufferString(body))
	is.Equal(rep.Created, 1)
	reasons := map[int]string{}
	for _, s := range rep.Skipped {
		reasons[s.Number] = s.Reason
	}
	t.Logf("skipped: %v", reasons)
	is.True(strings.Contains(reasons[2], "at most 4000 characters")) // the field checks of POST /questions
	is.True(strings.Contains(reasons[3], "at most 300 characters"))
	is.True(strings.Contains(reasons[9999999999], "out of range")) // no int4 overflow
	is.True(strings.Contains(reasons[5], "duplicate"))             // said, not stored twice
	is.True(strings.Contains(reasons[6], "the bank has"))

	code, _ = post(q(1, "Вопрос\x00с NUL?", "да"))
	is.Equal(code, http.StatusUnprocessableEntity) // NUL refused, not stripped
}

// TestNo500sFromBadInput: the three inputs that gave 500s give 4xx.
func TestNo500sFromBadInput(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	is := is.New(t)
	auth := e.auth()
	for _, path := range []string{"/chats?page=9223372036854775807", "/questions?page=9223372036854775807", "/games?page=9223372036854775807",
		"/chats?page=100001"} {
		is.Equal(e.api.Get(path, auth).Code, http.StatusUnprocessableEntity) // a page past the bound is refused by name
	}
	is.Equal(e.api.Get("/questions?page=100000", auth).Code, http.StatusOK) // the last page allowed is empty, not page 1
	packs := decode[[]admin.Pack](t, e.api.Get("/packs", auth).Body)
	resp := e.api.Post("/questions", auth, map[string]any{"pack_id": packs[0].ID, "text": strings.Repeat("я", 300_000), "answer": "x"})
	is.Equal(resp.Code, http.StatusUnprocessableEntity)          // a question of 600 kB: the field limit, not the tsvector's 500
	is.True(resp.Body.Len() < 4096)                              // and the bad value is not echoed whole
	is.True(strings.Contains(resp.Body.String(), "characters)")) // but cut, saying how long it was
	resp = e.api.Post("/questions", auth, map[string]any{"pack_id": packs[0].ID, "text": "Вопрос\u0000?", "answer": "x"})
	is.Equal(resp.Code, http.StatusUnprocessableEntity) // NUL in JSON refused
	is.True(strings.Contains(resp.Body.String(), "NUL"))
}

// TestSettingsChangesMerge: two admins changing different settings of one
// chat at once both keep their change, every time.
func TestSettingsChangesMerge(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	is := is.New(t)
	auth := e.auth()
	peer := ct.Chat(3)
	e.play(peer, "не знаю") // the chat exists
	for i := range 10 {
		var wg sync.WaitGroup
		for _, body := range []map[string]any{{"rounds": 3 + i%5}, {"lobby_seconds": 40 + i}} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if code := e.api.Patch(fmt.Sprintf("/chats/%d/settings", peer), auth, body).Code; code != http.StatusOK {
					t.Errorf("patch %v: %d", body, code)
				}
			}()
		}
		wg.Wait()
		s, err := e.store.chats.Settings(context.Background(), peer)
		is.NoErr(err)
		is.Equal(s.Rounds, 3+i%5)                          // the one change…
		is.Equal(s.Lobby, time.Duration(40+i)*time.Second) // …and the other
	}
}

// TestStopByGameID: six admins stopping one game at once stop it once; the
// others are told 409; a stop for a game that ended never stops the next.
func TestStopByGameID(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	is := is.New(t)
	auth := e.auth()
	ctx := context.Background()
	peer := ct.Chat(4)
	_, err := e.host.Handle(ctx, peer, chgk.Start{By: ct.Anna})
	is.NoErr(err)
	games := decode[struct{ Items []admin.Game }](t, e.api.Get(fmt.Sprintf("/games?peer_id=%d", peer), auth).Body).Items
	is.Equal(len(games), 1)
	first := games[0].ID
	codes := atOnce(6, func() int { return e.api.Post(fmt.Sprintf("/games/%d/stop", first), auth).Code })
	is.Equal(codes[http.StatusOK], 1)       // stopped once
	is.Equal(codes[http.StatusConflict], 5) // the others told so
	detail := decode[admin.GameDetail](t, e.api.Get(fmt.Sprintf("/games/%d", first), auth).Body)
	is.True(detail.StoppedBy != nil && detail.StoppedBy.Name == "администратор") // the admin's name survives a reload

	_, err = e.host.Handle(ctx, peer, chgk.Start{By: ct.Anna}) // the chat's next game
	is.NoErr(err)
	is.NoErr(e.store.chats.SaveSettings(ctx, peer, ct.FastSettings()))
	evs, err := e.host.Handle(ctx, peer, chgk.Stop{By: chgk.Player{Name: "администратор"}, Game: first}) // a late stop of the first
	is.NoErr(err)
	rej, ok := evs[0].(chgk.Rejected)
	is.True(ok && rej.Reason == chgk.ErrNoGame)                           // refused: the next game goes on
	is.True(strings.Contains(e.logs.String(), "operation=\"stop game\"")) // the audit log names the operation
	is.True(strings.Contains(e.logs.String(), fmt.Sprintf("game_id=%d", first)))
}

// TestProtectiveHeadersAndBearerCase: answers are not cached and not
// sniffed; the bearer scheme is case-insensitive (RFC 7235).
func TestProtectiveHeadersAndBearerCase(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	is := is.New(t)
	resp := e.api.Post("/auth/login", map[string]string{"email": email, "password": password})
	is.Equal(resp.Header().Get("Cache-Control"), "no-store") // a token is never cached
	is.Equal(resp.Header().Get("X-Content-Type-Options"), "nosniff")
	token := e.login()
	for _, scheme := range []string{"Bearer", "bearer", "BEARER"} {
		r := e.api.Get("/packs", "Authorization: "+scheme+" "+token)
		is.Equal(r.Code, http.StatusOK) // any case of the scheme
		is.Equal(r.Header().Get("Cache-Control"), "no-store")
	}
	is.Equal(e.api.Get("/packs", "Authorization: Basic "+token).Code, http.StatusUnauthorized) // another scheme is not a bearer
}

// TestWritesAreAudited: every write logs who did what to what.
func TestWritesAreAudited(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	is := is.New(t)
	auth := e.auth()
	p := decode[admin.Pack](t, e.api.Post("/packs", auth, map[string]string{"name": "Аудит"}).Body)
	q := decode[admin.Question](t, e.api.Post("/questions", auth, map[string]any{"pack_id": p.ID, "text": "Вопрос?", "answer": "да"}).Body)
	e.api.Patch(fmt.Sprintf("/questions/%d", q.ID), auth, map[string]any{"answer": "нет"})
	e.api.Delete(fmt.Sprintf("/questions/%d", q.ID), auth)
	e.api.Delete(fmt.Sprintf("/packs/%d", p.ID), auth)
	logs := e.logs.String()
	for _, op := range []string{"create pack", "create question", "update question", "delete question", "delete pack"} {
		is.True(strings.Contains(logs, `msg="admin write" admin_id=`) && strings.Contains(logs, `operation="`+op+`"`)) // each write, with its admin
	}
	is.True(strings.Contains(logs, fmt.Sprintf("question_id=%d", q.ID))) // and its target
}

// atOnce runs request n times at once and counts the status codes it returns.
func atOnce(n int, request func() int) map[int]int {
	codes := map[int]int{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := request()
			mu.Lock()
			codes[c]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	return codes
}

package admin_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/humatest"
	"github.com/matryer/is"
	"github.com/uptrace/bun"

	"github.com/vkchgk/chgkbot/adapters/postgres"
	"github.com/vkchgk/chgkbot/adapters/postgres/pgtest"
	"github.com/vkchgk/chgkbot/chgk"
	ct "github.com/vkchgk/chgkbot/chgk/chgktest"
	"github.com/vkchgk/chgkbot/ports/admin"
)

const (
	email    = "admin@example.org"
	password = "correct horse battery"
)

// env is the admin API over a fresh database, as production builds it.
type env struct {
	t     *testing.T
	api   humatest.TestAPI
	raw   huma.API
	db    *bun.DB
	store stores
	host  *chgk.Host
	token string
	now   time.Time
	mu    sync.Mutex
	stops []chgk.PeerID
	logs  syncBuffer // what the API logged
	mux   *http.ServeMux
}

// syncBuffer is a bytes.Buffer safe for a logger and a test at once.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func newEnv(t *testing.T) *env {
	t.Helper()
	db := pgtest.New(t)
	e := &env{t: t, db: db, store: newStores(db), now: time.Now()}
	oneRound := ct.FastSettings()
	oneRound.Rounds = 1
	e.host = &chgk.Host{Games: e.store.games, Questions: e.store.questions, Chats: e.store.chats, Clock: ct.NewClock(ct.Epoch), Rand: ct.NewRand(),
		Defaults: oneRound}
	if _, err := admin.EnsureFirstAdmin(context.Background(), e.store.accounts, email, password); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("API logs:\n%s", e.logs.String())
		}
	})
	mux := http.NewServeMux()
	e.raw = admin.New(mux, e.store.config(admin.Config{Defaults: ct.FastSettings(), Log: e.log(),
		Now: func() time.Time { e.mu.Lock(); defer e.mu.Unlock(); return e.now },
		Stopper: stopFunc(func(ctx context.Context, peer chgk.PeerID, game int64) error {
			e.mu.Lock()
			e.stops = append(e.stops, peer)
			e.mu.Unlock()
			_, err := e.unit(ctx, peer, chgk.Stop{By: chgk.Player{Name: "администратор"}, Game: game})
			return err
		}),
		Decider: deciderFunc(func(ctx context.Context, peer chgk.PeerID, d chgk.DecideAppeal) error {
			_, err := e.unit(ctx, peer, d)
			return err
		})}))
	e.mux = mux
	e.api = humatest.Wrap(t, e.raw)
	return e
}

// log is a logger that writes to the env's log buffer.
func (e *env) log() *slog.Logger { return slog.New(slog.NewTextHandler(&e.logs, nil)) }

func (e *env) auth() string { return "Authorization: Bearer " + e.login() }

func (e *env) login() string {
	if e.token == "" {
		resp := e.api.Post("/auth/login", map[string]string{"email": email, "password": password})
		if resp.Code != http.StatusOK {
			e.t.Fatalf("login: %d %s", resp.Code, resp.Body)
		}
		var out struct{ Token string }
		_ = json.Unmarshal(resp.Body.Bytes(), &out)
		e.token = out.Token
	}
	return e.token
}

func decode[T any](t *testing.T, b *bytes.Buffer) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(b.Bytes(), &v); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
	return v
}

type problem struct {
	Status int
	Detail string
	Errors []struct {
		Location string
		Message  string
	}
}

// hasLocation reports whether a problem names the field.
func (p problem) hasLocation(loc string) bool {
	for _, e := range p.Errors {
		if e.Location == loc {
			return true
		}
	}
	return false
}

// play makes a finished one-round game in peer through the host.
func (e *env) play(peer chgk.PeerID, answer string) {
	ctx := context.Background()
	for _, cmd := range []chgk.Command{chgk.Start{By: ct.Anna}, chgk.Join{Player: ct.Boris}, chgk.Begin{By: ct.Anna},
		chgk.AnswerEarly{By: ct.Anna}, chgk.Choose{By: ct.Anna, Answerer: ct.Boris.ID}, chgk.Answer{By: ct.Boris, Text: answer}} {
		if _, err := e.host.Handle(ctx, peer, cmd); err != nil {
			e.t.Fatal(err)
		}
	}
}

func TestEveryOperationNeedsAuth(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	is := is.New(t)
	expired := "chgk_expired-token"
	h := sha256sum(expired)
	id, _, err := e.store.accounts.AdminByEmail(context.Background(), email)
	is.NoErr(err)
	is.NoErr(e.store.accounts.SaveToken(context.Background(), h, id, e.now.Add(-time.Minute)))
	ops := 0
	for path, item := range e.raw.OpenAPI().Paths {
		for method, op := range map[string]*huma.Operation{"GET": item.Get, "POST": item.Post, "PUT": item.Put, "PATCH": item.Patch, "DELETE": item.Delete} {
			if op == nil || op.OperationID == "login" {
				continue
			}
			ops++
			is.True(len(op.Security) > 0) // the document says it needs the bearer scheme
			url := strings.NewReplacer("{id}", "1", "{peer_id}", "2000000001").Replace(path)
			for name, header := range map[string][]any{
				"no token":      nil,
				"wrong token":   {"Authorization: Bearer chgk_not-a-token"},
				"expired token": {"Authorization: Bearer " + expired},
				"not bearer":    {"Authorization: Basic YWRtaW46YWRtaW4="},
			} {
				args := append(header, map[string]any{})
				resp := e.api.Do(method, url, args...)
				if resp.Code != http.StatusUnauthorized {
					t.Errorf("%s %s with %s: %d, want 401", method, path, name, resp.Code)
				}
			}
		}
	}
	is.True(ops >= 18) // every operation was walked
	is.Equal(e.raw.OpenAPI().Components.SecuritySchemes["bearer"].Scheme, "bearer")
}

func TestLoginLogoutAndLimits(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	is := is.New(t)
	resp := e.api.Post("/auth/login", map[string]string{"email": email, "password": "wrong"})
	is.Equal(resp.Code, http.StatusUnauthorized) // a wrong password
	resp = e.api.Post("/auth/login", map[string]string{"email": "nobody@example.org", "password": password})
	is.Equal(resp.Code, http.StatusUnauthorized)                              // an unknown account, told the same way
	is.True(!strings.Contains(resp.Body.String(), "not found"))               // without saying which
	is.Equal(e.api.Get("/packs", e.auth()).Code, http.StatusOK)               // a token works
	is.Equal(e.api.Post("/auth/logout", e.auth()).Code, http.StatusNoContent) // logout…
	is.Equal(e.api.Get("/packs", e.auth()).Code, http.StatusUnauthorized)     // …revokes it

	for range 5 {
		e.api.Post("/auth/login", map[string]string{"email": email, "password": "guess"})
	}
	resp = e.api.Post("/auth/login", map[string]string{"email": email, "password": password})
	is.Equal(resp.Code, http.StatusTooManyRequests) // five failures close the account for a while
	e.mu.Lock()
	e.now = e.now.Add(16 * time.Minute)
	e.mu.Unlock()
	resp = e.api.Post("/auth/login", map[string]string{"email": email, "password": password})
	is.Equal(resp.Code, http.StatusOK) // and it opens again

	e.mu.Lock()
	e.now = e.now.Add(25 * time.Hour)
	e.mu.Unlock()
	var tok struct{ Token string }
	_ = json.Unmarshal(resp.Body.Bytes(), &tok)
	is.Equal(e.api.Get("/packs", "Authorization: Bearer "+tok.Token).Code, http.StatusUnauthorized) // tokens expire
}

func TestFirstAdminOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t) // created ADMIN_EMAIL's admin
	is := is.New(t)
	hashed := false
	created, err := e.store.accounts.EnsureAdmin(context.Background(), "second@example.org", func() (string, error) {
		hashed = true
		return admin.HashPassword("another password")
	})
	is.NoErr(err)
	is.True(!created) // there is an admin already: nobody is created
	is.True(!hashed)  // and no start pays for bcrypt in vain
	_, err = admin.EnsureFirstAdmin(context.Background(), e.store.accounts, "x@example.org", "short")
	is.True(err != nil)                                             // a short password is refused
	is.True(strings.Contains(err.Error(), "at least 8 characters")) // saying why
	is.Equal(e.api.Post("/auth/login", map[string]string{"email": "second@example.org", "password": "another password"}).Code,
		http.StatusUnauthorized) // the second account does not exist
}

// TestLoginLimitsHoldAcrossReplicas runs two API servers over one
// database, as `--scale admin=2` would, behind a trusted proxy that names
// each client in X-Forwarded-For: failures counted by one close the login
// on the other; the tight limit is per account and address, so a guesser
// cannot lock the admin out from the admin's own address; an address that
// guesses many accounts is closed for all of them; and an account has a
// ceiling against a guesser with many addresses. Old failures are forgotten.
func TestLoginLimitsHoldAcrossReplicas(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	is := is.New(t)
	limits := admin.LoginLimits{Pair: 3, Address: 6, Account: 9}
	proxy := netip.MustParsePrefix("127.0.0.0/8")
	var replicas []string
	for range 2 {
		mux := http.NewServeMux()
		admin.New(mux, e.store.config(admin.Config{Log: slog.New(slog.DiscardHandler), Limits: limits,
			Now: func() time.Time { e.mu.Lock(); defer e.mu.Unlock(); return e.now }}))
		srv := httptest.NewServer(admin.WithRemoteAddr(mux, proxy))
		t.Cleanup(srv.Close)
		replicas = append(replicas, srv.URL)
	}
	n := 0
	login := func(from, who, pass string) int {
		t.Helper()
		n++
		body := fmt.Sprintf(`{"email": %q, "password": %q}`, who, pass)
		req, _ := http.NewRequest(http.MethodPost, replicas[n%2]+"/auth/login", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Forwarded-For", "203.0.113.77, "+from) // a forged first hop, then what the proxy saw
		resp, err := http.DefaultClient.Do(req)
		is.NoErr(err)
		resp.Body.Close()
		return resp.StatusCode
	}
	for range limits.Pair { // a guesser at the admin's account, from A, on both replicas
		is.Equal(login("198.51.100.1", email, "guess"), http.StatusUnauthorized)
	}
	is.Equal(login("198.51.100.1", email, password), http.StatusTooManyRequests) // A is closed for this account, on every replica
	is.Equal(login("198.51.100.2", email, password), http.StatusOK)              // the admin, from B, still logs in

	for i := range limits.Address { // C guesses many accounts
		is.Equal(login("198.51.100.3", fmt.Sprintf("guess%d@example.org", i), "guess"), http.StatusUnauthorized)
	}
	is.Equal(login("198.51.100.3", email, password), http.StatusTooManyRequests) // C is closed for every account

	for i := range limits.Account - limits.Pair { // many addresses, one guess each, at the admin's account
		is.Equal(login(fmt.Sprintf("198.51.100.%d", 10+i), email, "guess"), http.StatusUnauthorized)
	}
	is.Equal(login("198.51.100.99", email, password), http.StatusTooManyRequests) // the account's ceiling holds from anywhere

	e.mu.Lock()
	e.now = e.now.Add(16 * time.Minute)
	e.mu.Unlock()
	is.Equal(login("198.51.100.1", email, "wrong"), http.StatusUnauthorized) // open again, and a new failure…
	var rows int
	is.NoErr(e.db.NewRaw(`SELECT count(*) FROM login_failures`).Scan(context.Background(), &rows))
	is.Equal(rows, 3)                                               // …forgets the old ones (its own three keys stay)
	is.Equal(login("198.51.100.1", email, password), http.StatusOK) // one failure closes nothing
}

func TestQuestionsCRUD(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	is := is.New(t)
	auth := e.auth()
	packs := decode[[]admin.Pack](t, e.api.Get("/packs", auth).Body)
	is.True(len(packs) >= 4) // the seed packs
	body := map[string]any{"pack_id": packs[0].ID, "text": "Кто написал «Ревизора»?", "answer": "[Николай] Гоголь",
		"accepted": []string{"Гоголь-Яновский"}, "rejected": []string{"Гоголь-моголь"}, "comment": "Комедия 1836 года.",
		"source": "Энциклопедия", "author": "Тестер", "handout": ""}
	resp := e.api.Post("/questions", auth, body)
	is.Equal(resp.Code, http.StatusCreated) // created
	q := decode[admin.Question](t, resp.Body)
	is.Equal(q.Answer, "[Николай] Гоголь")
	is.Equal(q.Accepted, []string{"Гоголь-Яновский"})
	is.Equal(q.Pack, packs[0].Name)

	got := decode[admin.Question](t, e.api.Get(fmt.Sprintf("/questions/%d", q.ID), auth).Body)
	is.Equal(got.Text, q.Text) // read back

	body["answer"] = "Н. В. Гоголь"
	resp = e.api.Put(fmt.Sprintf("/questions/%d", q.ID), auth, body)
	is.Equal(resp.Code, http.StatusOK)
	is.Equal(decode[admin.Question](t, resp.Body).Answer, "Н. В. Гоголь") // replaced

	resp = e.api.Patch(fmt.Sprintf("/questions/%d", q.ID), auth, map[string]any{"comment": "Новый комментарий"})
	is.Equal(resp.Code, http.StatusOK)
	patched := decode[admin.Question](t, resp.Body)
	is.Equal(patched.Comment, "Новый комментарий") // one field changed
	is.Equal(patched.Answer, "Н. В. Гоголь")       // the rest kept

	list := decode[struct {
		Items []admin.Question
		Total int
	}](t, e.api.Get("/questions?q=Ревизор", auth).Body)
	is.Equal(list.Total, 1) // found by a word of its text
	is.Equal(list.Items[0].ID, q.ID)
	paged := decode[struct {
		Items []admin.Question
		Total int
	}](t, e.api.Get(fmt.Sprintf("/questions?pack_id=%d&per_page=5&page=2", packs[0].ID), auth).Body)
	is.Equal(len(paged.Items), 5)                                                             // a page of five
	is.Equal(paged.Total, packs[0].Questions+1)                                               // of the whole pack
	is.Equal(e.api.Get("/questions?per_page=101", auth).Code, http.StatusUnprocessableEntity) // per_page ≤ 100

	resp = e.api.Delete(fmt.Sprintf("/questions/%d", q.ID), auth)
	is.Equal(resp.Code, http.StatusOK)
	is.True(!decode[struct{ Soft bool }](t, resp.Body).Soft)                                // never played: gone for good
	is.Equal(e.api.Get(fmt.Sprintf("/questions/%d", q.ID), auth).Code, http.StatusNotFound) // gone
	is.Equal(e.api.Delete(fmt.Sprintf("/questions/%d", q.ID), auth).Code, http.StatusNotFound)
	is.Equal(e.api.Patch("/questions/999999", auth, map[string]any{"text": "x"}).Code, http.StatusNotFound)
	is.Equal(e.api.Put("/questions/999999", auth, body).Code, http.StatusNotFound)

	// A played question is deleted softly and stays in the game's results.
	e.play(ct.Chat(1), "не знаю")
	games := decode[struct{ Items []admin.Game }](t, e.api.Get("/games", auth).Body)
	detail := decode[admin.GameDetail](t, e.api.Get(fmt.Sprintf("/games/%d", games.Items[0].ID), auth).Body)
	played := detail.Rounds[0].Question.ID
	resp = e.api.Delete(fmt.Sprintf("/questions/%d", played), auth)
	is.True(decode[struct{ Soft bool }](t, resp.Body).Soft) // soft
	again := decode[admin.GameDetail](t, e.api.Get(fmt.Sprintf("/games/%d", games.Items[0].ID), auth).Body)
	is.Equal(again.Rounds[0].Question.Text, detail.Rounds[0].Question.Text) // the results still read it
	is.True(decode[admin.Question](t, e.api.Get(fmt.Sprintf("/questions/%d", played), auth).Body).Deleted)
}

func TestQuestionValidation(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	auth := e.auth()
	packs := decode[[]admin.Pack](t, e.api.Get("/packs", auth).Body)
	var before int
	_ = e.db.NewRaw(`SELECT count(*) FROM questions`).Scan(context.Background(), &before)
	good := func() map[string]any {
		return map[string]any{"pack_id": packs[0].ID, "text": "Вопрос?", "answer": "Ответ"}
	}
	with := func(k string, v any) map[string]any { b := good(); b[k] = v; return b }
	tests := []struct {
		name  string
		body  any
		code  int
		field string
	}{
		{"empty text", with("text", ""), 422, "body.text"},
		{"blank text", with("text", "   "), 422, "body.text"},
		{"empty answer", with("answer", ""), 422, "body.answer"},
		{"punctuation answer", with("answer", "?!"), 422, "body.answer"},
		{"empty alternative", with("accepted", []string{"Ок", " "}), 422, "body.accepted[1]"},
		{"repeated alternative", with("accepted", []string{"Ок", "ок."}), 422, "body.accepted[1]"},
		{"alternative also rejected", with("rejected", []string{"ответ"}), 422, "body.rejected"},
		{"over-long text", with("text", strings.Repeat("я", 4001)), 422, "body.text"},
		{"wrong type", with("pack_id", "first"), 422, "body.pack_id"},
		{"unknown field", with("colour", "red"), 422, "body.colour"},
		{"missing pack", with("pack_id", 999999), 404, ""},
		{"not JSON", "{", 400, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			is := is.New(t)
			resp := e.api.Post("/questions", auth, tt.body)
			is.Equal(resp.Code, tt.code) // refused with the right status
			p := decode[problem](t, resp.Body)
			if tt.field != "" && !p.hasLocation(tt.field) {
				t.Errorf("problem does not name %s: %s", tt.field, resp.Body)
			}
			is.True(!strings.Contains(strings.ToLower(resp.Body.String()), "sql")) // no internal text
		})
	}
	is := is.New(t)
	big := e.api.Post("/questions", auth, map[string]any{"pack_id": packs[0].ID, "text": strings.Repeat("я", 600_000), "answer": "x"})
	is.Equal(big.Code, http.StatusRequestEntityTooLarge) // a body over 1 MiB
	var after int
	_ = e.db.NewRaw(`SELECT count(*) FROM questions`).Scan(context.Background(), &after)
	is.Equal(after, before) // nothing was written
}

func TestPacksAndImport(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	is := is.New(t)
	auth := e.auth()
	resp := e.api.Post("/packs", auth, map[string]string{"name": "Новый пакет", "description": "для теста"})
	is.Equal(resp.Code, http.StatusCreated)
	p := decode[admin.Pack](t, resp.Body)
	is.Equal(e.api.Post("/packs", auth, map[string]string{"name": "новый пакет"}).Code, http.StatusConflict) // names are unique
	is.Equal(e.api.Post("/packs", auth, map[string]string{"name": " "}).Code, http.StatusUnprocessableEntity)
	is.Equal(e.api.Delete(fmt.Sprintf("/packs/%d", p.ID), auth).Code, http.StatusNoContent)
	is.Equal(e.api.Delete(fmt.Sprintf("/packs/%d", p.ID), auth).Code, http.StatusNotFound)

	sample, err := os.ReadFile("packtext/testdata/sample.txt")
	is.NoErr(err)
	resp = e.api.Post("/packs/import", auth, "Content-Type: text/plain", bytes.NewReader(sample))
	is.Equal(resp.Code, http.StatusCreated) // imported
	rep := decode[admin.ImportReport](t, resp.Body)
	is.Equal(rep.Created, 4)
	is.Equal(rep.Pack.Name, "Тестовый кубок chgkbot")
	is.Equal(rep.NeedsReview, []int{4})
	is.Equal(len(rep.Skipped), 2)
	is.Equal(rep.Skipped[0].Number, 3) // the picture question, with its reason
	qs := decode[struct{ Items []admin.Question }](t, e.api.Get(fmt.Sprintf("/questions?pack_id=%d", rep.Pack.ID), auth).Body).Items
	is.Equal(len(qs), 4)
	q1 := qs[0]
	is.Equal(q1.Number, 1)
	is.Equal(q1.Answer, "[Николай] Гоголь")
	is.Equal(q1.Accepted, []string{"Гоголь-Яновский", "Н. В. Гоголь"})
	is.Equal(q1.Rejected, []string{"Гоголь-моголь"})
	is.Equal(q1.Author, "Иван Петров")
	is.Equal(q1.Source, "Общеизвестные факты.")
	is.True(strings.HasPrefix(q1.Comment, "Второй том"))
	is.Equal(qs[1].Handout, "Ж, И, Р, Д, Б")
	is.True(qs[2].NeedsReview)

	var packsBefore, questionsBefore int
	db := e.db
	_ = db.NewRaw(`SELECT count(*) FROM packs`).Scan(context.Background(), &packsBefore)
	_ = db.NewRaw(`SELECT count(*) FROM questions`).Scan(context.Background(), &questionsBefore)
	for name, bad := range map[string]string{
		"not a pack":   "просто текст",
		"answer first": "Ответ:\nГоголь",
		"all skipped":  "Вопрос 1:\n(pic: 1.jpg)\n\nОтвет:\nкот",
		"same name":    string(sample),
	} {
		resp := e.api.Post("/packs/import", auth, "Content-Type: text/plain", strings.NewReader(bad))
		if resp.Code != http.StatusUnprocessableEntity && resp.Code != http.StatusConflict {
			t.Errorf("%s: %d %s", name, resp.Code, resp.Body)
		}
	}
	resp = e.api.Post("/packs/import", auth, "Content-Type: text/plain", strings.NewReader("Вопрос 1:\nТекст\n\nстрока без заголовка"))
	is.True(strings.Contains(resp.Body.String(), "line 4")) // the problem says the line
	var packsAfter, questionsAfter int
	_ = db.NewRaw(`SELECT count(*) FROM packs`).Scan(context.Background(), &packsAfter)
	_ = db.NewRaw(`SELECT count(*) FROM questions`).Scan(context.Background(), &questionsAfter)
	is.Equal(packsAfter, packsBefore)         // a bad import writes nothing
	is.Equal(questionsAfter, questionsBefore) // not even part of it
}

func TestChatsGamesStats(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	is := is.New(t)
	auth := e.auth()
	e.play(ct.Chat(1), "не знаю")
	e.play(ct.Chat(2), "не знаю")
	_, err := e.host.Handle(context.Background(), ct.Chat(2), chgk.Start{By: ct.Vera})
	is.NoErr(err) // a running game in chat 2

	chats := decode[struct {
		Items []admin.Chat
		Total int
	}](t, e.api.Get("/chats", auth).Body)
	is.Equal(chats.Total, 2)
	c2 := decode[admin.Chat](t, e.api.Get("/chats/2000000002", auth).Body)
	is.Equal(c2.Games, 2) // with its game count
	is.True(c2.Running)   // and the running game
	is.True(!c2.OwnSet)   // on the defaults
	is.Equal(e.api.Get("/chats/2000000099", auth).Code, http.StatusNotFound)

	resp := e.api.Patch("/chats/2000000002/settings", auth, map[string]any{"rounds": 8, "discussion_seconds": 90})
	is.Equal(resp.Code, http.StatusOK)
	set := decode[admin.Settings](t, resp.Body)
	is.Equal(set.Rounds, 8)
	is.Equal(set.DiscussionSeconds, 90.0)
	resp = e.api.Patch("/chats/2000000002/settings", auth, map[string]any{"discussion_seconds": 5, "rounds": 2.5})
	is.Equal(resp.Code, http.StatusUnprocessableEntity) // the chat command's bounds
	p := decode[problem](t, resp.Body)
	is.True(p.hasLocation("body.discussion_seconds") && p.hasLocation("body.rounds"))
	is.Equal(decode[admin.Chat](t, e.api.Get("/chats/2000000002", auth).Body).Settings.Rounds, 8) // unchanged by the refusal
	resp = e.api.Patch("/chats/2000000002/settings", auth, map[string]any{"mode": "tv", "target": 8})
	is.Equal(resp.Code, http.StatusOK) // the TV game, to 8
	set = decode[admin.Settings](t, resp.Body)
	is.Equal(set.Mode, "tv")
	is.Equal(set.Target, 8)
	for body, field := range map[string]string{`{"mode":"chess"}`: "body.mode", `{"target":12}`: "body.target", `{"target":6.5}`: "body.target"} {
		resp = e.api.Patch("/chats/2000000002/settings", auth, strings.NewReader(body))
		is.Equal(resp.Code, http.StatusUnprocessableEntity) // a bad mode or target
		is.True(decode[problem](t, resp.Body).hasLocation(field))
	}
	is.Equal(decode[admin.Chat](t, e.api.Get("/chats/2000000002", auth).Body).Settings.Mode, "tv") // unchanged by the refusals

	games := decode[struct {
		Items []admin.Game
		Total int
	}](t, e.api.Get("/games?status=finished", auth).Body)
	is.Equal(games.Total, 2) // filtered by status
	running := decode[struct{ Items []admin.Game }](t, e.api.Get("/games?status=running&peer_id=2000000002", auth).Body).Items
	is.Equal(len(running), 1)
	is.Equal(e.api.Get("/games?status=paused", auth).Code, http.StatusUnprocessableEntity)
	future := decode[struct{ Total int }](t, e.api.Get("/games?from=2100-01-01T00:00:00Z", auth).Body)
	is.Equal(future.Total, 0) // filtered by time

	d := decode[admin.GameDetail](t, e.api.Get(fmt.Sprintf("/games/%d", games.Items[0].ID), auth).Body)
	is.Equal(d.Bot, 1)
	is.Equal(d.Outcome, "bot")
	is.Equal(d.Captain.ID, int64(ct.Anna.ID))
	is.Equal(len(d.Players), 2)
	is.Equal(d.Rounds[0].Verdict, "wrong")
	is.Equal(e.api.Get("/games/999999", auth).Code, http.StatusNotFound)

	resp = e.api.Post(fmt.Sprintf("/games/%d/stop", running[0].ID), auth)
	is.Equal(resp.Code, http.StatusOK) // stopped
	is.Equal(decode[admin.GameDetail](t, resp.Body).Status, "stopped")
	is.Equal(e.stops, []chgk.PeerID{ct.Chat(2)}) // through the bot's own path
	is.Equal(e.api.Post(fmt.Sprintf("/games/%d/stop", running[0].ID), auth).Code, http.StatusConflict)
	is.Equal(e.api.Post("/games/999999/stop", auth).Code, http.StatusNotFound)

	ps := decode[[]admin.PlayerStats](t, e.api.Get("/stats/players?sort=answered", auth).Body)
	is.Equal(ps[0].Player.ID, int64(ct.Boris.ID)) // Boris answered both rounds
	is.Equal(ps[0].Answered, 2)
	is.Equal(e.api.Get("/stats/players?sort=luck", auth).Code, http.StatusUnprocessableEntity)
	cs := decode[[]admin.ChatStats](t, e.api.Get("/stats/chats", auth).Body)
	is.Equal(len(cs), 2)
	is.Equal(cs[0].Games, 2) // chat 2: one played, one stopped
	is.Equal(e.api.Get("/stats/chats?limit=0", auth).Code, http.StatusUnprocessableEntity)
}

func TestDocs(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	is := is.New(t)
	resp := e.api.Get("/openapi.json")
	is.Equal(resp.Code, http.StatusOK) // the OpenAPI document, without a token
	doc := resp.Body.String()
	is.True(strings.Contains(doc, `"openapi":"3.1`))
	is.True(strings.Contains(doc, `"bearer"`))
	is.Equal(e.api.Get("/docs").Code, http.StatusOK) // and the docs page
}

// stores are the Postgres stores the API runs on in these tests.
type stores struct {
	games     *postgres.Games
	questions *postgres.Questions
	packs     *postgres.Packs
	chats     *postgres.Chats
	stats     *postgres.Stats
	accounts  *postgres.Accounts
	appeals   *postgres.Appeals
	units     *postgres.Units
}

func newStores(db *bun.DB) stores {
	return stores{games: postgres.NewGames(db), questions: postgres.NewQuestions(db), packs: postgres.NewPacks(db),
		chats: postgres.NewChats(db), stats: postgres.NewStats(db), accounts: postgres.NewAccounts(db), appeals: postgres.NewAppeals(db),
		units: postgres.NewUnits(db)}
}

// config fills c's stores.
func (s stores) config(c admin.Config) admin.Config {
	c.Questions, c.Packs, c.Chats, c.Games, c.Stats, c.Accounts = s.questions, s.packs, s.chats, s.games, s.stats, s.accounts
	c.Appeals = s.appeals
	return c
}

// unit applies cmd in a unit of work, as the bus does; a refusal comes
// back as its rule, as from the bus's Strict.
func (e *env) unit(ctx context.Context, peer chgk.PeerID, cmd chgk.Command) ([]chgk.Event, error) {
	var evs []chgk.Event
	_, err := e.store.units.InChat(ctx, peer, fmt.Sprintf("test-%d", time.Now().UnixNano()), func(ctx context.Context, tx chgk.Stores, _ message.Publisher) error {
		var err error
		if evs, err = e.host.With(tx).Handle(ctx, peer, cmd); err != nil {
			return err
		}
		for _, ev := range evs {
			if r, ok := ev.(chgk.Rejected); ok {
				return r.Reason
			}
		}
		return nil
	})
	return evs, err
}

// deciderFunc is a Decider from a function.
type deciderFunc func(ctx context.Context, peer chgk.PeerID, d chgk.DecideAppeal) error

func (f deciderFunc) Decide(ctx context.Context, peer chgk.PeerID, d chgk.DecideAppeal) error {
	return f(ctx, peer, d)
}

// stopFunc is a Stopper from a function.
type stopFunc func(ctx context.Context, peer chgk.PeerID, game int64) error

func (f stopFunc) Stop(ctx context.Context, peer chgk.PeerID, game int64) error {
	return f(ctx, peer, game)
}

func TestCheckPassword(t *testing.T) {
	for _, tc := range []struct {
		pw string
		ok bool
	}{
		{"1234567", false},
		{"12345678", true},
		{"пароль12", true},               // 8 letters, 14 bytes
		{strings.Repeat("я", 36), true},  // 72 bytes: bcrypt's limit
		{strings.Repeat("я", 37), false}, // 74 bytes: bcrypt would refuse it at start
		{strings.Repeat("a", 73), false},
	} {
		err := admin.CheckPassword(tc.pw)
		if (err == nil) != tc.ok {
			t.Errorf("CheckPassword(%d bytes) = %v, want ok=%v", len(tc.pw), err, tc.ok)
		}
	}
}

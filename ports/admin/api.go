// Package admin is the administrators' HTTP API: questions and packs (with
// import of the ЧГК database's text format), chats and their settings,
// games and their results, leaderboards. Huma generates its OpenAPI 3.1
// document (/openapi.json) and docs page (/docs). Every operation but login
// requires a bearer token; bad input is a 4xx RFC 9457 problem that names
// the field, and no internal error text ever reaches a client.
package admin

import (
	"cmp"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"

	"github.com/vkchgk/chgkbot/chgk"
)

// The stores the API reads and writes, one per resource (the Postgres
// adapter's small stores implement them). Each is the least its operations
// need.

// Questions is the question bank.
type Questions interface {
	List(ctx context.Context, q chgk.QuestionQuery) ([]chgk.QuestionRecord, int, error)
	Get(ctx context.Context, id int64) (chgk.QuestionRecord, error)
	Create(ctx context.Context, q chgk.QuestionRecord) (chgk.QuestionRecord, error)
	Update(ctx context.Context, q chgk.QuestionRecord) (chgk.QuestionRecord, error)
	// Delete deletes softly (soft is true) a question that a game played,
	// so its results keep it.
	Delete(ctx context.Context, id int64) (soft bool, err error)
	// SameText returns, for each of texts that a live question of the bank
	// has too (case and spacing aside), that question's id, keyed by the
	// text as given.
	SameText(ctx context.Context, texts []string) (map[string]int64, error)
}

// Packs keeps the named sets of questions.
type Packs interface {
	List(ctx context.Context) ([]chgk.Pack, error)
	Create(ctx context.Context, name, description string) (chgk.Pack, error)
	Delete(ctx context.Context, id int64) error
	// Import stores a whole pack and its questions, or nothing.
	Import(ctx context.Context, name, description string, qs []chgk.QuestionRecord) (chgk.Pack, error)
}

// Chats lists chats and changes their settings.
type Chats interface {
	List(ctx context.Context, offset, limit int) ([]chgk.ChatRecord, int, error)
	Get(ctx context.Context, peer chgk.PeerID) (chgk.ChatRecord, error)
	// UpdateSettings applies f to the chat's settings (defaults while it
	// has none) under the chat's lock, and saves what f returns; an error
	// of f comes back as it is and nothing is saved. An unknown chat is
	// chgk.ErrNotFound.
	UpdateSettings(ctx context.Context, peer chgk.PeerID, defaults chgk.Settings, f func(chgk.Settings) (chgk.Settings, error)) (chgk.Settings, error)
}

// Games reads games and their results.
type Games interface {
	List(ctx context.Context, q chgk.GameQuery) ([]chgk.GameRecord, int, error)
	Game(ctx context.Context, id int64) (*chgk.Game, error)
}

// Stats reads the leaderboards.
type Stats interface {
	Players(ctx context.Context, sort string, limit int) ([]chgk.PlayerStats, error)
	Chats(ctx context.Context, limit int) ([]chgk.ChatStats, error)
}

// Stopper stops game, running in chat peer, as a member's /stop would:
// through the bot's transactional path, with the results posted to the
// chat. If that game is not running (it ended, another admin stopped it)
// it returns chgk.ErrNoGame and the chat is told nothing.
type Stopper interface {
	Stop(ctx context.Context, peer chgk.PeerID, game int64) error
}

// Accounts keeps administrators and their tokens.
type Accounts interface {
	// EnsureAdmin creates an admin with the password hash that hash
	// returns if there is no admin at all; hash is called only then.
	EnsureAdmin(ctx context.Context, email string, hash func() (string, error)) (bool, error)
	AdminByEmail(ctx context.Context, email string) (int64, string, error)
	SaveToken(ctx context.Context, hash []byte, adminID int64, expires time.Time) error
	TokenAdmin(ctx context.Context, hash []byte, now time.Time) (int64, error)
	RevokeToken(ctx context.Context, hash []byte) error
	// BeginLogin counts a login attempt at at against each key of limits
	// before the password is checked, atomically with the check that no
	// key has reached its limit of failures since since (ok false: refused,
	// nothing counted); it forgets failures from before forget. EndLogin
	// settles the attempt: a success is forgotten, a failure stays. Kept
	// in the database, the counts hold across replicas and restarts.
	BeginLogin(ctx context.Context, at, since, forget time.Time, limits map[string]int) (attempt string, ok bool, err error)
	EndLogin(ctx context.Context, attempt string, success bool) error
}

// Config is what the API needs. Every store, the Stopper and the Decider
// are required.
type Config struct {
	Questions Questions
	Packs     Packs
	Chats     Chats
	Games     Games
	Stats     Stats
	Accounts  Accounts
	Stopper   Stopper
	Appeals   Appeals
	Decider   Decider
	Defaults  chgk.Settings // a chat's settings until it changes them
	Log       *slog.Logger
	Now       func() time.Time // time.Now when nil
	TokenTTL  time.Duration    // 24 h when zero
	// Limits are the failed logins allowed in 15 minutes; DefaultLimits
	// when zero.
	Limits LoginLimits
	// Hashing bounds the password checks (bcrypt, ~0.3 s of CPU each) that
	// run at once in this process; 4 when zero. A login that finds no
	// place within a few seconds is told to try again (429).
	Hashing int
}

// LoginLimits are how many failed logins in 15 minutes close the login:
// for one account from one address (Pair), from one address for any
// account (Address), and for one account from anywhere (Account, a high
// ceiling against a guesser with many addresses). Keying the tight limit
// on the pair means a guesser cannot lock the admin out from their own
// address.
type LoginLimits struct{ Pair, Address, Account int }

// DefaultLimits: 5 per account and address, 20 per address, 100 per account.
var DefaultLimits = LoginLimits{Pair: 5, Address: 20, Account: 100}

// New builds the API on mux and returns it.
func New(mux *http.ServeMux, cfg Config) huma.API {
	hc := huma.DefaultConfig("chgk admin API", "1.0.0")
	hc.Info.Description = "Questions, packs, chats, games and leaderboards of the «Что? Где? Когда?» VK bot. " +
		"Log in with POST /auth/login and send the token as `Authorization: Bearer …`."
	hc.OpenAPIPath = "/openapi"
	hc.DocsPath = "" // our own page, with the renderer served from the binary (docs.go)
	hc.Components.SecuritySchemes = map[string]*huma.SecurityScheme{
		"bearer": {Type: "http", Scheme: "bearer", Description: "A token from POST /auth/login."},
	}
	api := humago.New(mux, hc)
	registerDocs(mux)
	Register(api, cfg)
	return api
}

// Register adds every operation to api.
func Register(api huma.API, cfg Config) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.TokenTTL <= 0 {
		cfg.TokenTTL = 24 * time.Hour
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Limits == (LoginLimits{}) {
		cfg.Limits = DefaultLimits
	}
	s := &server{cfg: cfg, api: api, hashing: make(chan struct{}, cmp.Or(cfg.Hashing, 4))}
	shortProblems()
	api.UseMiddleware(protect)
	s.registerAuth(api)
	// Everything else needs a token: the group adds the security
	// requirement to each operation and the middleware enforces it, so an
	// operation added here cannot forget auth.
	g := huma.NewGroup(api)
	g.UseSimpleModifier(func(op *huma.Operation) {
		op.Security = []map[string][]string{{"bearer": {}}}
		op.Errors = append(op.Errors, http.StatusUnauthorized)
	})
	g.UseMiddleware(s.authenticate)
	s.registerLogout(g)
	s.registerQuestions(g)
	s.registerPacks(g)
	s.registerChats(g)
	s.registerGames(g)
	s.registerStats(g)
	s.registerAppeals(g)
}

type server struct {
	cfg     Config
	api     huma.API
	hashing chan struct{} // a place per password check running
}

// fail turns a store error into a problem: not found, conflict and invalid
// data are the client's to know; anything else is logged and reported as
// an internal error without its text.
func (s *server) fail(ctx context.Context, what string, err error) error {
	switch {
	case errors.Is(err, chgk.ErrNotFound):
		return huma.Error404NotFound(what + " not found")
	case errors.Is(err, chgk.ErrConflict):
		return huma.Error409Conflict(what + " conflicts with existing data (a duplicate name?)")
	case errors.Is(err, chgk.ErrInvalid):
		return huma.Error422UnprocessableEntity(what + " refused as invalid")
	case errors.Is(err, context.Canceled):
		return huma.NewError(499, "request cancelled")
	}
	s.cfg.Log.ErrorContext(ctx, "admin API failure", "what", what, "err", err)
	return huma.Error500InternalServerError("internal error")
}

// protect sets the headers every answer of the API needs: nothing it says
// (a token, a question bank) is kept by a cache, and no browser guesses a
// type other than the one declared.
func protect(ctx huma.Context, next func(huma.Context)) {
	ctx.SetHeader("Cache-Control", "no-store")
	ctx.SetHeader("X-Content-Type-Options", "nosniff")
	next(ctx)
}

// audit logs one admin write, with who made it and what it touched: the
// trail an operator reads to learn who changed what.
func (s *server) audit(ctx context.Context, operation string, target ...any) {
	id, _ := ctx.Value(adminKey{}).(int64)
	s.cfg.Log.InfoContext(ctx, "admin write", append([]any{"admin_id", id, "operation", operation}, target...)...)
}

// page turns page/per_page into offset and limit.
func page(p, perPage int) (offset, limit int) { return (p - 1) * perPage, perPage }

package main

import (
	"context"
	crand "crypto/rand"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/pprof"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/uptrace/bun"
	"golang.org/x/sync/errgroup"

	"github.com/vkchgk/chgkbot/adapters/hunspell"
	"github.com/vkchgk/chgkbot/adapters/metrics"
	"github.com/vkchgk/chgkbot/adapters/postgres"
	"github.com/vkchgk/chgkbot/adapters/rabbitmq"
	"github.com/vkchgk/chgkbot/adapters/vkapi"
	"github.com/vkchgk/chgkbot/adapters/vksim"
	"github.com/vkchgk/chgkbot/chgk"
	"github.com/vkchgk/chgkbot/chgk/vkwire"
	"github.com/vkchgk/chgkbot/ports/admin"
	"github.com/vkchgk/chgkbot/ports/bus"
	"github.com/vkchgk/chgkbot/ports/vk"
)

// deliveryGrace is how long a phase waits, past its own length, for the
// announcer's report that its message reached the chat (SPEC §2).
const deliveryGrace = 30 * time.Second

// shutdownGrace bounds a graceful stop: handlers in flight finish within it.
const shutdownGrace = 8 * time.Second

// clock is the wall clock at the database's precision (microseconds), so a
// deadline read back from Postgres is the one that was set.
type clock struct{}

func (clock) Now() time.Time { return time.Now().Truncate(time.Microsecond) }

// serve is `chgkbot run`: it builds the configured roles, runs them until
// ctx ends, then stops them gracefully.
func serve(ctx context.Context, getenv func(string) string, stdout, stderr io.Writer) int {
	cfg, err := loadConfig(getenv)
	if err != nil {
		fmt.Fprintf(stderr, "chgkbot: %v\n", err)
		return exitConfig
	}
	log := newLogger(cfg, stderr)
	a, err := build(ctx, cfg, log)
	if err != nil {
		if ctx.Err() != nil {
			return exitOK // stopped while starting
		}
		log.Error("cannot start", "err", err)
		return exitFail
	}
	defer a.close()
	return a.run(ctx)
}

// app is a process built from its configuration: the parts of each role,
// ready to run.
type app struct {
	cfg     config
	log     *slog.Logger
	db      *bun.DB
	intake  *vk.Intake      // the poller role, if run here
	router  *message.Router // the worker's and the announcer's handlers, if run here
	loops   []loop          // the sweepers and the retention job
	wakeups *postgres.Wakeups
	handler http.Handler
	closers []func() error
	// onShutdown runs as HTTP stops: what holds a connection open ends.
	onShutdown []func()
}

// loop is a part that runs until its ctx ends.
type loop struct {
	name string
	run  func(ctx context.Context) error
}

// build connects to the database (waiting for it up to cfg.DBWait) and
// wires every configured role. Start-up steps that read or write the
// database retry a temporary failure with back-off, so a database that
// blinks while the process starts does not stop it.
func build(ctx context.Context, cfg config, log *slog.Logger) (_ *app, err error) {
	db, err := waitForDatabase(ctx, cfg, log)
	if err != nil {
		return nil, err
	}
	a := &app{cfg: cfg, log: log, db: db, closers: []func() error{db.Close}}
	defer func() {
		if err != nil {
			a.close() // what was opened before the step that failed
		}
	}()
	if cfg.Roles["worker"] {
		useLexicon(cfg.Lexicon, log)
	}
	games, units := postgres.NewGames(db), postgres.NewUnits(db)
	host := &chgk.Host{Games: games, Questions: postgres.NewQuestions(db), Chats: postgres.NewChats(db),
		Leaders: postgres.NewStats(db), Clock: clock{}, Rand: newRand(), Defaults: cfg.Defaults, Grace: deliveryGrace}
	m := metrics.New(func() float64 {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		n, _ := games.Live(ctx)
		return float64(n)
	})
	var client *vkapi.Client
	if cfg.VKToken != "" {
		if client, err = vkapi.New(vkapi.Config{Token: cfg.VKToken, URL: cfg.VKAPIURL, RPS: cfg.VKRPS,
			Log: log.With("component", "vk"), Observe: m.VKCall, Requests: m.VKRequest}); err != nil {
			return nil, err
		}
		m.VKWaiting(client.Waiting)
	}
	m.Up("database", func(ctx context.Context) bool { return ping(ctx, db) == nil })
	m.VKBudget(cfg.VKRPS)
	retention := postgres.NewRetention(db)
	groups := bus.ConsumerGroups(cfg.Bus == "rabbitmq")
	m.WatchStorage(func(ctx context.Context) (metrics.Storage, error) { return storage(ctx, retention, groups) })
	// Every process runs the retention job; an advisory lock lets one
	// replica's run go at a time.
	a.loops = append(a.loops, loop{"retention", func(ctx context.Context) error {
		return retain(ctx, retention, postgres.RetentionConfig{Groups: groups, PoisonTopic: bus.PoisonTopic,
			Bus: cfg.BusRetention, Poison: cfg.PoisonRetention, Inbox: 7 * 24 * time.Hour}, m, log.With("component", "retention"))
	}})
	pgbus, readers := postgres.NewBus(db), db
	if cfg.Roles["worker"] || cfg.Roles["announcer"] {
		// The bus's subscribers read through a pool of their own: one
		// connection each (two roles of Shards topics, or the forwarders'
		// two directions), one for the wake-ups, one spare.
		if err := retry(ctx, log, "connect the bus's readers", func(ctx context.Context) (err error) {
			readers, err = postgres.OpenReaders(ctx, cfg.DatabaseURL, 2*bus.Shards+2)
			return err
		}); err != nil {
			return nil, err
		}
		a.closers = append(a.closers, readers.Close)
		pgbus = pgbus.ReadingFrom(readers)
	}
	// direct publishes outside any unit of work: the poison topic, the
	// replies to private messages and the announcer's delivery reports.
	// Wake-ups: what a unit of work, a long-poll batch or a direct publish
	// commits wakes the subscribers of its topics at once.
	a.wakeups = postgres.NewWakeups(readers, log.With("component", "wakeups"))
	a.loops = append(a.loops, loop{"wakeups", a.wakeups.Run})
	pgbus, units = pgbus.Waking(a.wakeups), units.Waking(a.wakeups)
	direct, err := pgbus.Publisher(log)
	if err != nil {
		return nil, err
	}
	// changes is the one path by which anything changes a game.
	changes := &bus.Games{Units: units, Host: host}
	rc := bus.RouterConfig{Log: log, CloseTimeout: shutdownGrace, Observe: m.Handled, Poison: direct}
	if err := a.subscribers(pgbus, &rc); err != nil {
		return nil, err
	}
	if cfg.Roles["worker"] {
		sweeper := (&bus.Sweeper{Deadlines: units, Host: host, Clock: clock{}, Log: log.With("component", "sweeper"),
			Lateness: m.Late}).Init()
		changes.Woken = sweeper.Wake
		rc.Worker = &bus.Worker{Games: changes, Log: log.With("component", "worker"), Replies: direct,
			Names: &vkapi.Names{Client: client, Cache: postgres.NewNames(db), Log: log.With("component", "names")}}
		// Two sweepers: SKIP LOCKED lets them share due games without
		// waiting for each other, so one slow chat never delays the rest.
		a.loops = append(a.loops, loop{"sweeper", sweeper.Run}, loop{"sweeper", sweeper.Run})
	}
	if cfg.Roles["announcer"] {
		announcer := &vkapi.Announcer{Client: client, Keyboards: postgres.NewKeyboards(db), Appeals: postgres.NewAppealButtons(db),
			Log: log.With("component", "announcer")}
		rc.Announcing = &bus.Announcing{Reports: direct, Attempts: postgres.NewAttempts(db), Clock: clock{}, Log: log.With("component", "announcer"),
			Announcer: announcer}
		a.loops = append(a.loops, loop{"appeal buttons", func(ctx context.Context) error { return announcer.CloseAppeals(ctx, time.Now) }})
	}
	if rc.Worker != nil || rc.Announcing != nil || rc.Forward != nil {
		if a.router, err = bus.NewRouter(rc); err != nil {
			return nil, err
		}
	}
	if cfg.Roles["poller"] {
		if a.intake, err = a.poller(ctx, client); err != nil {
			return nil, err
		}
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", healthz)
	mux.HandleFunc("GET /readyz", a.readyz)
	mux.Handle("GET /metrics", m.Handler())
	if cfg.PProf {
		// Profiling for the operator who asks for it, next to /metrics.
		mux.HandleFunc("GET /debug/pprof/", pprof.Index)
		mux.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
	}
	if cfg.Roles["admin"] {
		if err := a.firstAdmin(ctx); err != nil {
			return nil, err
		}
		admin.New(mux, admin.Config{Questions: postgres.NewQuestions(db), Packs: postgres.NewPacks(db), Chats: postgres.NewChats(db),
			Games: games, Stats: postgres.NewStats(db), Accounts: postgres.NewAccounts(db), Stopper: adminStopper{changes},
			Appeals: postgres.NewAppeals(db), Decider: adminDecider{changes},
			Defaults: cfg.Defaults, Log: log.With("component", "admin")})
	}
	if cfg.Playground && cfg.Roles["admin"] {
		if err := a.playground(ctx, mux); err != nil {
			return nil, err
		}
	} else {
		mux.Handle("GET /{$}", statusPage(cfg))
	}
	a.handler = m.Middleware(admin.WithRemoteAddr(mux, cfg.TrustedProxies...))
	return a, nil
}

// playground serves the simulated VK (its method API and long poll under
// /vk, where this process's and other processes' roles reach it) and the
// playground page at /.
func (a *app) playground(ctx context.Context, mux *http.ServeMux) error {
	var sim *vksim.Server
	if err := retry(ctx, a.log, "load the playground", func(ctx context.Context) (err error) {
		sim, err = vksim.Open(ctx, a.cfg.VKToken, a.cfg.VKGroupID, postgres.NewSim(a.db))
		return err
	}); err != nil {
		return err
	}
	sim.SetRPS(int(max(a.cfg.VKRPS, 1)))
	a.onShutdown = append(a.onShutdown, sim.Hangup)
	sim.Mount(mux, "/vk")
	sim.Playground(mux)
	a.log.Info("playground: open " + a.cfg.PublicURL + "/")
	return nil
}

// subscribers sets how the consumers subscribe: to Postgres itself, each
// topic woken by its news, or to RabbitMQ fed from the Postgres outbox by
// the worker role's forwarders.
func (a *app) subscribers(pgbus *postgres.Bus, rc *bus.RouterConfig) error {
	pg := func(group, topic string) (message.Subscriber, error) {
		deadline := time.Minute
		if group == bus.AnnouncerGroup {
			deadline = 2 * time.Minute // VK may be slow: sends wait for the budget
		}
		return pgbus.Subscriber(postgres.SubscriberConfig{ConsumerGroup: group, Batch: 10, Poll: 20 * time.Millisecond,
			Idle: busIdle, AckDeadline: deadline, Wake: a.wakeups, Topic: topic}, a.log)
	}
	if a.cfg.Bus != "rabbitmq" {
		rc.Subscriber, rc.Drains = pg, pgbus
		return nil
	}
	rb, err := rabbitmq.Open(a.cfg.AMQPURL, a.cfg.AMQPPrefix, bus.Topics(), a.log)
	if err != nil {
		return err
	}
	a.closers = append(a.closers, rb.Close)
	if a.cfg.Roles["worker"] {
		rc.Forward = &bus.Forwarding{From: func(topic string) (message.Subscriber, error) { return pg(bus.ForwarderGroup, topic) },
			To: rb, Drains: pgbus}
	}
	rc.Subscriber = func(string, string) (message.Subscriber, error) { return rb.Sub, nil }
	return nil
}

// busIdle is how long an idle bus subscriber waits before it reads its
// topic again if no wake-up came: the safety net under LISTEN/NOTIFY.
const busIdle = time.Second

// poller builds the long-poll intake, from the ts saved with the last batch.
func (a *app) poller(ctx context.Context, client *vkapi.Client) (*vk.Intake, error) {
	lp := postgres.NewLongPoll(a.db).Waking(a.wakeups)
	var ts string
	err := retry(ctx, a.log, "read the long-poll position", func(ctx context.Context) (err error) {
		ts, err = lp.TS(ctx, a.cfg.VKGroupID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &vk.Intake{GroupID: a.cfg.VKGroupID, TS: ts, Sink: &bus.Sink{GroupID: a.cfg.VKGroupID, Store: lp},
		Log: a.log.With("component", "poller"), Server: func(ctx context.Context) (vkwire.LongPoll, error) {
			return client.LongPollServer(ctx, a.cfg.VKGroupID)
		}}, nil
}

// firstAdmin creates the first admin from ADMIN_EMAIL and ADMIN_PASSWORD
// if there is none.
func (a *app) firstAdmin(ctx context.Context) error {
	accounts := postgres.NewAccounts(a.db)
	return retry(ctx, a.log, "create the first admin", func(ctx context.Context) error {
		created, err := admin.EnsureFirstAdmin(ctx, accounts, a.cfg.AdminEmail, a.cfg.AdminPassword)
		if created {
			a.log.Info("first admin created", "email", a.cfg.AdminEmail)
		}
		return err
	})
}

// run runs every part until ctx ends or a part fails, then stops them in
// order: the intake first (no new updates), then the bus after its
// handlers in flight finish, then HTTP, all within shutdownGrace.
func (a *app) run(ctx context.Context) int {
	ln, err := net.Listen("tcp", a.cfg.HTTPAddr)
	if err != nil {
		a.log.Error("cannot listen", "addr", a.cfg.HTTPAddr, "err", err)
		return exitFail
	}
	// Every stage of a connection is bounded, so slow or idle clients
	// cannot hold connections without end (Huma also bounds each body's
	// read); the write bound leaves room for a 30 s CPU profile.
	srv := &http.Server{Handler: a.handler, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: time.Minute,
		WriteTimeout: 90 * time.Second, IdleTimeout: 2 * time.Minute, MaxHeaderBytes: 64 << 10}
	for _, f := range a.onShutdown {
		srv.RegisterOnShutdown(f)
	}
	// work ends every part at the stop; gctx also ends when one part fails.
	work, stopWork := context.WithCancel(context.Background())
	defer stopWork()
	g, gctx := errgroup.WithContext(work)
	pollCtx, stopPolling := context.WithCancel(gctx)
	defer stopPolling()
	if a.intake != nil {
		g.Go(func() error { return named("poller", a.intake.Run(pollCtx)) })
	}
	for _, l := range a.loops {
		g.Go(func() error { return named(l.name, l.run(gctx)) })
	}
	if a.router != nil {
		g.Go(func() error { return named("bus", a.router.Run(gctx)) })
	}
	g.Go(func() error {
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			return named("http", err)
		}
		return nil
	})
	a.log.Info("chgkbot running", "version", version, "roles", a.cfg.Roles, "http", ln.Addr().String())

	code := exitOK
	select {
	case <-ctx.Done():
		a.log.Info("stopping")
	case <-gctx.Done():
		code = exitFail // a part failed; g.Wait below says which
	}
	stopCtx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	stopPolling()
	if a.router != nil {
		_ = a.router.Close() // waits for handlers in flight
	}
	_ = srv.Shutdown(stopCtx)
	stopWork() // the sweepers and the retention job
	done := make(chan error, 1)
	go func() { done <- g.Wait() }()
	select {
	case err := <-done:
		if err != nil && code == exitFail {
			a.log.Error("a part failed, stopped", "err", err)
		}
	case <-stopCtx.Done():
		a.log.Warn("parts did not stop in time")
	}
	a.log.Info("stopped")
	return code
}

// named says which part an error came from; a part that ends because it
// was told to is no error.
func named(part string, err error) error {
	if err == nil || errors.Is(err, context.Canceled) {
		return nil
	}
	return fmt.Errorf("%s: %w", part, err)
}

func (a *app) close() {
	for i := len(a.closers) - 1; i >= 0; i-- {
		_ = a.closers[i]()
	}
}

// healthz says the process runs.
func healthz(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "ok") }

// readyz says whether the process can work: the database answers and the
// bus runs. A 503 names the failing dependency, as JSON; the process
// itself goes on and recovers when the dependency does.
func (a *app) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	status := readiness{Status: "ready"}
	if err := ping(ctx, a.db); err != nil {
		status = readiness{Status: "unavailable", Failing: "database", Error: "the database does not answer"}
	} else if a.router != nil && !a.router.IsRunning() {
		status = readiness{Status: "unavailable", Failing: "bus", Error: "the bus router is not running"}
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	if status.Failing != "" {
		w.WriteHeader(http.StatusServiceUnavailable)
	}
	_ = json.NewEncoder(w).Encode(status)
}

// ping asks the database whether it answers, for /readyz and the
// database-up gauge. A connection cut while idle in the pool fails the
// first question put to it, and the pool then drops it: ping asks again, up
// to once per pooled connection, so a database that is back is not
// reported down because of the dead connections it left.
func ping(ctx context.Context, db *bun.DB) error {
	var err error
	for range db.Stats().MaxOpenConnections + 1 {
		if err = db.PingContext(ctx); err == nil || ctx.Err() != nil {
			break
		}
	}
	return err
}

// readiness is /readyz's answer.
type readiness struct {
	Status  string `json:"status"`            // ready or unavailable
	Failing string `json:"failing,omitempty"` // database or bus
	Error   string `json:"error,omitempty"`
}

// adminStopper stops a game for the admin API through the bot's one path
// of game changes, as a member's /stop would; a stop that finds another
// game, or none, is refused to the admin and never told to the chat.
type adminStopper struct{ games *bus.Games }

// adminDecider decides an appeal for the admin API through the same path.
type adminDecider struct{ games *bus.Games }

func (d adminDecider) Decide(ctx context.Context, peer chgk.PeerID, c chgk.DecideAppeal) error {
	_, err := d.games.Strict(ctx, peer, "admin-appeal:"+watermill.NewUUID(), c)
	return err
}

func (s adminStopper) Stop(ctx context.Context, peer chgk.PeerID, game int64) error {
	_, err := s.games.Strict(ctx, peer, "admin-stop:"+watermill.NewUUID(), chgk.Stop{By: chgk.Player{Name: "администратор"}, Game: game})
	return err
}

func newLogger(cfg config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	if cfg.LogJSON {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// newRand is a randomness source seeded from the OS: captains are drawn
// fairly and unpredictably.
func newRand() *rand.Rand {
	var seed [16]byte
	_, _ = crand.Read(seed[:])
	return rand.New(rand.NewPCG(binary.LittleEndian.Uint64(seed[:8]), binary.LittleEndian.Uint64(seed[8:])))
}

// retain runs the retention job now and then hourly: what it deletes is
// counted in the metrics and logged, and old poison messages are logged
// with their count before they go.
func retain(ctx context.Context, r *postgres.Retention, cfg postgres.RetentionConfig, m *metrics.Metrics, log *slog.Logger) error {
	for topic := range cfg.Groups { // every series exists from the start, at zero
		m.Deleted("watermill_"+topic, 0)
	}
	for _, table := range []string{"watermill_" + cfg.PoisonTopic, "inbox", "admin_tokens", "login_failures", "announce_attempts"} {
		m.Deleted(table, 0)
	}
	t := time.NewTimer(time.Minute) // not in the way of a start
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		began := time.Now()
		d, ran, err := r.Run(ctx, cfg, time.Now(), func(n int64) {
			log.Warn("deleting old poison messages", "count", n, "older_than", cfg.Poison)
		})
		switch {
		case err != nil && ctx.Err() == nil:
			log.Warn("retention failed; it runs again in an hour", "err", err)
		case ran:
			var total int64
			for table, n := range d {
				m.Deleted(table, n)
				total += n
			}
			log.Info("retention ran", "deleted", total, "took", time.Since(began))
		}
		t.Reset(time.Hour)
	}
}

// storage reads the gauges of the database for a scrape.
func storage(ctx context.Context, r *postgres.Retention, groups map[string][]string) (metrics.Storage, error) {
	var st metrics.Storage
	var err error
	if st.TableBytes, err = r.Sizes(ctx); err != nil {
		return st, err
	}
	if st.Backlog, err = r.Backlog(ctx, groups); err != nil {
		return st, err
	}
	st.Poison, err = r.Count(ctx, bus.PoisonTopic)
	return st, err
}

// useLexicon loads the judge's dictionary and installs it for the
// process (the worker judges). Without it the judge works as before: one
// line says so, and the bot runs on.
func useLexicon(path string, log *slog.Logger) {
	if path == "" {
		log.Info("judge: the lexicon is off (CHGK_LEXICON=off)")
		return
	}
	began := time.Now()
	d, err := hunspell.Open(path)
	if err != nil {
		log.Warn("judge: no Russian dictionary, judging without one (word forms and near-words are not told apart)", "path", path, "err", err)
		return
	}
	chgk.SetLexicon(d)
	log.Info("judge: Russian dictionary loaded", "path", path, "words", d.Words(), "took", time.Since(began).Round(time.Millisecond))
}

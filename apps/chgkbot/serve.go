package main

import (
	"context"
	crand "crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/pprof"
	"sync"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/vkchgk/chgkbot/adapters/metrics"
	"github.com/vkchgk/chgkbot/adapters/postgres"
	"github.com/vkchgk/chgkbot/adapters/rabbitmq"
	"github.com/vkchgk/chgkbot/adapters/vkapi"
	"github.com/vkchgk/chgkbot/chgk"
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

// serve is `chgkbot run`: it starts the configured roles and runs until ctx
// ends, then stops them gracefully.
func serve(ctx context.Context, getenv func(string) string, stdout, stderr io.Writer) int {
	cfg, err := loadConfig(getenv)
	if err != nil {
		fmt.Fprintf(stderr, "chgkbot: %v\n", err)
		return exitConfig
	}
	log := newLogger(cfg, stderr)
	db, err := postgres.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		log.Error("cannot start", "err", err)
		return exitFail
	}
	defer db.Close()
	store := postgres.NewStore(db, nil)
	host := &chgk.Host{Games: store, Questions: store, Chats: store, Clock: clock{}, Rand: newRand(),
		Defaults: cfg.Defaults, Grace: deliveryGrace}

	app := &app{log: log, store: store}
	m := metrics.New(func() float64 {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		n, _ := store.LiveGames(ctx)
		return float64(n)
	})
	var client *vkapi.Client
	if cfg.VKToken != "" {
		if client, err = vkapi.New(vkapi.Config{Token: cfg.VKToken, URL: cfg.VKAPIURL, RPS: cfg.VKRPS,
			Log: log.With("component", "vk"), Observe: m.VKCall}); err != nil {
			fmt.Fprintf(stderr, "chgkbot: %v\n", err)
			return exitConfig
		}
	}

	var workers, announcers bool
	rc := bus.RouterConfig{Log: log, CloseTimeout: shutdownGrace, Observe: m.Handled}
	if rc.Poison, err = store.NewPublisher(log); err != nil {
		log.Error("cannot start", "err", err)
		return exitFail
	}
	// The consumers' subscriber: Postgres itself, or RabbitMQ fed from the
	// Postgres outbox by the worker role's forwarders.
	subscriber := func(group string, deadline time.Duration) (message.Subscriber, error) {
		return store.NewSubscriber(postgres.SubscriberConfig{ConsumerGroup: group, Batch: 10,
			Poll: 20 * time.Millisecond, AckDeadline: deadline}, log)
	}
	if cfg.Bus == "rabbitmq" {
		rb, err := rabbitmq.Open(cfg.AMQPURL, cfg.AMQPPrefix, bus.Topics(), log)
		if err != nil {
			log.Error("cannot start", "err", err)
			return exitFail
		}
		defer rb.Close()
		subscriber = func(string, time.Duration) (message.Subscriber, error) { return rb.Sub, nil }
		if cfg.Roles["worker"] {
			from, err := store.NewSubscriber(postgres.SubscriberConfig{ConsumerGroup: "forwarder", Batch: 10,
				Poll: 20 * time.Millisecond, AckDeadline: time.Minute}, log)
			if err != nil {
				log.Error("cannot start", "err", err)
				return exitFail
			}
			rc.Forward = &bus.Forwarding{From: from, To: rb}
		}
	}
	if cfg.Roles["worker"] {
		workers = true
		sweeper := (&bus.Sweeper{Deadlines: store, Host: host, Clock: clock{}, Log: log.With("component", "sweeper"),
			Lateness: m.Late}).Init()
		rc.Worker = &bus.Worker{Chats: store, Host: host, Names: names(client, store, log), Log: log.With("component", "worker"),
			Direct: rc.Poison, Woken: sweeper.Wake}
		if rc.WorkerSub, err = subscriber("worker", time.Minute); err != nil {
			log.Error("cannot start", "err", err)
			return exitFail
		}
		// Two sweepers: SKIP LOCKED lets them share due games without
		// waiting for each other, so one slow chat never delays the rest.
		app.goRun("sweeper", func(ctx context.Context) error { return sweeper.Run(ctx) })
		app.goRun("sweeper", func(ctx context.Context) error { return sweeper.Run(ctx) })
		app.goRun("inbox cleaner", func(ctx context.Context) error { return cleanInbox(ctx, store, log) })
	}
	if cfg.Roles["announcer"] {
		announcers = true
		rc.Announcing = &bus.Announcing{Announcer: &vkapi.Announcer{Client: client, Keyboards: store, Log: log.With("component", "announcer")},
			Reports: rc.Poison, Clock: clock{}, Log: log.With("component", "announcer")}
		if rc.AnnouncerSub, err = subscriber("announcer", 2*time.Minute); err != nil {
			log.Error("cannot start", "err", err)
			return exitFail
		}
	}
	if workers || announcers || rc.Forward != nil {
		router, err := bus.NewRouter(rc)
		if err != nil {
			log.Error("cannot start", "err", err)
			return exitFail
		}
		app.router = router
		app.goRun("bus", func(ctx context.Context) error { return router.Run(ctx) })
	}
	if cfg.Roles["poller"] {
		ts, err := store.LongPollTS(ctx, cfg.VKGroupID)
		if err != nil {
			log.Error("cannot start", "err", err)
			return exitFail
		}
		intake := &vk.Intake{GroupID: cfg.VKGroupID, TS: ts, Sink: &bus.Sink{GroupID: cfg.VKGroupID, Store: store},
			Log: log.With("component", "poller"), Server: func(ctx context.Context) (vk.LongPoll, error) {
				lp, err := client.LongPollServer(ctx, cfg.VKGroupID)
				return vk.LongPoll{Server: lp.Server, Key: lp.Key, TS: lp.TS}, err
			}}
		pollCtx, stopPolling := context.WithCancel(context.Background())
		app.stopPolling = stopPolling
		app.goRun("poller", func(ctx context.Context) error {
			context.AfterFunc(ctx, stopPolling)
			return intake.Run(pollCtx)
		})
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", app.healthz)
	mux.HandleFunc("GET /readyz", app.readyz)
	mux.Handle("GET /metrics", m.Handler())
	if getenv("CHGK_PPROF") == "1" {
		// Profiling for the operator who asks for it: /debug/pprof/ on
		// HTTP_ADDR, next to /metrics. Off by default.
		mux.HandleFunc("GET /debug/pprof/", pprof.Index)
		mux.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
	}
	if cfg.Roles["admin"] {
		if created, err := admin.EnsureFirstAdmin(ctx, store, cfg.AdminEmail, cfg.AdminPassword); err != nil {
			log.Error("cannot create the first admin", "err", err)
			return exitFail
		} else if created {
			log.Info("first admin created", "email", cfg.AdminEmail)
		}
		stopper := &bus.Worker{Chats: store, Host: host, Log: log.With("component", "admin"), Direct: rc.Poison}
		admin.New(mux, admin.Config{Store: store, Defaults: cfg.Defaults, Log: log.With("component", "admin"),
			Stop: func(ctx context.Context, peer chgk.PeerID) error {
				_, err := stopper.Command(ctx, peer, "admin-stop:"+watermill.NewUUID(), chgk.Stop{By: chgk.Player{Name: "администратор"}})
				return err
			}})
	}
	srv, err := app.listen(cfg.HTTPAddr, m.Middleware(admin.WithRemoteAddr(mux)))
	if err != nil {
		log.Error("cannot listen", "addr", cfg.HTTPAddr, "err", err)
		return exitFail
	}
	log.Info("chgkbot running", "version", version, "roles", cfg.Roles, "http", srv.Addr)
	return app.wait(ctx, srv)
}

// app holds the running parts for a graceful stop.
type app struct {
	log    *slog.Logger
	store  *postgres.Store
	router *message.Router
	// stopPolling stops the intake, first, so no new update comes in while
	// the rest finishes.
	stopPolling context.CancelFunc

	cancel context.CancelFunc
	ctx    context.Context
	wg     sync.WaitGroup
	failed chan error
	once   sync.Once
}

func (a *app) init() {
	a.once.Do(func() {
		a.ctx, a.cancel = context.WithCancel(context.Background())
		a.failed = make(chan error, 8)
	})
}

// goRun runs a part until the app stops; a part that fails stops the app.
func (a *app) goRun(name string, run func(ctx context.Context) error) {
	a.init()
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		if err := run(a.ctx); err != nil && a.ctx.Err() == nil {
			a.failed <- fmt.Errorf("%s: %w", name, err)
		}
	}()
}

func (a *app) listen(addr string, h http.Handler) (*http.Server, error) {
	a.init()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	srv := &http.Server{Addr: ln.Addr().String(), Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			a.failed <- fmt.Errorf("http: %w", err)
		}
	}()
	return srv, nil
}

// wait runs until ctx ends or a part fails, then stops everything: the
// intake first (no new updates), then the bus after its handlers in flight
// finish, within shutdownGrace.
func (a *app) wait(ctx context.Context, srv *http.Server) int {
	code := exitOK
	select {
	case <-ctx.Done():
		a.log.Info("stopping")
	case err := <-a.failed:
		a.log.Error("a part failed, stopping", "err", err)
		code = exitFail
	}
	stopCtx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if a.stopPolling != nil {
		a.stopPolling()
	}
	_ = srv.Shutdown(stopCtx)
	if a.router != nil {
		_ = a.router.Close() // waits for handlers in flight
	}
	a.cancel()
	done := make(chan struct{})
	go func() { a.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-stopCtx.Done():
		a.log.Warn("parts did not stop in time")
	}
	a.log.Info("stopped")
	return code
}

// healthz says the process runs.
func (a *app) healthz(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "ok") }

// readyz says the process can work: the database answers and the bus runs.
func (a *app) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := a.store.DB().PingContext(ctx); err != nil {
		http.Error(w, "database unreachable", http.StatusServiceUnavailable)
		return
	}
	if a.router != nil && !a.router.IsRunning() {
		http.Error(w, "bus not running", http.StatusServiceUnavailable)
		return
	}
	fmt.Fprintln(w, "ready")
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

// names resolves members' names through VK when the process has a token,
// else from the names the database has cached.
func names(client *vkapi.Client, store *postgres.Store, log *slog.Logger) bus.Names {
	if client == nil {
		return cachedNames{store}
	}
	return &vkapi.Names{Client: client, Cache: store, Log: log.With("component", "names")}
}

type cachedNames struct{ store *postgres.Store }

func (c cachedNames) Player(ctx context.Context, id chgk.UserID) chgk.Player {
	p := chgk.Player{ID: id, Name: fmt.Sprintf("id%d", id)}
	if m, err := c.store.CachedNames(ctx, 365*24*time.Hour, int64(id)); err == nil && m[int64(id)][0] != "" {
		p.Name = m[int64(id)][0]
	}
	return p
}

// cleanInbox forgets processed update ids after a week, hourly.
func cleanInbox(ctx context.Context, store *postgres.Store, log *slog.Logger) error {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		if n, err := store.ForgetProcessed(ctx, 7*24*time.Hour); err != nil && ctx.Err() == nil {
			log.Warn("inbox cleaning failed", "err", err)
		} else if n > 0 {
			log.Info("inbox cleaned", "forgotten", n)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// Package metrics exposes the bot's Prometheus metrics: HTTP requests, bus
// handler latencies, VK calls and errors, deadline lateness and live games.
// The other packages know nothing of Prometheus: they take plain observer
// functions, which apps/ wires to a Metrics.
package metrics

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics is one process's registry of metrics.
type Metrics struct {
	reg      *prometheus.Registry
	http     *prometheus.HistogramVec
	handlers *prometheus.HistogramVec
	vk       *prometheus.HistogramVec
	lateness prometheus.Histogram
	deleted  *prometheus.CounterVec
	batch    prometheus.Histogram
}

// latencyBuckets cover 1 ms to 10 s.
var latencyBuckets = []float64{.001, .0025, .005, .01, .025, .05, .075, .1, .15, .2, .3, .5, .75, 1, 2.5, 5, 10}

// New returns a registry with Go runtime and process metrics. liveGames,
// if not nil, is read at every scrape.
func New(liveGames func() float64) *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		http: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "chgk_http_request_duration_seconds", Help: "Admin and health HTTP requests.", Buckets: latencyBuckets,
		}, []string{"method", "status"}),
		handlers: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "chgk_bus_handler_duration_seconds", Help: "Bus message handling, by handler and outcome.", Buckets: latencyBuckets,
		}, []string{"handler", "outcome"}),
		vk: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "chgk_vk_call_duration_seconds", Help: "VK method calls, by method and VK error code (0: success).", Buckets: latencyBuckets,
		}, []string{"method", "code"}),
		lateness: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "chgk_deadline_lateness_seconds", Help: "How long after its deadline a phase was ended.", Buckets: latencyBuckets,
		}),
	}
	m.deleted = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "chgk_retention_deleted_rows_total", Help: "Rows the retention job deleted, by table.",
	}, []string{"table"})
	m.batch = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name: "chgk_vk_calls_per_request", Help: "VK method calls carried by each HTTP request to VK (more than one with execute).",
		Buckets: []float64{1, 2, 5, 10, 15, 20, 25},
	})
	m.reg.MustRegister(m.http, m.handlers, m.vk, m.lateness, m.deleted, m.batch,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if liveGames != nil {
		m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "chgk_live_games", Help: "Games running now."}, liveGames))
	}
	return m
}

// Handler serves the metrics in Prometheus' text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// Middleware times every request of next.
func (m *Metrics) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		start := time.Now()
		next.ServeHTTP(rec, r)
		m.http.WithLabelValues(methodLabel(r.Method), strconv.Itoa(rec.status)).Observe(time.Since(start).Seconds())
	})
}

// methodLabel is the request's method if it is a standard one, else
// "other": the label's values are a fixed set, so nobody can add series
// without end by inventing methods.
func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return m
	}
	return "other"
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

// Unwrap gives http.ResponseController the connection under the
// recorder: without it, per-request deadlines (Huma's body-read timeout)
// silently do not apply.
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

// Handled records one bus message handled by handler.
func (m *Metrics) Handled(handler string, d time.Duration, err error) {
	outcome := "ok"
	if err != nil {
		outcome = "error"
	}
	m.handlers.WithLabelValues(handler, outcome).Observe(d.Seconds())
}

// VKCall records one VK method call; code is VK's error code, 0 for
// success, -1 for a network error or a bad HTTP status.
func (m *Metrics) VKCall(method string, code int, d time.Duration) {
	m.vk.WithLabelValues(method, strconv.Itoa(code)).Observe(d.Seconds())
}

// Late records how late a deadline fired.
func (m *Metrics) Late(d time.Duration) {
	m.lateness.Observe(max(d, 0).Seconds())
}

// Deleted records rows the retention job deleted from table.
func (m *Metrics) Deleted(table string, n int64) {
	m.deleted.WithLabelValues(table).Add(float64(n))
}

// Storage is what the database holds, read at a scrape: the bytes of each
// table, each bus topic's messages not yet passed by each of its consumer
// groups, and the messages of the poison topic.
type Storage struct {
	TableBytes map[string]int64
	Backlog    map[[2]string]int64 // [topic, group] → messages
	Poison     int64
}

// WatchStorage registers gauges of what read returns; a scrape that cannot
// read them in 2 s reports none.
func (m *Metrics) WatchStorage(read func(ctx context.Context) (Storage, error)) {
	m.reg.MustRegister(storageCollector{read: read})
}

var (
	tableBytesDesc = prometheus.NewDesc("chgk_table_bytes", "Size of each table on disk, with indexes and TOAST.", []string{"table"}, nil)
	backlogDesc    = prometheus.NewDesc("chgk_bus_backlog_messages", "Bus messages a consumer group has not passed yet, by topic.", []string{"topic", "group"}, nil)
	poisonDesc     = prometheus.NewDesc("chgk_poison_messages", "Messages in the poison topic: announcements that could never be made.", nil, nil)
)

type storageCollector struct {
	read func(ctx context.Context) (Storage, error)
}

func (c storageCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- tableBytesDesc
	ch <- backlogDesc
	ch <- poisonDesc
}

func (c storageCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	st, err := c.read(ctx)
	if err != nil {
		return // the database is away: /readyz says so; no made-up numbers
	}
	for t, b := range st.TableBytes {
		ch <- prometheus.MustNewConstMetric(tableBytesDesc, prometheus.GaugeValue, float64(b), t)
	}
	for k, n := range st.Backlog {
		ch <- prometheus.MustNewConstMetric(backlogDesc, prometheus.GaugeValue, float64(n), k[0], k[1])
	}
	ch <- prometheus.MustNewConstMetric(poisonDesc, prometheus.GaugeValue, float64(st.Poison))
}

// Up registers a gauge that is 1 while check says dependency answers and 0
// while it does not, read at every scrape (chgk_dependency_up).
func (m *Metrics) Up(dependency string, check func(ctx context.Context) bool) {
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "chgk_dependency_up",
		Help: "1 while the dependency answers, 0 while it does not.", ConstLabels: prometheus.Labels{"dependency": dependency}},
		func() float64 {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			if check(ctx) {
				return 1
			}
			return 0
		}))
}

// VKBudget publishes the configured VK requests per second of the token
// (chgk_vk_rps_budget), to draw the rate of calls against.
func (m *Metrics) VKBudget(rps float64) {
	g := prometheus.NewGauge(prometheus.GaugeOpts{Name: "chgk_vk_rps_budget", Help: "VK_RPS: the VK requests per second this process may make."})
	g.Set(rps)
	m.reg.MustRegister(g)
}

// VKRequest records one HTTP request to VK carrying calls method calls.
func (m *Metrics) VKRequest(calls int) { m.batch.Observe(float64(calls)) }

// VKWaiting publishes how many VK calls wait for the budget now
// (chgk_vk_calls_waiting): a queue that keeps growing means the chats ask
// for more than VK_RPS requests of 25 calls can carry.
func (m *Metrics) VKWaiting(waiting func() int) {
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "chgk_vk_calls_waiting",
		Help: "VK calls waiting in the client's queue for the rate budget."}, func() float64 { return float64(waiting()) }))
}

package metrics_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/matryer/is"

	"github.com/vkchgk/chgkbot/adapters/metrics"
)

// TestMethodLabelsAreAFixedSet: invented methods share one series.
func TestMethodLabelsAreAFixedSet(t *testing.T) {
	is := is.New(t)
	m := metrics.New(nil)
	srv := httptest.NewServer(m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})))
	defer srv.Close()
	for _, method := range []string{"GET", "BREW", "FOO1", "FOO2", "FOO3"} {
		req, _ := http.NewRequest(method, srv.URL, nil)
		resp, err := http.DefaultClient.Do(req)
		is.NoErr(err)
		resp.Body.Close()
	}
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body := rec.Body.String()
	is.True(strings.Contains(body, `chgk_http_request_duration_seconds_count{method="other",status="200"} 4`)) // the four invented methods in one series
	is.True(!strings.Contains(body, "BREW"))                                                                   // none of their own
}

// TestDeadlinesReachThroughTheRecorder: a handler's read deadline set with
// http.ResponseController applies through the metrics middleware.
func TestDeadlinesReachThroughTheRecorder(t *testing.T) {
	is := is.New(t)
	m := metrics.New(nil)
	errs := make(chan error, 1)
	srv := httptest.NewServer(m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		errs <- http.NewResponseController(w).SetReadDeadline(time.Now().Add(time.Second))
		_, _ = io.Copy(io.Discard, r.Body)
	})))
	defer srv.Close()
	resp, err := http.Post(srv.URL, "text/plain", strings.NewReader("x"))
	is.NoErr(err)
	resp.Body.Close()
	is.NoErr(<-errs) // the deadline reached the connection (ErrNotSupported without Unwrap)
}

func TestVKCallsWaitingAndPerRequest(t *testing.T) {
	is := is.New(t)
	m := metrics.New(nil)
	waiting := 7
	m.VKWaiting(func() int { return waiting })
	m.VKRequest(25)
	m.VKRequest(1)
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body := rec.Body.String()
	is.True(strings.Contains(body, "chgk_vk_calls_waiting 7"))          // the client's queue, read at the scrape
	is.True(strings.Contains(body, "chgk_vk_calls_per_request_sum 26")) // two requests carrying 26 calls
}

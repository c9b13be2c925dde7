// Package vkapi speaks to VK's method API for the bot and turns the game's
// events into VK messages: Russian text, mentions and keyboards.
//
// The Client is polite (a rate limiter shared by every call of one token
// keeps it within VK's budget), robust (transient failures are retried with
// backoff and jitter, flood control waits long) and idempotent (every send
// carries a random_id chosen by the caller, so a resend is dropped by VK).
package vkapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cenkalti/backoff/v5"

	"golang.org/x/time/rate"
)

// Version is the VK API version the client speaks.
const Version = "5.199"

// DefaultURL is VK's method API.
const DefaultURL = "https://api.vk.com/method"

// Error is an error VK returned for a method call.
type Error struct {
	Code    int    // VK's error_code, e.g. 6, 917
	Message string // VK's error_msg
	Method  string
}

func (e *Error) Error() string {
	return fmt.Sprintf("vk %s: error %d: %s", e.Method, e.Code, e.Message)
}

// Temporary reports whether the same call may succeed later: unknown error
// (1), too many requests (6), flood control (9), internal error (10).
func (e *Error) Temporary() bool {
	switch e.Code {
	case 1, 6, 9, 10:
		return true
	}
	return false
}

// HTTPError is a non-200 answer of VK's servers.
type HTTPError struct {
	Status int
	Method string
}

func (e *HTTPError) Error() string {
	return fmt.Sprintf("vk %s: HTTP %d", e.Method, e.Status)
}

// Code returns VK's error code of err, or 0 when err is not a VK error.
func Code(err error) int {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return 0
}

// Config configures a Client. Token is required; the rest have defaults.
type Config struct {
	Token   string
	URL     string        // base of the method API; DefaultURL when empty
	RPS     float64       // requests per second for this token; 20 when zero
	Retries int           // attempts after the first for a transient failure; 5 when zero
	Backoff time.Duration // first retry delay, doubled each time (±50% jitter); 250 ms when zero
	MaxWait time.Duration // the longest single retry delay; 5 s when zero
	Flood   time.Duration // the delay after flood control (error 9); 30 s when zero
	HTTP    *http.Client  // 15 s timeout when nil
	Log     *slog.Logger
	// Observe, if set, is told of every attempt: the method, VK's error
	// code (0 for success, -1 for a network or HTTP failure), the time.
	Observe func(method string, code int, d time.Duration)
	// Requests, if set, is told of every HTTP request to VK with the number
	// of calls it carried: one, or up to MaxBatch in an execute.
	Requests func(calls int)
}

// Client calls VK methods. It is safe for concurrent use; all calls share
// one rate limiter, so give one token one Client.
type Client struct {
	cfg     Config
	limiter *rate.Limiter // spaces calls evenly
	budget  *budget       // and keeps VK's count per second at or below RPS

	queue queue // calls waiting for the budget

	namesMu sync.Mutex
	names   map[int64]cachedName
}

type cachedName struct {
	name User
	at   time.Time
}

// New returns a client for cfg.Token.
func New(cfg Config) (*Client, error) {
	if cfg.Token == "" {
		return nil, errors.New("vkapi: a community token is required")
	}
	if cfg.URL == "" {
		cfg.URL = DefaultURL
	}
	cfg.URL = strings.TrimRight(cfg.URL, "/")
	if _, err := url.ParseRequestURI(cfg.URL); err != nil {
		return nil, fmt.Errorf("vkapi: bad API URL %q", cfg.URL)
	}
	if cfg.RPS <= 0 {
		cfg.RPS = 20
	}
	if cfg.Retries <= 0 {
		cfg.Retries = 5
	}
	if cfg.Backoff <= 0 {
		cfg.Backoff = 250 * time.Millisecond
	}
	if cfg.MaxWait <= 0 {
		cfg.MaxWait = 5 * time.Second
	}
	if cfg.Flood <= 0 {
		cfg.Flood = 30 * time.Second
	}
	if cfg.HTTP == nil {
		cfg.HTTP = &http.Client{Timeout: 15 * time.Second}
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	// Burst 1: calls leave spaced by 1/RPS rather than in bursts; the
	// budget makes sure they also arrive no more than RPS to a second.
	return &Client{cfg: cfg, limiter: rate.NewLimiter(rate.Limit(cfg.RPS), 1), budget: newBudget(max(1, int(cfg.RPS)), time.Second),
		names: map[int64]cachedName{}}, nil
}

// Call invokes method with params and decodes the response into out (may be
// nil). Transient failures — VK errors 1, 6, 10, HTTP 5xx, network errors —
// are retried with exponential backoff and jitter; flood control (9) waits
// Config.Flood; anything else fails at once with *Error. A transient failure
// that outlives the retries comes back as an error whose Temporary method
// says true. Call honours ctx in every wait.
func (c *Client) Call(ctx context.Context, method string, params url.Values, out any) error {
	return c.call(ctx, method, params, out, nil)
}

// call is Call; sending, if not nil, runs right before each request leaves
// (after the pacing waits), and its error cancels the call. Each attempt
// waits in the client's queue for a place in the rate budget and may ride
// in an execute with other calls (see queue); ctx's priority orders it.
func (c *Client) call(ctx context.Context, method string, params url.Values, out any, sending func() error) error {
	var err error
	pause := newBackoff(c.cfg.Backoff, c.cfg.MaxWait)
	prio := priorityOf(ctx)
	for attempt := 0; ; attempt++ {
		err = c.submit(ctx, &pending{ctx: ctx, method: method, params: params, out: out, sending: sending,
			prio: prio, peer: peerOf(params)})
		var hook hookError
		if errors.As(err, &hook) {
			return hook.error
		}
		if err == nil || ctx.Err() != nil || !retryable(err) || attempt >= c.cfg.Retries {
			break
		}
		wait := pause.NextBackOff()
		if Code(err) == 9 {
			wait = c.cfg.Flood
		}
		c.cfg.Log.Warn("vk call failed, retrying", "method", method, "peer_id", peerOf(params), "attempt", attempt+1,
			"wait", wait, "err", err)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("vk %s: %w (last error: %v)", method, ctx.Err(), err)
		case <-t.C:
		}
	}
	switch {
	case err == nil:
	case ctx.Err() != nil && !errors.Is(err, ctx.Err()):
		return fmt.Errorf("vk %s: %w (last error: %v)", method, ctx.Err(), err)
	case ctx.Err() == nil && retryable(err):
		return transient{err}
	}
	return err
}

// transient marks a failure that outlived the client's retries but may yet
// pass (VK down or overloaded, the network): the caller may try again later.
// It says so even when the cause is a network error that does not.
type transient struct{ error }

func (transient) Temporary() bool { return true }
func (t transient) Unwrap() error { return t.error }

func retryable(err error) bool {
	var ve *Error
	if errors.As(err, &ve) {
		return ve.Temporary()
	}
	var he *HTTPError
	if errors.As(err, &he) {
		return he.Status >= 500 || he.Status == http.StatusTooManyRequests
	}
	var de *decodeError
	return !errors.As(err, &de) // network errors: yes; a garbled answer: no
}

// newBackoff is the delay between retries: first, doubled after each
// failure up to top, with ±50% jitter so that many clients that failed
// together do not retry together.
func newBackoff(first, top time.Duration) *backoff.ExponentialBackOff {
	return &backoff.ExponentialBackOff{InitialInterval: first, RandomizationFactor: 0.5, Multiplier: 2, MaxInterval: top}
}

type decodeError struct{ err error }

func (e *decodeError) Error() string { return e.err.Error() }
func (e *decodeError) Unwrap() error { return e.err }

func (c *Client) once(ctx context.Context, method string, params url.Values, out any) error {
	form := url.Values{}
	for k, v := range params {
		form[k] = v
	}
	form.Set("v", Version)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.cfg.URL+"/"+method, strings.NewReader(form.Encode()))
	if err != nil {
		return fmt.Errorf("vk %s: %w", method, err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "Bearer "+c.cfg.Token)
	resp, err := c.cfg.HTTP.Do(req)
	if err != nil {
		return fmt.Errorf("vk %s: %w", method, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return fmt.Errorf("vk %s: read answer: %w", method, err)
	}
	if resp.StatusCode != http.StatusOK {
		return &HTTPError{Status: resp.StatusCode, Method: method}
	}
	var env struct {
		Response      json.RawMessage `json:"response"`
		ExecuteErrors json.RawMessage `json:"execute_errors"`
		Error         *struct {
			Code int    `json:"error_code"`
			Msg  string `json:"error_msg"`
		} `json:"error"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		return &decodeError{fmt.Errorf("vk %s: answer is not JSON: %w", method, err)}
	}
	if env.Error != nil {
		return &Error{Code: env.Error.Code, Message: env.Error.Msg, Method: method}
	}
	if env.Response == nil {
		return &decodeError{fmt.Errorf("vk %s: answer has neither response nor error", method)}
	}
	if a, ok := out.(*executeAnswer); ok {
		if err := a.fromEnvelope(env.Response, env.ExecuteErrors); err != nil {
			return &decodeError{fmt.Errorf("vk %s: unexpected response: %w", method, err)}
		}
		return nil
	}
	return decodeInto(method, env.Response, out)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// peerOf is the chat a call is about, for its log lines; "" for none.
func peerOf(p url.Values) string {
	if v := p.Get("peer_id"); v != "" {
		return v
	}
	return p.Get("peer_ids")
}

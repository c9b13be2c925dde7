package vk

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
	"time"

	"github.com/cenkalti/backoff/v5"

	"github.com/vkchgk/chgkbot/chgk/vkwire"
)

// ServerFunc asks VK for the long-poll server, key and ts of the bot's
// community (the VK client's groups.getLongPollServer, wired in apps/).
type ServerFunc func(ctx context.Context) (vkwire.LongPoll, error)

// Sink takes the updates of one long-poll answer and the ts to poll from
// next, and stores both in one step, so the ts never moves past updates
// that were not stored. An error makes the intake offer the same batch
// again, later.
type Sink interface {
	Deliver(ctx context.Context, updates []Update, next string) error
}

// Intake polls VK's Bots Long Poll and hands what it gets to a Sink.
type Intake struct {
	GroupID int64
	Server  ServerFunc
	Sink    Sink
	// TS is where to resume: the ts stored with the last delivered batch, or
	// "" to start from what the server says is now.
	TS   string
	Wait int // seconds a poll waits for updates; 25 when zero
	// Backoff is the first delay after a failure, doubled up to MaxBackoff
	// (±50% jitter); 1 s and 30 s when zero.
	Backoff    time.Duration
	MaxBackoff time.Duration
	HTTP       *http.Client // a client without its own timeout is fine: every poll gets one
	Log        *slog.Logger
}

// Run polls until ctx ends; it returns nil then. It handles the failed
// codes: 1 — take the ts VK sends; 2 — the key expired, get a new key and
// keep the ts; 3 — get a new key and ts. On a first failed 3 it keeps its
// own ts with the new key, though: taking the server's "now" would drop
// every update since the last poll, while a ts VK can no longer serve is
// answered with failed 1 and a good ts, which loses nothing VK still has.
// Only a second failed 3 in a row takes the server's ts. Network errors,
// HTTP 5xx and garbled answers are retried with backoff.
func (in *Intake) Run(ctx context.Context) error {
	wait := in.Wait
	if wait <= 0 {
		wait = 25
	}
	log := in.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	hc := in.HTTP
	if hc == nil {
		hc = &http.Client{}
	}
	ts := in.TS
	var lp vkwire.LongPoll
	lost := 0 // failed 3 answers in a row
	delays := in.backoff()
	pauseWith := func(b *backoff.ExponentialBackOff, err error, what string) bool {
		d := b.NextBackOff()
		log.Warn("long poll: "+what+", retrying", "err", err, "wait", d)
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-ctx.Done():
			return false
		case <-t.C:
			return true
		}
	}
	pause := func(err error, what string) bool { return pauseWith(delays, err, what) }
	for ctx.Err() == nil {
		if lp.Key == "" {
			fresh, err := in.Server(ctx)
			if err != nil {
				if ctx.Err() != nil || !pause(err, "cannot get the long-poll server") {
					return nil
				}
				continue
			}
			lp = fresh
			log.Debug("long poll: server", "server", lp.Server, "ts", lp.TS)
			if ts == "" {
				ts = fresh.TS
			}
		}
		ans, err := check(ctx, hc, lp, ts, wait)
		if err != nil {
			if ctx.Err() != nil || !pause(err, "poll failed") {
				return nil
			}
			continue
		}
		switch ans.Failed {
		case 0:
		case 1:
			log.Warn("long poll: history lost (failed 1), taking the new ts", "ts", ans.TS)
			ts = ans.TS
			continue
		case 2:
			log.Info("long poll: key expired (failed 2), getting a new one")
			lp.Key = ""
			continue
		case 3:
			lost++
			lp.Key = ""
			if lost > 1 {
				log.Warn("long poll: key and ts lost again (failed 3), starting over from the server's ts")
				ts = ""
			} else {
				log.Warn("long poll: key lost (failed 3), trying the old ts with a new key")
			}
			continue
		default:
			if !pause(fmt.Errorf("failed %d", ans.Failed), "unknown failure") {
				return nil
			}
			continue
		}
		delays.Reset()
		lost = 0
		if ans.TS == ts && len(ans.Updates) == 0 {
			continue
		}
		batch := make([]Update, 0, len(ans.Updates))
		for _, raw := range ans.Updates {
			u, err := Parse(raw, in.GroupID)
			switch {
			case errors.Is(err, ErrIgnored):
				continue
			case err != nil && u.Callback == "":
				log.Warn("long poll: dropping a malformed update", "err", err)
				continue
			case err != nil:
				log.Warn("long poll: a press with a bad payload", "err", err, "peer_id", int64(u.Peer))
			}
			batch = append(batch, u)
		}
		log.Debug("long poll: batch", "updates", len(ans.Updates), "kept", len(batch), "ts", ans.TS)
		// The sink is our database: retried quickly and often, so the
		// updates go on the moment it is back (VK's waits are for VK).
		sinkDelays := &backoff.ExponentialBackOff{InitialInterval: 50 * time.Millisecond, RandomizationFactor: 0.5,
			Multiplier: 2, MaxInterval: time.Second}
		for {
			err := in.Sink.Deliver(ctx, batch, ans.TS)
			if err == nil {
				break
			}
			if ctx.Err() != nil || !pauseWith(sinkDelays, err, "sink refused the batch") {
				return nil
			}
		}
		ts = ans.TS
	}
	return nil
}

// backoff is the delay after a failure: Backoff, doubled after each
// failure in a row up to MaxBackoff, with ±50% jitter (the VK client's
// retries use the same library and rule).
func (in *Intake) backoff() *backoff.ExponentialBackOff {
	base, top := in.Backoff, in.MaxBackoff
	if base <= 0 {
		base = time.Second
	}
	if top <= 0 {
		top = 30 * time.Second
	}
	return &backoff.ExponentialBackOff{InitialInterval: base, RandomizationFactor: 0.5, Multiplier: 2, MaxInterval: top}
}

// answer is a_check's answer.
type answer struct {
	TS      string
	Failed  int
	Updates []json.RawMessage
}

// withoutKey keeps the long-poll key out of an error that will be logged:
// net/http's errors carry the whole URL, and the key is a credential.
func withoutKey(err error) error {
	var ue *url.Error
	if !errors.As(err, &ue) {
		return err
	}
	u, perr := url.Parse(ue.URL)
	if perr != nil {
		return &url.Error{Op: ue.Op, URL: "(the long-poll server)", Err: ue.Err}
	}
	q := u.Query()
	if q.Has("key") {
		q.Set("key", "REDACTED")
	}
	u.RawQuery = q.Encode()
	return &url.Error{Op: ue.Op, URL: u.String(), Err: ue.Err}
}

// check makes one a_check request, with an HTTP timeout above wait.
func check(ctx context.Context, hc *http.Client, lp vkwire.LongPoll, ts string, wait int) (answer, error) {
	ctx, cancel := context.WithTimeout(ctx, time.Duration(wait+10)*time.Second)
	defer cancel()
	q := url.Values{"act": {"a_check"}, "key": {lp.Key}, "ts": {ts}, "wait": {strconv.Itoa(wait)}}
	sep := "?"
	if strings.Contains(lp.Server, "?") {
		sep = "&"
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, lp.Server+sep+q.Encode(), nil)
	if err != nil {
		return answer{}, err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return answer{}, withoutKey(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 32<<20))
	if err != nil {
		return answer{}, fmt.Errorf("read poll answer: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return answer{}, fmt.Errorf("poll answered HTTP %d", resp.StatusCode)
	}
	var raw struct {
		TS      json.RawMessage   `json:"ts"`
		Failed  int               `json:"failed"`
		Updates []json.RawMessage `json:"updates"`
	}
	if err := json.Unmarshal(body, &raw); err != nil {
		return answer{}, fmt.Errorf("poll answer is not JSON: %w", err)
	}
	// ts comes as a string, sometimes as a number.
	a := answer{TS: strings.Trim(string(raw.TS), `"`), Failed: raw.Failed, Updates: raw.Updates}
	if a.Failed == 0 && a.TS == "" {
		return answer{}, errors.New("poll answer has no ts")
	}
	if a.Failed == 1 && a.TS == "" {
		return answer{}, errors.New("failed 1 without a ts")
	}
	return a, nil
}

package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/matryer/is"

	"github.com/vkchgk/chgkbot/adapters/postgres/pgtest"
	"github.com/vkchgk/chgkbot/chgk"
)

func TestConfigDefaults(t *testing.T) {
	is := is.New(t)
	c, err := loadConfig(env(map[string]string{"DATABASE_URL": "postgres://u@h/db", "VK_TOKEN": "t", "VK_GROUP_ID": "-12"}))
	is.NoErr(err)
	is.Equal(c.Defaults, chgk.DefaultSettings())     // SPEC §7 defaults
	is.Equal(c.Lexicon, "/usr/share/hunspell/ru_RU") // Debian's Russian dictionary, where the image keeps it too
	is.Equal(c.VKRPS, 20.0)
	is.Equal(c.HTTPAddr, ":8080")
	is.Equal(c.VKAPIURL, "https://api.vk.com/method")
	is.Equal(c.VKGroupID, int64(12)) // a leading minus (as VK writes community ids) is fine
	is.Equal(len(c.Roles), 4)        // all roles by default
	off, err := loadConfig(env(map[string]string{"DATABASE_URL": "postgres://u@h/db", "CHGK_LEXICON": "off"}))
	is.NoErr(err)
	is.Equal(off.Lexicon, "") // the judge without a lexicon
	tv, err := loadConfig(env(map[string]string{"DATABASE_URL": "postgres://u@h/db", "CHGK_MODE": "tv", "CHGK_TARGET": "7", "CHGK_APPEAL_SECONDS": "4"}))
	is.NoErr(err)
	is.Equal(tv.Defaults.Mode, chgk.ModeTV) // the operator's default mode
	is.Equal(tv.Defaults.Target, 7)
	is.Equal(tv.Defaults.Appeal, 4*time.Second)
	for k, v := range map[string]string{"CHGK_MODE": "chess", "CHGK_TARGET": "2", "CHGK_APPEAL_SECONDS": "0"} {
		_, err := loadConfig(env(map[string]string{"DATABASE_URL": "postgres://u@h/db", k: v}))
		is.True(err != nil && strings.Contains(err.Error(), k)) // a bad value names its variable
	}

	c, err = loadConfig(env(map[string]string{"DATABASE_URL": "postgres://u@h/db", "CHGK_ROLES": "worker, admin",
		"CHGK_DISCUSSION_SECONDS": "0.5", "CHGK_PAUSE_SECONDS": "0"}))
	is.NoErr(err) // worker and admin need no VK token
	is.True(c.Roles["worker"] && c.Roles["admin"] && !c.Roles["poller"])
	is.Equal(c.Defaults.Discussion, 500*time.Millisecond) // fractions for fast tests
	is.Equal(c.Defaults.Pause, time.Duration(0))
}

// TestPlaygroundConfig: no VK token is the playground, pointed at this
// process or at PLAYGROUND_URL, with an admin for localhost; `chgkbot
// playground` is the playground whatever the environment says.
func TestPlaygroundConfig(t *testing.T) {
	is := is.New(t)
	c, err := loadConfig(env(map[string]string{"DATABASE_URL": "postgres://u@h/db", "HTTP_ADDR": ":9090"}))
	is.NoErr(err)
	is.True(c.Playground)
	is.Equal(c.VKAPIURL, "http://127.0.0.1:9090/vk/method") // its own simulated VK
	is.Equal(c.VKGroupID, int64(playgroundGroup))
	is.Equal(c.VKToken, playgroundToken)
	is.Equal(c.AdminEmail, "admin@localhost")
	is.Equal(c.PublicURL, "http://localhost:9090")

	c, err = loadConfig(env(map[string]string{"DATABASE_URL": "postgres://u@h/db", "CHGK_ROLES": "poller",
		"PLAYGROUND_URL": "http://admin:8080/", "ADMIN_EMAIL": "me@example.org", "ADMIN_PASSWORD": "long enough"}))
	is.NoErr(err)
	is.Equal(c.VKAPIURL, "http://admin:8080/vk/method") // another container's
	is.Equal(c.AdminEmail, "me@example.org")            // an admin set is kept

	c, err = loadConfig(env(map[string]string{"DATABASE_URL": "postgres://u@h/db", "VK_TOKEN": "t", "VK_GROUP_ID": "12"}))
	is.NoErr(err)
	is.True(!c.Playground) // a token: the real community
	is.Equal(c.VKAPIURL, "https://api.vk.com/method")
	is.Equal(c.AdminEmail, "") // and no default admin

	c, err = loadConfig(playgroundEnv(env(map[string]string{"DATABASE_URL": "postgres://u@h/db", "VK_TOKEN": "t",
		"VK_API_URL": "https://api.vk.com/method", "CHGK_ROLES": "poller"})))
	is.NoErr(err)
	is.True(c.Playground) // chgkbot playground never reaches a real community
	is.True(c.Roles["poller"] && c.Roles["worker"] && c.Roles["announcer"] && c.Roles["admin"])
}

// TestStatusPage: on a real community / says what runs and links the docs.
func TestStatusPage(t *testing.T) {
	is := is.New(t)
	c, err := loadConfig(env(map[string]string{"DATABASE_URL": "postgres://u@h/db", "VK_TOKEN": "t", "VK_GROUP_ID": "12"}))
	is.NoErr(err)
	rec := httptest.NewRecorder()
	statusPage(c).ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	body := rec.Body.String()
	is.True(strings.Contains(body, `href="/docs"`))    // the admin docs
	is.True(strings.Contains(body, "<code>12</code>")) // the community
	is.True(strings.Contains(body, "<code>worker</code>"))
}

func TestConfigErrorsNameTheVariable(t *testing.T) {
	base := map[string]string{"DATABASE_URL": "postgres://u@h/db", "VK_TOKEN": "t", "VK_GROUP_ID": "12"}
	tests := []struct {
		set  map[string]string
		want string
	}{
		{map[string]string{"DATABASE_URL": ""}, "DATABASE_URL"},
		{map[string]string{"DATABASE_URL": "mysql://x"}, "DATABASE_URL"},
		{map[string]string{"VK_TOKEN": "", "PLAYGROUND_URL": "admin:8080"}, "PLAYGROUND_URL"},
		{map[string]string{"VK_GROUP_ID": ""}, "VK_GROUP_ID"},
		{map[string]string{"VK_GROUP_ID": "club12"}, "VK_GROUP_ID"},
		{map[string]string{"VK_API_URL": "ftp://vk"}, "VK_API_URL"},
		{map[string]string{"CHGK_ROLES": "poller,cook"}, "CHGK_ROLES"},
		{map[string]string{"CHGK_ROUNDS": "0"}, "CHGK_ROUNDS"},
		{map[string]string{"CHGK_ROUNDS": "2.5"}, "CHGK_ROUNDS"},
		{map[string]string{"CHGK_LOBBY_SECONDS": "-1"}, "CHGK_LOBBY_SECONDS"},
		{map[string]string{"CHGK_ANSWER_SECONDS": "soon"}, "CHGK_ANSWER_SECONDS"},
		{map[string]string{"VK_RPS": "0"}, "VK_RPS"},
		{map[string]string{"LOG_FORMAT": "xml"}, "LOG_FORMAT"},
		{map[string]string{"LOG_LEVEL": "loud"}, "LOG_LEVEL"},
		{map[string]string{"ADMIN_EMAIL": "a@b.c"}, "ADMIN_PASSWORD"},
		{map[string]string{"ADMIN_EMAIL": "a@b.c", "ADMIN_PASSWORD": strings.Repeat("я", 37)}, "ADMIN_PASSWORD"}, // 74 bytes: bcrypt refuses over 72
		{map[string]string{"ADMIN_TRUSTED_PROXIES": "10.0.0.0/8,proxy.local"}, "ADMIN_TRUSTED_PROXIES"},
		{map[string]string{"CHGK_DB_WAIT_SECONDS": "-5"}, "CHGK_DB_WAIT_SECONDS"},
		{map[string]string{"CHGK_BUS": "kafka"}, "CHGK_BUS"},
		{map[string]string{"CHGK_BUS": "rabbitmq"}, "AMQP_URL"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			is := is.New(t)
			vars := map[string]string{}
			for k, v := range base {
				vars[k] = v
			}
			for k, v := range tt.set {
				vars[k] = v
			}
			var out, errOut bytes.Buffer
			code := run(context.Background(), []string{"run"}, env(vars), &out, &errOut)
			is.Equal(code, exitConfig)                                           // exit code 2
			is.True(strings.Contains(errOut.String(), tt.want))                  // naming the variable
			is.Equal(strings.Count(strings.TrimSpace(errOut.String()), "\n"), 0) // in one line
		})
	}
}

func TestHealthAndReadiness(t *testing.T) {
	t.Parallel()
	is := is.New(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	is.NoErr(err)
	addr := ln.Addr().String()
	is.NoErr(ln.Close())
	url := pgtest.NewURL(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int)
	go func() {
		done <- run(ctx, []string{"run"}, env(map[string]string{"DATABASE_URL": url, "CHGK_ROLES": "worker,admin",
			"HTTP_ADDR": addr, "ADMIN_EMAIL": "ops@example.org", "ADMIN_PASSWORD": "s3cret-enough"}), io.Discard, io.Discard)
	}()
	// Start-up includes hashing the first admin's password with bcrypt,
	// slow under the race detector: wait for it by the clock, generously.
	deadline := time.Now().Add(30 * time.Second)
	get := func(path string) (int, string) {
		for time.Now().Before(deadline) {
			resp, err := http.Get("http://" + addr + path)
			if err == nil {
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusServiceUnavailable {
					return resp.StatusCode, string(b)
				}
			}
			time.Sleep(20 * time.Millisecond)
		}
		return 0, ""
	}
	_, port, _ := net.SplitHostPort(addr)
	var errOut bytes.Buffer
	for time.Now().Before(deadline) { // the container healthcheck: the binary asks itself
		if run(context.Background(), []string{"healthcheck"}, env(map[string]string{"HTTP_ADDR": ":" + port}), io.Discard, &errOut) == exitOK {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	is.Equal(run(context.Background(), []string{"healthcheck"}, env(map[string]string{"HTTP_ADDR": ":" + port}), io.Discard, &errOut), exitOK)
	code, body := get("/healthz")
	is.Equal(code, http.StatusOK) // alive
	is.Equal(body, "ok\n")
	code, _ = get("/readyz")
	is.Equal(code, http.StatusOK) // ready: the database answers, the bus runs
	code, body = get("/metrics")
	is.Equal(code, http.StatusOK)
	is.True(strings.Contains(body, "chgk_live_games 0"))                                                   // Prometheus metrics, live games among them
	is.True(strings.Contains(body, `chgk_http_request_duration_seconds_count{method="GET",status="200"}`)) // HTTP timings
	code, body = get("/openapi.json")
	is.Equal(code, http.StatusOK) // the admin role serves its API document
	is.True(strings.Contains(body, "/questions"))
	resp, err := http.Post("http://"+addr+"/auth/login", "application/json",
		strings.NewReader(`{"email":"ops@example.org","password":"s3cret-enough"}`))
	is.NoErr(err)
	resp.Body.Close()
	is.Equal(resp.StatusCode, http.StatusOK) // and the first admin, made from ADMIN_EMAIL and ADMIN_PASSWORD, can log in
	cancel()
	select {
	case c := <-done:
		is.Equal(c, exitOK)                                                                                                                          // stops cleanly
		is.Equal(run(context.Background(), []string{"healthcheck"}, env(map[string]string{"HTTP_ADDR": ":" + port}), io.Discard, &errOut), exitFail) // and is then unhealthy
	case <-time.After(10 * time.Second):
		t.Fatal("no stop within 10 s")
	}
}

// TestStartGivesUpOnAnAbsentDatabase: a database that never answers is
// waited for CHGK_DB_WAIT_SECONDS, with a line per attempt, then the start
// fails with exit 1 and one line that says why.
func TestStartGivesUpOnAnAbsentDatabase(t *testing.T) {
	t.Parallel()
	is := is.New(t)
	var out, errOut bytes.Buffer
	began := time.Now()
	code := run(context.Background(), []string{"run"}, env(map[string]string{"DATABASE_URL": "postgres://u@127.0.0.1:1/db?sslmode=disable",
		"CHGK_ROLES": "worker", "CHGK_DB_WAIT_SECONDS": "1", "LOG_FORMAT": "json"}), &out, &errOut)
	is.Equal(code, exitFail)                  // gives up
	is.True(time.Since(began) >= time.Second) // after waiting the configured time
	logs := errOut.String()
	is.True(strings.Count(logs, "start-up step failed, retrying") >= 2)                // trying again and again meanwhile
	is.True(strings.Contains(logs, "did not answer within 1s (CHGK_DB_WAIT_SECONDS)")) // then says why, naming the variable
	is.Equal(strings.Count(logs, `"level":"ERROR"`), 1)                                // in one error line
}

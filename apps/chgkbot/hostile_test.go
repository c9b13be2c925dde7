package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/matryer/is"

	"github.com/vkchgk/chgkbot/adapters/postgres/pgtest"
)

// TestAdminUnderHostileClients runs the whole process and is a hostile
// client of its admin API: a body sent one byte every half second is cut
// off by the server's deadline instead of holding the connection; six
// admins stopping one game at once post its results to the chat once and
// nothing else.
func TestAdminUnderHostileClients(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the bot for a few seconds; skipped with -short")
	}
	t.Parallel()
	w := newWorld(t, pgtest.NewURL(t))
	addr := freeAddr(t)
	stop := runBot(t, w, w.env("HTTP_ADDR", addr, "ADMIN_EMAIL", "ops@example.org", "ADMIN_PASSWORD", "s3cret-enough"))
	defer stop()
	is := is.New(t)

	// A slow body: Huma's read deadline reaches the connection through the
	// metrics middleware, so the server answers 408 (or hangs up) within
	// about 5 s, not when the client pleases.
	conn, err := net.Dial("tcp", addr)
	is.NoErr(err)
	defer conn.Close()
	_, err = fmt.Fprintf(conn, "POST /auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 400\r\n\r\n")
	is.NoErr(err)
	began := time.Now()
	closed := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(conn).ReadString('\n')
		closed <- line
	}()
	var answer string
drip:
	for time.Since(began) < 20*time.Second {
		select {
		case answer = <-closed:
			break drip
		case <-time.After(500 * time.Millisecond):
			if _, err := conn.Write([]byte(" ")); err != nil {
				answer = "connection closed"
				break drip
			}
		}
	}
	held := time.Since(began)
	t.Logf("a body dripped a byte per 500 ms was cut off after %v: %q", held, strings.TrimSpace(answer))
	is.True(held < 8*time.Second) // cut off by the server, not held for as long as the client drips
	is.True(answer != "")

	// Six admins stop one game at once.
	c := w.chat(1, 101, 102)
	w.fake.Say(c.peer, 101, "/start")
	c.expect("начинает игру")
	token := adminToken(t, addr)
	var id int64
	is.NoErr(w.db.NewRaw(`SELECT id FROM games WHERE peer_id = ?`, c.peer).Scan(t.Context(), &id))
	codes := map[int]int{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequest(http.MethodPost, fmt.Sprintf("http://%s/games/%d/stop", addr, id), nil)
			req.Header.Set("Authorization", "Bearer "+token)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			mu.Lock()
			codes[resp.StatusCode]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	is.Equal(codes[http.StatusOK], 1)       // one stop
	is.Equal(codes[http.StatusConflict], 5) // five refusals, to the admins
	c.expect("Игру остановил(а) администратор")
	time.Sleep(500 * time.Millisecond) // anything more would have come by now
	for _, s := range w.fake.SentTo(c.peer) {
		is.True(!strings.Contains(s.Text, "Сейчас игры нет")) // the chat is told nothing of the refusals
	}
	c.checkNoDuplicates()
}

// adminToken logs in as the first admin.
func adminToken(t *testing.T, addr string) string {
	t.Helper()
	resp, err := http.Post("http://"+addr+"/auth/login", "application/json",
		strings.NewReader(`{"email":"ops@example.org","password":"s3cret-enough"}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct{ Token string }
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || out.Token == "" {
		t.Fatalf("login: %d %v", resp.StatusCode, err)
	}
	return out.Token
}

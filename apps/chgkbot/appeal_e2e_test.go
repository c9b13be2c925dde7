package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/matryer/is"

	"github.com/vkchgk/chgkbot/adapters/postgres/pgtest"
)

// TestAnAppeal: a «неверно» carries the captain's «Апелляция» button; only
// the captain's press files an appeal, once; an administrator accepts it
// through the admin API, the chat is told and the point moves; when the
// window closes the button goes from the verdict, in place.
func TestAnAppeal(t *testing.T) {
	t.Parallel()
	w := newWorld(t, pgtest.NewURL(t))
	addr := freeAddr(t)
	stop := runBot(t, w, w.env("HTTP_ADDR", addr, "ADMIN_EMAIL", "ops@example.org", "ADMIN_PASSWORD", "s3cret-enough",
		"CHGK_APPEAL_SECONDS", "6"))
	c := w.chat(1, 101, 102)
	is := is.New(t)
	w.fake.Say(c.peer, 101, "/start")
	c.expect("начинает игру")
	w.fake.Say(c.peer, 102, "играю")
	c.expect("Игроков: 2")
	w.fake.Say(c.peer, 101, "/go")
	round := c.expect("Раунд 1 из 2")
	captain := c.captain(round)
	other := c.others(captain)[0]
	c.press(captain, map[string]any{"a": "early", "r": 1}, round.CMID)
	choice := c.expect("Досрочный ответ")
	c.press(captain, map[string]any{"a": "pick", "r": 1, "u": other}, choice.CMID)
	c.expectSaid(choice, "Отвечает")
	w.fake.Say(c.peer, other, "совсем не то")
	verdict := c.expect("❌ Неверно")
	is.True(strings.Contains(verdict.Text, "Капитан может подать апелляцию")) // the verdict offers an appeal
	is.True(strings.Contains(verdict.Keyboard, "Апелляция"))                  // with a button

	payload := map[string]any{"a": "appeal", "r": 1, "g": gameOf(t, verdict.Keyboard)}
	is.True(strings.Contains(c.press(other, payload, verdict.CMID), "только капитан")) // the captain's only
	is.Equal(c.press(captain, payload, verdict.CMID), "")                              // filed
	filed := c.expect("подаёт апелляцию")
	is.True(strings.Contains(filed.Text, "«совсем не то»"))
	is.True(strings.Contains(c.press(captain, payload, verdict.CMID), "уже подана")) // once per round

	token := adminToken(t, addr)
	req, _ := http.NewRequest(http.MethodGet, "http://"+addr+"/appeals?status=pending", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	is.NoErr(err)
	var list struct {
		Items []struct {
			ID int64 `json:"id"`
		} `json:"items"`
	}
	is.NoErr(json.NewDecoder(resp.Body).Decode(&list))
	resp.Body.Close()
	is.Equal(len(list.Items), 1) // the admin sees it
	req, _ = http.NewRequest(http.MethodPost, fmt.Sprintf("http://%s/appeals/%d/accept", addr, list.Items[0].ID),
		strings.NewReader(`{"note":"по сути верно","add_alternative":true}`))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err = http.DefaultClient.Do(req)
	is.NoErr(err)
	resp.Body.Close()
	is.Equal(resp.StatusCode, http.StatusOK) // accepted
	decided := c.expect("Апелляция принята")
	is.True(strings.Contains(decided.Text, "знатоки 1 : 0 бот")) // the point moved
	is.True(strings.Contains(decided.Text, "Комментарий жюри: по сути верно"))

	// The window closes 6 s after the verdict: the button goes, the text stays.
	deadline := time.Now().Add(w.timeout)
	for {
		var last string
		for _, e := range w.fake.Edits() {
			if e.Peer == c.peer && e.CMID == verdict.CMID {
				last = e.Keyboard
			}
		}
		if last != "" && !strings.Contains(last, "Апелляция") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the appeal button was never taken away")
		}
		time.Sleep(20 * time.Millisecond)
	}
	w.fake.Say(c.peer, 101, "/stop")
	end := c.expect("Игру остановил")
	is.True(strings.Contains(end.Text, "знатоки 1 : 0 бот")) // the results count the appeal
	c.checkNoDuplicates()
	is.Equal(stop(), 0)
}

// gameOf reads the game id from an appeal button's payload.
func gameOf(t *testing.T, keyboard string) int64 {
	t.Helper()
	i := strings.Index(keyboard, `\"g\":`)
	if i < 0 {
		t.Fatalf("no game in %s", keyboard)
	}
	var g int64
	fmt.Sscanf(keyboard[i+len(`\"g\":`):], "%d", &g)
	return g
}

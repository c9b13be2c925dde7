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
	"github.com/vkchgk/chgkbot/adapters/vksim"
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
	is.True(!strings.Contains(c.lastKeyboard(verdict), "Апелляция"))                 // the button went as it was used
	is.True(strings.Contains(c.press(captain, payload, verdict.CMID), "уже подана")) // once per round

	mark := c.next // round 2 may begin while the admin decides
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

	// Round 2 runs on its timers and ends the game on a wrong answer: the
	// results offer the appeal, and when its window closes (6 s) the
	// button goes and «Сыграть ещё» stays.
	c.next = mark
	c.expect("Раунд 2 из 2")
	timeUp := c.expect("⏰ Время!")
	c.expectSaid(timeUp, "Капитан не выбрал")
	w.fake.Say(c.peer, captain, "тоже не то")
	end := c.expect("Игра окончена")
	is.True(strings.Contains(end.Text, "знатоки 1 : 1 бот")) // the results count the appeal
	is.True(strings.Contains(end.Keyboard, "Апелляция") && strings.Contains(end.Keyboard, "Сыграть ещё"))
	deadline := time.Now().Add(w.timeout)
	for kb := c.lastKeyboard(end); strings.Contains(kb, "Апелляция"); kb = c.lastKeyboard(end) {
		if time.Now().After(deadline) {
			t.Fatalf("the appeal button was never taken away: %s", kb)
		}
		time.Sleep(20 * time.Millisecond)
	}
	is.True(strings.Contains(c.lastKeyboard(end), "Сыграть ещё")) // the other button stays
	edited := c.lastEdit(end)
	is.True(edited.At.Sub(end.At) >= 5*time.Second) // not before the window closed (6 s after the verdict was judged)
	c.checkNoDuplicates()
	is.Equal(stop(), 0)
}

// lastEdit is message m's last edit (zero if none).
func (c *chat) lastEdit(m vksim.Sent) vksim.Edit {
	var last vksim.Edit
	for _, e := range c.w.fake.Edits() {
		if e.Peer == c.peer && e.CMID == m.CMID {
			last = e
		}
	}
	return last
}

// lastKeyboard is message m's buttons as they are now.
func (c *chat) lastKeyboard(m vksim.Sent) string {
	if e := c.lastEdit(m); e.CMID != 0 {
		return e.Keyboard
	}
	return m.Keyboard
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

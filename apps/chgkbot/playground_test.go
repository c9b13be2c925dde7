package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/matryer/is"

	"github.com/vkchgk/chgkbot/adapters/postgres"
	"github.com/vkchgk/chgkbot/adapters/postgres/pgtest"
	"github.com/vkchgk/chgkbot/internal/browsertest"
)

// playgroundProcess is `chgkbot playground` run in-process on a database.
type playgroundProcess struct {
	t      *testing.T
	addr   string
	vars   map[string]string
	logs   *logBuffer
	cancel context.CancelFunc
	done   chan int
}

// playground starts `chgkbot playground` on url and returns it once it
// answers; it stops when t ends.
func playground(t *testing.T, url string) *playgroundProcess {
	t.Helper()
	p := &playgroundProcess{t: t, addr: freeAddr(t), logs: &logBuffer{}}
	p.vars = map[string]string{"DATABASE_URL": url, "HTTP_ADDR": p.addr, "CHGK_ROUNDS": "2", "CHGK_PAUSE_SECONDS": "0.5",
		// Long phases: the test moves the game on with the buttons, as
		// players who are quick would, and never waits for a timer.
		"CHGK_LOBBY_SECONDS": "120", "CHGK_DISCUSSION_SECONDS": "120", "CHGK_CHOICE_SECONDS": "120", "CHGK_ANSWER_SECONDS": "120",
		"VK_TOKEN": "a real token the playground must not use"}
	p.start()
	t.Cleanup(func() {
		p.stop()
		if t.Failed() {
			t.Logf("bot logs:\n%s", p.logs.String())
		}
	})
	return p
}

func (p *playgroundProcess) start() {
	p.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	p.cancel, p.done = cancel, make(chan int, 1)
	go func() {
		p.done <- run(ctx, []string{"playground"}, func(k string) string { return p.vars[k] }, p.logs, p.logs)
	}()
	for deadline := time.Now().Add(30 * time.Second); ; {
		if resp, err := http.Get("http://" + p.addr + "/healthz"); err == nil {
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("the playground did not answer; logs:\n%s", p.logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if !strings.Contains(p.logs.String(), "playground: open http://") {
		p.t.Fatalf("no playground line in the logs:\n%s", p.logs.String())
	}
}

// stop stops the process gracefully, as SIGTERM does.
func (p *playgroundProcess) stop() {
	if p.cancel == nil {
		return
	}
	p.cancel()
	<-p.done
	p.cancel = nil
	if strings.Contains(p.logs.String(), "did not stop in time") {
		p.t.Error("the playground did not stop gracefully") // an open page must not hold the stop
	}
}

// page drives the playground page in a browser, as a person playing a
// whole team would.
type page struct {
	t *testing.T
	b *browsertest.Browser
}

func (p *page) run(actions ...chromedp.Action) {
	p.t.Helper()
	step, cancelStep := context.WithTimeout(p.b.Ctx, 30*time.Second)
	defer cancelStep()
	if err := chromedp.Run(step, actions...); err != nil {
		var body string
		var png []byte
		ctx, cancel := context.WithTimeout(p.b.Ctx, 5*time.Second)
		defer cancel()
		_ = chromedp.Run(ctx, chromedp.Text("body", &body, chromedp.ByQuery), chromedp.CaptureScreenshot(&png))
		shot := filepath.Join(os.TempDir(), "chgk-playground-failure.png")
		_ = os.WriteFile(shot, png, 0o644)
		p.t.Fatalf("%v; script errors: %v; the page (screenshot in %s) reads:\n%s", err, p.b.Errors(), shot, body)
	}
}

// botMessage is the XPath of the bot's last message that contains text.
func botMessage(text string) string {
	return fmt.Sprintf(`(//li[@data-testid="bot-message"][contains(., %q)])[last()]`, text)
}

// waitBot waits for the bot's message with text and returns what it reads.
func (p *page) waitBot(text string) string {
	p.t.Helper()
	var got string
	p.run(chromedp.WaitVisible(botMessage(text), chromedp.BySearch), chromedp.Text(botMessage(text), &got, chromedp.BySearch))
	return got
}

// as makes name the member who speaks and presses.
func (p *page) as(name string) {
	p.t.Helper()
	var ok bool
	p.run(chromedp.Evaluate(fmt.Sprintf(`(() => {
		const sel = document.getElementById("speaker");
		const o = [...sel.options].find((o) => o.textContent === %q);
		if (!o) return false;
		sel.value = o.value;
		sel.dispatchEvent(new Event("change"));
		return true;
	})()`, name), &ok))
	if !ok {
		p.t.Fatalf("%s is not a member to speak as", name)
	}
}

// say types text and sends it with Enter.
func (p *page) say(name, text string) {
	p.t.Helper()
	p.as(name)
	p.run(chromedp.SendKeys("#text", text+"\r", chromedp.ByQuery))
}

// press presses the button label of the bot's last message with text.
func (p *page) press(name, text, label string) {
	p.t.Helper()
	p.as(name)
	p.run(chromedp.Click(fmt.Sprintf(`%s//button[text()=%q]`, botMessage(text), label), chromedp.BySearch))
}

var pageCaptainRE = regexp.MustCompile(`Капитан (\S+) может ответить досрочно`)

// TestPlaygroundInABrowser plays a whole two-round game in the playground
// page, in Chromium, through the real poller, worker and announcer against
// the simulated VK: a chat, three members, /start, joins by button,
// «Поехали!», the captain's choice by button, a right and a wrong answer,
// and a non-captain's press answered with a snackbar; the process restarts
// between the rounds, and the page and the game go on. It saves the page as
// docs/playground.png for the README.
func TestPlaygroundInABrowser(t *testing.T) {
	b := browsertest.New(t, 3*time.Minute)
	url := pgtest.NewURL(t)
	db, err := postgres.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	w := &world{t: t, db: db}
	answers := w.answers()
	bot := playground(t, url)
	addr := bot.addr
	began := time.Now()
	is := is.New(t)
	p := &page{t: t, b: b}

	p.run(network.Enable(), chromedp.Navigate("http://"+addr+"/"),
		chromedp.WaitVisible("#new-chat-title", chromedp.ByQuery),
		chromedp.SendKeys("#new-chat-title", "Пятничная команда\r", chromedp.ByQuery),
		chromedp.WaitVisible(`//li[@data-peer][text()="Пятничная команда"]`, chromedp.BySearch))
	names := []string{"Анна", "Борис", "Вера"}
	for _, n := range names {
		p.run(chromedp.SendKeys("#member-name", n+"\r", chromedp.ByQuery),
			chromedp.WaitVisible(fmt.Sprintf(`//div[@id="members"][contains(., %q)]`, n), chromedp.BySearch))
	}
	p.waitBot("Всем привет") // the bot greets the chat it was added to

	p.say("Анна", "/start")
	p.waitBot("Регистрация открыта")
	p.run(chromedp.WaitVisible(`//*[@id="phase-name"][text()="Регистрация"]`, chromedp.BySearch)) // the phase panel reads the chat
	for _, n := range names[1:] {                                                                 // Анна, who started, is in already
		p.press(n, "Регистрация открыта", "Я играю")
		p.waitBot(n + " в команде")
	}
	p.press("Анна", "Регистрация открыта", "Я играю")
	p.run(chromedp.WaitVisible(`//*[@data-testid="toast"][contains(., "Анна: Вы уже в команде")]`, chromedp.BySearch))
	p.press("Вера", "Регистрация открыта", "Поехали!")

	for round, give := range []string{"right", "wrong"} {
		text := p.waitBot(fmt.Sprintf("Раунд %d из 2", round+1))
		m := pageCaptainRE.FindStringSubmatch(text)
		if m == nil {
			t.Fatalf("no captain in %q", text)
		}
		captain := m[1]
		answer := ""
		for q, a := range answers {
			if strings.Contains(text, q) {
				answer = a
			}
		}
		is.True(answer != "") // the question is one of the database's
		p.run(chromedp.WaitVisible(`//*[@id="phase-name"][text()="Обсуждение"]`, chromedp.BySearch))
		p.press(captain, fmt.Sprintf("Раунд %d из 2", round+1), "Ответить досрочно")
		choice := fmt.Sprintf("Раунд %d: %s, кто отвечает?", round+1, captain)
		p.waitBot(choice)
		other := names[0]
		if other == captain {
			other = names[1]
		}
		if round == 0 {
			// Someone else's press is refused with a snackbar.
			p.press(other, choice, other)
			p.run(chromedp.WaitVisible(`//*[@data-testid="toast"][contains(., "Это решает только капитан")]`, chromedp.BySearch))
		}
		p.press(captain, choice, other)
		p.waitBot(fmt.Sprintf("Отвечает %s! Раунд %d", other, round+1)) // the choice message, edited in place
		p.run(chromedp.WaitVisible(`//*[@id="phase-name"][text()="Ответ"]`, chromedp.BySearch))
		if give == "right" {
			p.say(other, answer)
			p.waitBot("✅ Верно!")
			// A restart between the rounds: the simulated VK keeps the
			// chat, the page reconnects, and the game goes on.
			bot.stop()
			bot.start()
		} else {
			p.say(other, "абракадабра")
			p.waitBot("❌ Неверно")
		}
	}
	final := p.waitBot("Игра окончена")
	is.True(strings.Contains(final, "Ничья"))             // one round each
	is.True(strings.Contains(final, "знатоки 1 : 1 бот")) // the final score
	p.run(chromedp.WaitVisible(`//*[@id="phase-name"][text()="Игра окончена"]`, chromedp.BySearch))
	t.Logf("the game took %v in the browser", time.Since(began).Round(time.Millisecond))

	var png []byte
	p.run(chromedp.ScrollIntoView(botMessage("Игра окончена"), chromedp.BySearch),
		chromedp.WaitNotPresent(`[data-testid="toast"]`, chromedp.ByQuery), chromedp.CaptureScreenshot(&png))
	if err := os.WriteFile("../../docs/playground.png", png, 0o644); err != nil {
		t.Fatal(err)
	}
	// On a phone's screen the chat still has its composer in view.
	var fits bool
	p.run(chromedp.EmulateViewport(390, 844), chromedp.WaitVisible("#menu", chromedp.ByQuery),
		chromedp.Evaluate(`document.getElementById("send").getBoundingClientRect().bottom <= window.innerHeight`, &fits))
	is.True(fits) // the send button is on the screen
	requests, outside := b.Requests()
	t.Logf("%d requests, outside localhost: %v", requests, outside)
	is.Equal(len(outside), 0) // the page needs nothing from the internet
}

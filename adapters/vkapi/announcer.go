package vkapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/vkchgk/chgkbot/chgk"
)

// Permanent reports whether the same call will fail the same way however
// often it is retried: anything but VK's temporary errors.
func (e *Error) Permanent() bool { return !e.Temporary() }

// Permanent reports whether the status is the client's fault (4xx but 429).
func (e *HTTPError) Permanent() bool {
	return e.Status >= 400 && e.Status < 500 && e.Status != http.StatusTooManyRequests
}

// KeyboardStore remembers each chat's live choice message (the Postgres
// store implements it).
type KeyboardStore interface {
	LiveKeyboard(ctx context.Context, peer int64) (cmid int64, text, key string, ok bool, err error)
	SetLiveKeyboard(ctx context.Context, peer, cmid int64, text, key string) error
}

// Announcer renders game events and sends them to VK. Each announcement has
// a key; its messages' random_ids derive from it, so a repeat after a crash
// is dropped by VK instead of shown twice.
//
// It spends VK's budget with care, as a busy community needs (five calls
// a round): the captain's choice message, once the choice is made, becomes
// "Отвечает Анна" in place instead of losing its buttons in one call and
// being followed by a new message in another. Other buttons stay where
// they are: a press on one that no longer applies gets a snackbar saying
// so, which costs a call only when someone presses.
type Announcer struct {
	Client    *Client
	Keyboards KeyboardStore
	// Appeals keeps the verdict messages whose «Апелляция» button must go
	// when its window closes (CloseAppeals); nil: buttons stay.
	Appeals AppealButtons
	Log     *slog.Logger
}

// AppealButtons remembers the verdict messages with an appeal button (the
// Postgres store implements it): the text and buttons (JSON; empty for
// none) each keeps once its window closes.
type AppealButtons interface {
	AddAppealButton(ctx context.Context, peer, cmid, game int64, round int, closes time.Time, text, keyboard string) error
	RoundAppealButton(ctx context.Context, peer, game int64, round int) (cmid int64, text, keyboard string, ok bool, err error)
	NextAppealButton(ctx context.Context) (peer, cmid int64, closes time.Time, text, keyboard string, ok bool, err error)
	DoneAppealButton(ctx context.Context, peer, cmid int64) error
}

// The live choice message's record has its announcement's key with a prefix
// that says what the message is now: still asking (choiceKey), or already
// edited into the answerer's announcement (chosenKey). A record written by
// an older version has no prefix and is left alone.
const (
	choiceKey = "choice:"
	chosenKey = "chosen:"
	// The round's message, while its discussion runs: the 10-second
	// warning edits it (roundKey), once (warnedKey).
	roundKey  = "round:"
	warnedKey = "warned:"
)

// RandomID derives the random_id of part i of announcement key: stable, so
// a resend is a repeat to VK; positive and never 0 (0 turns dedup off).
func RandomID(key string, i int) int64 {
	h := fnv.New64a()
	h.Write([]byte(key))
	h.Write([]byte{':'})
	h.Write([]byte(strconv.Itoa(i)))
	id := int64(h.Sum64() & (1<<62 - 1))
	if id == 0 {
		id = 1
	}
	return id
}

// Prepare implements bus.Announcer: a game that ends while the captain is
// choosing has the choice buttons taken away, and so does a super-blitz's
// choice of the expert once its first question is read.
func (a *Announcer) Prepare(ctx context.Context, key string, peer chgk.PeerID, e chgk.Event) error {
	_, ended := e.(chgk.GameEnded)
	rs, round := e.(chgk.RoundStarted)
	if !ended && !(round && rs.Sector.Kind == chgk.SectorSuperBlitz && rs.Sector.Part == 1) {
		return nil
	}
	cmid, text, owner, ok, err := a.Keyboards.LiveKeyboard(ctx, int64(peer))
	if err != nil || !ok || !strings.HasPrefix(owner, choiceKey) {
		return err
	}
	if err := a.Client.Edit(WithPriority(ctx, Phase), int64(peer), cmid, text, nil); err != nil {
		var ve *Error
		if !errors.As(err, &ve) || !ve.Permanent() {
			return err
		}
		// Too old, deleted, not ours: the buttons cannot be taken away.
		a.Log.Warn("could not remove old buttons", "peer_id", int64(peer), "cmid", cmid, "err", err)
	}
	return a.Keyboards.SetLiveKeyboard(ctx, int64(peer), 0, "", "")
}

// Announce implements bus.Announcer: it returns the cmid of the event's
// first message; sending runs before each request of that first message.
func (a *Announcer) Announce(ctx context.Context, key string, peer chgk.PeerID, e chgk.Event, sending func() error) (int64, error) {
	prio := Info
	if opensPhase(e) {
		prio = Phase
	}
	if w, ok := e.(chgk.DiscussionWarned); ok {
		return 0, a.warn(WithPriority(ctx, Urgent), key, int64(peer), w)
	}
	if f, ok := e.(chgk.AppealFiled); ok && a.Appeals != nil {
		// One appeal a round: its button goes as it is used.
		if err := a.takeAppealButton(ctx, int64(peer), f.Appeal.Game, f.Appeal.Round); err != nil {
			return 0, err
		}
	}
	ctx = WithPriority(ctx, prio)
	posts := Render(e)
	if chosen, ok := e.(chgk.AnswererChosen); ok && !chosen.Solo && len(posts) == 1 {
		if cmid, edited, err := a.editChoice(ctx, key, int64(peer), posts[0].Text, sending); edited || err != nil {
			return cmid, err
		}
	}
	var first int64
	for i, p := range posts {
		hook := sending
		if i > 0 {
			hook = nil
		}
		cmid, err := a.Client.SendNoting(ctx, Message{Peer: int64(peer), RandomID: RandomID(key, i), Text: p.Text, Keyboard: p.Keyboard}, hook)
		if err != nil {
			return 0, err
		}
		if i == 0 {
			first = cmid
		}
		if _, asks := e.(chgk.AnswererAsked); asks && p.Keyboard != nil {
			if err := a.Keyboards.SetLiveKeyboard(ctx, int64(peer), cmid, p.Text, choiceKey+key); err != nil {
				return 0, err
			}
		}
		if _, round := e.(chgk.RoundStarted); round && p.Keyboard != nil {
			if err := a.Keyboards.SetLiveKeyboard(ctx, int64(peer), cmid, p.Text, roundKey+key); err != nil {
				return 0, err
			}
		}
		if game, round, until := appealOf(e); !until.IsZero() && p.Keyboard != nil && a.Appeals != nil {
			if err := a.rememberAppeal(ctx, int64(peer), cmid, game, round, until, p); err != nil {
				return 0, err
			}
		}
	}
	return first, nil
}

// editChoice turns the live choice message into text (the answerer's
// announcement) and reports whether it did; with no choice message to edit
// the caller sends text as a new message. A redelivery finds its own
// edit done and makes no call.
func (a *Announcer) editChoice(ctx context.Context, key string, peer int64, text string, sending func() error) (int64, bool, error) {
	cmid, _, owner, ok, err := a.Keyboards.LiveKeyboard(ctx, peer)
	switch {
	case err != nil:
		return 0, false, err
	case ok && owner == chosenKey+key:
		return cmid, true, nil
	case !ok || !strings.HasPrefix(owner, choiceKey):
		return 0, false, nil
	}
	if err := a.Client.EditNoting(ctx, peer, cmid, text, nil, sending); err != nil {
		var ve *Error
		if errors.As(err, &ve) && ve.Permanent() && ve.Code != 914 && ve.Code != 911 {
			// The message cannot be edited (deleted, too old): say it anew.
			a.Log.Warn("could not edit the choice message; sending a new one", "peer_id", peer, "cmid", cmid, "err", err)
			return 0, false, a.Keyboards.SetLiveKeyboard(ctx, peer, 0, "", "")
		}
		return 0, false, err
	}
	return cmid, true, a.Keyboards.SetLiveKeyboard(ctx, peer, cmid, text, chosenKey+key)
}

// warn edits the round's message to say its discussion is about to end:
// no new message (SPEC §8). A redelivery finds its edit done; a round
// message the bot does not know (sent by a version before the warning)
// goes without. A discussion lengthened by an extra minute after its
// warning is warned again, in the same message.
func (a *Announcer) warn(ctx context.Context, key string, peer int64, e chgk.DiscussionWarned) error {
	cmid, text, owner, ok, err := a.Keyboards.LiveKeyboard(ctx, peer)
	switch {
	case err != nil:
		return err
	case ok && owner == warnedKey+key:
		return nil
	case !ok || !strings.HasPrefix(owner, roundKey) && !strings.HasPrefix(owner, warnedKey):
		a.Log.Debug("no round message to warn in", "peer_id", peer, "round", e.Round)
		return nil
	}
	if err := a.Client.Edit(ctx, peer, cmid, text+"\n\n"+warning(e), roundKeyboard(e.Round, e.Minute)); err != nil {
		var ve *Error
		if errors.As(err, &ve) && ve.Permanent() {
			// Deleted, too old to edit: the warning is a courtesy, not a rule.
			a.Log.Warn("could not edit the round message to warn", "peer_id", peer, "cmid", cmid, "err", err)
			return nil
		}
		return err
	}
	return a.Keyboards.SetLiveKeyboard(ctx, peer, cmid, text, warnedKey+key)
}

// SentAt implements bus.Announcer.
func (a *Announcer) SentAt(ctx context.Context, peer chgk.PeerID, cmid int64) (time.Time, error) {
	return a.Client.SentAt(WithPriority(ctx, Phase), int64(peer), cmid)
}

// opensPhase reports whether e moves a game on: a clock waits for its
// message.
func opensPhase(e chgk.Event) bool {
	switch e.(type) {
	case chgk.LobbyOpened, chgk.GameStarted, chgk.RoundStarted, chgk.AnswererAsked, chgk.AnswererChosen,
		chgk.RoundJudged, chgk.GameEnded:
		return true
	}
	return false
}

// Answer implements bus.Announcer: a presser waits, so it is urgent.
func (a *Announcer) Answer(ctx context.Context, callback string, user chgk.UserID, peer chgk.PeerID, reason string) error {
	text := ""
	if reason != "" {
		text = Refusal(chgk.RuleError(reason))
	}
	return a.Client.AnswerEvent(WithPriority(ctx, Urgent), callback, int64(user), int64(peer), text)
}

// Page implements bus.Announcer: it redraws the answerer buttons of the
// live choice message cmid at another page.
func (a *Announcer) Page(ctx context.Context, peer chgk.PeerID, cmid int64, round, page int, players []chgk.Player) error {
	live, text, owner, ok, err := a.Keyboards.LiveKeyboard(ctx, int64(peer))
	if err != nil {
		return err
	}
	if !ok || live != cmid || !strings.HasPrefix(owner, choiceKey) {
		return nil // the choice is over; the press was answered already
	}
	return a.Client.Edit(WithPriority(ctx, Urgent), int64(peer), cmid, text, ChoiceKeyboard(players, round, page))
}

// Greet implements bus.Announcer.
func (a *Announcer) Greet(ctx context.Context, key string, peer chgk.PeerID) error {
	_, err := a.Client.Send(WithPriority(ctx, Info), Message{Peer: int64(peer), RandomID: RandomID(key, 0), Text: Greeting})
	return err
}

// ReplyPrivate implements bus.Announcer.
func (a *Announcer) ReplyPrivate(ctx context.Context, key string, peer chgk.PeerID) error {
	_, err := a.Client.Send(WithPriority(ctx, Info), Message{Peer: int64(peer), RandomID: RandomID(key, 0), Text: PrivateReply})
	if Code(err) == 901 {
		return nil // the user does not allow messages from the community
	}
	return err
}

// NameCache keeps VK users' names between runs (the Postgres store
// implements it).
type NameCache interface {
	CachedNames(ctx context.Context, maxAge time.Duration, ids ...int64) (map[int64][2]string, error)
	SaveName(ctx context.Context, id int64, first, last string) error
}

// Names resolves members' names: from the cache, else VK's users.get.
// Without a Client (a worker with no token) it reads the cache alone.
type Names struct {
	Client *Client // nil: names come from the cache only, however old
	Cache  NameCache
	Log    *slog.Logger
}

// Player implements bus.Names. It never fails: a member whose name cannot
// be learnt now is shown as "id123".
func (n *Names) Player(ctx context.Context, id chgk.UserID) chgk.Player {
	p := chgk.Player{ID: id, Name: fmt.Sprintf("id%d", id)}
	if n.Client != nil {
		if u, ok := n.Client.CachedUser(int64(id)); ok && u.FirstName != "" {
			p.Name = u.FirstName // the common case: no database, no VK
			return p
		}
	}
	maxAge := nameTTL * 4
	if n.Client == nil {
		maxAge = 100 * 365 * 24 * time.Hour // an old name beats none when VK cannot be asked
	}
	if cached, err := n.Cache.CachedNames(ctx, maxAge, int64(id)); err == nil {
		if name, ok := cached[int64(id)]; ok && name[0] != "" {
			p.Name = name[0]
			return p
		}
	}
	if n.Client == nil {
		return p
	}
	users, err := n.Client.Users(ctx, int64(id))
	if err != nil {
		n.Log.Warn("could not learn a member's name", "user_id", int64(id), "err", err)
		return p
	}
	if u, ok := users[int64(id)]; ok && u.FirstName != "" {
		p.Name = u.FirstName
		if err := n.Cache.SaveName(ctx, int64(id), u.FirstName, u.LastName); err != nil {
			n.Log.Warn("could not cache a name", "user_id", int64(id), "err", err)
		}
	}
	return p
}

// appealOf is the verdict an event's message offers to appeal, and when
// its button must go; zero when it carries none.
func appealOf(e chgk.Event) (game int64, round int, until time.Time) {
	switch e := e.(type) {
	case chgk.RoundJudged:
		return e.Game, e.Round, e.AppealUntil
	case chgk.GameEnded:
		if rs := e.Results.Rounds; len(rs) > 0 {
			return e.Results.GameID, rs[len(rs)-1].Number, e.AppealUntil
		}
	}
	return 0, 0, time.Time{}
}

// takeAppealButton takes a round's appeal button away now, if it is
// still there; a redelivery finds it gone.
func (a *Announcer) takeAppealButton(ctx context.Context, peer, game int64, round int) error {
	cmid, text, kb, ok, err := a.Appeals.RoundAppealButton(ctx, peer, game, round)
	if err != nil || !ok {
		return err
	}
	return a.closeAppeal(WithPriority(ctx, Urgent), peer, cmid, text, kb)
}

// rememberAppeal records the message p became, to take its appeal button
// away at until and keep the rest.
func (a *Announcer) rememberAppeal(ctx context.Context, peer, cmid, game int64, round int, until time.Time, p Post) error {
	rest := &Keyboard{Inline: p.Keyboard.Inline}
	for _, row := range p.Keyboard.Buttons {
		if len(row) > 0 && row[0].Action.Label == AppealLabel {
			continue
		}
		rest.Buttons = append(rest.Buttons, row)
	}
	kb := ""
	if len(rest.Buttons) > 0 {
		b, err := json.Marshal(rest)
		if err != nil {
			return fmt.Errorf("the buttons that stay: %w", err)
		}
		kb = string(b)
	}
	return a.Appeals.AddAppealButton(ctx, peer, cmid, game, round, until, p.Text, kb)
}

// CloseAppeals takes away each appeal button when its window closes, by
// editing its message: the text stays, the other buttons too. It runs
// until ctx ends; the windows are in the database, so a restart closes
// the ones that closed while it was down at once. A message VK will not
// edit (deleted, too old) is let go; a temporary failure is tried again.
func (a *Announcer) CloseAppeals(ctx context.Context, now func() time.Time) error {
	const idle = 5 * time.Second // a button recorded meanwhile is seen this soon
	for {
		wait := idle
		peer, cmid, closes, text, kb, ok, err := a.Appeals.NextAppealButton(ctx)
		switch {
		case err != nil:
			a.Log.Warn("appeal buttons: cannot read", "err", err)
		case ok && !closes.After(now()):
			if err := a.closeAppeal(WithPriority(ctx, Info), peer, cmid, text, kb); err != nil {
				a.Log.Warn("appeal buttons: cannot take one away yet", "peer_id", peer, "cmid", cmid, "err", err)
				wait = time.Second
			} else {
				wait = 0
			}
		case ok:
			wait = min(idle, closes.Sub(now()))
		}
		if wait > 0 {
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(wait):
			}
		} else if ctx.Err() != nil {
			return nil
		}
	}
}

// closeAppeal edits the message into text and kb, at ctx's priority: a
// window that closed can wait for a chat's turn, a filed appeal's button
// goes before the message that says it was filed.
func (a *Announcer) closeAppeal(ctx context.Context, peer, cmid int64, text, kb string) error {
	var keyboard *Keyboard
	if kb != "" {
		keyboard = &Keyboard{}
		if err := json.Unmarshal([]byte(kb), keyboard); err != nil {
			a.Log.Error("appeal buttons: a stored keyboard does not read; the message loses all its buttons", "err", err)
			keyboard = nil
		}
	}
	if err := a.Client.Edit(ctx, peer, cmid, text, keyboard); err != nil {
		var ve *Error
		if !errors.As(err, &ve) || !ve.Permanent() {
			return err
		}
		a.Log.Warn("appeal buttons: the message cannot be edited; its button stays", "peer_id", peer, "cmid", cmid, "err", err)
	}
	return a.Appeals.DoneAppealButton(ctx, peer, cmid)
}

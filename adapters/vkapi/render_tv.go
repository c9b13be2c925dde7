package vkapi

import (
	"fmt"
	"strings"

	"github.com/vkchgk/chgkbot/chgk"
	"github.com/vkchgk/chgkbot/chgk/vkwire"
)

// The TV game's texts (SPEC §8). A TV game's events have a Sector; a rounds
// game's have none and render as before.

// tv reports whether a sector belongs to a TV game.
func tv(s chgk.Sector) bool { return s.Number != 0 }

// question names a question of a game: «Раунд 3 из 6» in a rounds game,
// «Вопрос 3» in a TV game, «Блиц, вопрос 2 из 3» inside a blitz.
func question(round, of int, s chgk.Sector) string {
	switch {
	case !tv(s):
		return fmt.Sprintf("Раунд %d из %d", round, of)
	case s.Kind == chgk.SectorBlitz:
		return fmt.Sprintf("Блиц, вопрос %d из %d", s.Part, chgk.BlitzQuestions)
	case s.Kind == chgk.SectorSuperBlitz:
		return fmt.Sprintf("Суперблиц, вопрос %d из %d", s.Part, chgk.BlitzQuestions)
	}
	return fmt.Sprintf("Вопрос %d", round)
}

// sectorName is a sector as the table names it.
func sectorName(s chgk.Sector) string {
	switch s.Kind {
	case chgk.SectorBlitz:
		return fmt.Sprintf("сектор %d — ⚡ блиц", s.Number)
	case chgk.SectorSuperBlitz:
		return fmt.Sprintf("сектор %d — 🌟 суперблиц", s.Number)
	case chgk.SectorThirteen:
		return "13-й сектор"
	}
	return fmt.Sprintf("сектор %d", s.Number)
}

// spun is the line that says where the top stopped.
func spun(s chgk.Sector, landed int) string {
	if landed != 0 {
		return fmt.Sprintf("🎡 Волчок указал на сектор %d, но он уже сыгран — играет следующий свободный: %s!", landed, sectorName(s))
	}
	return fmt.Sprintf("🎡 Волчок остановился: %s!", sectorName(s))
}

// tvScore is the score with the target.
func tvScore(team, bot, target int) string {
	return fmt.Sprintf("%s (игра до %s)", score(team, bot), Count(target, "очка", "очков", "очков"))
}

// tvRound is a TV game's question message.
func tvRound(e chgk.RoundStarted) (string, *Keyboard) {
	var b strings.Builder
	if len(e.Players) > 0 {
		b.WriteString(teamLine(1, e.Players, e.Captain))
	}
	if e.Sector.Part <= 1 && e.Sector.Kind != chgk.SectorSuperBlitz {
		b.WriteString(spun(e.Sector, e.Landed) + "\n")
	}
	switch e.Sector.Kind {
	case chgk.SectorThirteen:
		b.WriteString("Вопрос 13-го сектора — из всего банка вопросов.\n")
	case chgk.SectorBlitz:
		if e.Sector.Part == 1 {
			fmt.Fprintf(&b, "Три вопроса подряд, на каждый — %s обсуждения. Очко знатокам — только за три верных ответа, первая ошибка отдаёт очко боту.\n",
				Duration(e.Timer.Duration))
		}
	}
	if b.Len() > 0 {
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "❓ %s. Счёт: %s.\n\n%s", question(e.Round, 0, e.Sector), tvScore(e.Team, e.Bot, e.Target), e.Question.Text)
	if e.Question.Handout != "" {
		fmt.Fprintf(&b, "\n\n📄 Раздаточный материал:\n%s", e.Question.Handout)
	}
	if e.Sector.Kind == chgk.SectorSuperBlitz {
		fmt.Fprintf(&b, "\n\nОтвечает только %s — без обсуждения, %s на ответ. Напишите ответ в чат одним сообщением.",
			Mention(e.Answerer), Duration(e.Timer.Duration))
		return b.String(), nil
	}
	fmt.Fprintf(&b, "\n\nВремя на обсуждение: %s. Капитан %s может ответить досрочно.", Duration(e.Timer.Duration), Mention(e.Captain))
	minute := e.Minutes > 0 && !e.Sector.Multi()
	if minute {
		fmt.Fprintf(&b, " В запасе у команды %s: капитан может взять одну на этот вопрос кнопкой.",
			Count(e.Minutes, "дополнительная минута", "дополнительные минуты", "дополнительных минут"))
	}
	return b.String(), roundKeyboard(e.Round, minute)
}

// roundKeyboard is the round message's buttons: the captain answers early
// and, when the team has one, takes an extra minute.
func roundKeyboard(round int, minute bool) *Keyboard {
	kb := earlyKeyboard(round)
	if minute {
		kb.Buttons = append(kb.Buttons, []Button{Callback("Взять дополнительную минуту", vkwire.Payload{A: vkwire.ActMinute, R: round}, "positive")})
	}
	return kb
}

// expertAsked is the super-blitz's opening: the captain picks the expert.
// As the game's first message after the lobby, it names the team and the
// captain, as a first round's message does.
func expertAsked(e chgk.AnswererAsked) string {
	return teamLine(e.Round, e.Players, e.Captain) + fmt.Sprintf("%s\nТри вопроса подряд для одного знатока: по %s на ответ, без обсуждения; очко знатокам — только за три верных ответа. "+
		"Счёт: %s.\n\n%s, выберите знатока, который будет отвечать. Время на выбор: %s. Не выберете — отвечает капитан.",
		spun(e.Sector, e.Landed), Duration(chgk.BlitzAnswer), tvScore(e.Team, e.Bot, e.Target), Mention(e.Captain), Duration(e.Timer.Duration))
}

// tvJudged is a TV game's verdict.
func tvJudged(e chgk.RoundJudged) string {
	var b strings.Builder
	if e.Sector.Multi() {
		fmt.Fprintf(&b, "%s.\n", question(e.Round, 0, e.Sector))
	}
	b.WriteString(verdict(e.Verdict, e.Answerer, e.Given, e.Question, tvPoint(e.Sector, e.Point)))
	if e.MinuteEarned {
		fmt.Fprintf(&b, "\n\n⏱ Досрочный верный ответ приносит команде дополнительную минуту! В запасе: %s.",
			Count(e.Minutes, "минута", "минуты", "минут"))
	}
	fmt.Fprintf(&b, "\n\nСчёт: %s.", tvScore(e.Team, e.Bot, e.Target))
	switch {
	case e.Last:
	case e.Point == "":
		b.WriteString(" Следующий вопрос блица — сразу!")
	default:
		fmt.Fprintf(&b, " Волчок закрутится через %s.", DurationAcc(e.Timer.Duration))
	}
	return b.String()
}

// tvPoint says where a TV question of sector s sent its point, if it
// decided one.
func tvPoint(s chgk.Sector, point chgk.Outcome) string {
	blitz := "блица"
	if s.Kind == chgk.SectorSuperBlitz {
		blitz = "суперблица"
	}
	switch {
	case point == chgk.OutcomeBot && s.Multi():
		return "Ошибка — конец " + blitz + ", очко боту."
	case point == chgk.OutcomeBot:
		return "Очко боту."
	case point == chgk.OutcomeTeam && s.Multi():
		return "Все три ответа " + blitz + " верны — очко знатокам!"
	case point == chgk.OutcomeTeam:
		return "Очко знатокам."
	}
	return "Дальше!"
}

// minuteTaken is the captain's extra minute.
func minuteTaken(e chgk.MinuteTaken) string {
	text := fmt.Sprintf("⏱ %s берёт дополнительную минуту! До конца обсуждения: %s.", Mention(e.By), Duration(e.Left))
	if e.Minutes > 0 {
		text += fmt.Sprintf(" В запасе ещё %s.", Count(e.Minutes, "минута", "минуты", "минут"))
	}
	return text
}

// tvResultsLine is one question of a TV game's results.
func tvResultsLine(rd chgk.Round, given string) string {
	where := fmt.Sprintf("сектор %d", rd.Sector.Number)
	switch rd.Sector.Kind {
	case chgk.SectorBlitz:
		where += fmt.Sprintf(", блиц %d/3", rd.Sector.Part)
	case chgk.SectorSuperBlitz:
		where += fmt.Sprintf(", суперблиц %d/3", rd.Sector.Part)
	case chgk.SectorThirteen:
		where = "13-й сектор"
	}
	extra := ""
	if rd.ExtraMinute {
		extra += " — с дополнительной минутой"
	}
	if rd.MinuteEarned {
		extra += " — ⏱ заработана минута"
	}
	return fmt.Sprintf("%d. [%s] %s %s: %s (ответ: %s)%s\n", rd.Number, where, verdictMarks[rd.Verdict], Mention(rd.Answerer), given,
		rd.Question.Answer, extra)
}

func tvRules(s chgk.Settings) string {
	return fmt.Sprintf(`📖 «Что? Где? Когда?» как в телеигре: чат — команда знатоков, я — соперник. Играем до %s.
1. /start — регистрация (%s), в ней жмите «Я играю»; «Поехали!» начинает сразу. Капитана я выбираю случайно.
2. Перед каждым вопросом я кручу волчок над столом из 13 секторов; сыгранный сектор пропускается — волчок идёт к следующему свободному.
3. Обычный сектор: вопрос, %s на обсуждение, капитан выбирает отвечающего (%s), ответ — %s. Верно — очко знатокам, иначе — мне.
4. ⚡ Блиц: три вопроса подряд, по %s обсуждения, %s на выбор и %s на ответ; очко знатокам — только за три верных ответа.
5. 🌟 Суперблиц: капитан выбирает одного знатока, он один отвечает на три вопроса по %s, без обсуждения.
6. 13-й сектор: вопрос из всего банка.
7. ⏱ Верный досрочный ответ («Ответить досрочно») приносит дополнительную минуту; капитан может взять её в обсуждении обычного вопроса кнопкой «Взять дополнительную минуту».
Команды: /start, /join, /go, /stop, /info, /top, /rules, /settings. Режим: «режим раунды» — обычная игра, «режим телеигра» — эта; /settings target 7 — до скольких очков.`,
		Count(s.Goal(), "очка", "очков", "очков"), Duration(s.Lobby), Duration(s.Discussion), Duration(s.Choice), Duration(s.Answer),
		Duration(min(s.Discussion, chgk.BlitzDiscussion)), Duration(min(s.Choice, chgk.BlitzChoice)), Duration(min(s.Answer, chgk.BlitzAnswer)),
		Duration(min(s.Answer, chgk.BlitzAnswer)))
}

// tvStatusLine opens /info of a running TV game.
func tvStatusLine(s chgk.Status) string {
	if s.Phase == chgk.PhaseLobby {
		return fmt.Sprintf("Идёт регистрация на игру как в телеигре (до %s). Игроков: %d — %s.",
			Count(s.Target, "очка", "очков", "очков"), len(s.Players), mentions(s.Players))
	}
	where := sectorName(s.Sector)
	if s.Sector.Multi() {
		where += fmt.Sprintf(" (вопрос %d из %d)", s.Sector.Part, chgk.BlitzQuestions)
	}
	line := fmt.Sprintf("Идёт игра как в телеигре: вопрос %d, %s, сейчас %s. Счёт: %s.", s.Round, where,
		phaseNames[s.Phase], tvScore(s.Team, s.Bot, s.Target))
	if s.Minutes > 0 {
		line += fmt.Sprintf(" Дополнительных минут в запасе: %d.", s.Minutes)
	}
	return line
}

// sectorsPlayed counts the sectors of a TV game's questions: a blitz's
// three are one.
func sectorsPlayed(rounds []chgk.Round) int {
	n := 0
	for _, r := range rounds {
		if r.Sector.Part <= 1 {
			n++
		}
	}
	return n
}

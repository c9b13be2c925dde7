package vkapi

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/vkchgk/chgkbot/chgk/vkwire"

	"github.com/vkchgk/chgkbot/chgk"
)

// Post is one chat message a game event becomes: text and, if a choice is
// asked, an inline keyboard. The caller adds the peer and a random_id.
type Post struct {
	Text     string
	Keyboard *Keyboard
}

// Render turns an event into the chat messages that announce it, in order.
// Texts longer than VK's limit are split at line breaks; the keyboard goes
// with the last part. Render needs nothing but the event.
func Render(e chgk.Event) []Post {
	text, kb := render(e)
	if text == "" {
		return nil
	}
	parts := Split(text, MaxText)
	posts := make([]Post, len(parts))
	for i, p := range parts {
		posts[i] = Post{Text: p}
	}
	posts[len(posts)-1].Keyboard = kb
	return posts
}

// Mention writes a player as a VK mention, "[id123|Анна]". Brackets and
// bars in a name would break the markup, so they are dropped. A player
// without an id (the administrator, when the admin API stops a game) is
// just named.
func Mention(p chgk.Player) string {
	if p.ID == 0 && p.Name != "" {
		return strings.NewReplacer("[", "", "]", "", "|", "").Replace(Defused(p.Name))
	}
	name := strings.Map(func(r rune) rune {
		if r == '[' || r == ']' || r == '|' {
			return -1
		}
		return r
	}, Defused(p.Name))
	if strings.TrimSpace(name) == "" {
		name = fmt.Sprintf("id%d", p.ID)
	}
	return fmt.Sprintf("[id%d|%s]", p.ID, name)
}

func mentions(ps []chgk.Player) string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = Mention(p)
	}
	return strings.Join(out, ", ")
}

func score(team, bot int) string {
	return fmt.Sprintf("знатоки %d : %d бот", team, bot)
}

var phaseNames = map[chgk.Phase]string{
	chgk.PhaseLobby: "регистрация", chgk.PhaseDiscussion: "обсуждение", chgk.PhaseChoice: "выбор отвечающего",
	chgk.PhaseAnswer: "ответ", chgk.PhasePause: "перерыв", chgk.PhaseFinished: "окончена", chgk.PhaseStopped: "остановлена",
}

func render(e chgk.Event) (string, *Keyboard) {
	switch e := e.(type) {
	case chgk.LobbyOpened:
		if e.Mode == chgk.ModeTV {
			return fmt.Sprintf("🎲 %s начинает игру «Что? Где? Когда?» — как в телеигре!\nИграем до %s: перед каждым вопросом волчок выбирает сектор, "+
					"среди 13 секторов есть блиц, суперблиц и 13-й сектор. Регистрация открыта, на неё %s: жмите «Я играю». "+
					"Собрались раньше — жмите «Поехали!».", Mention(e.StartedBy), Count(e.Target, "очка", "очков", "очков"), DurationAcc(e.Timer.Duration)),
				keyboard([]Button{Callback("Я играю", vkwire.Payload{A: vkwire.ActJoin}, "positive"), Callback("Поехали!", vkwire.Payload{A: vkwire.ActGo}, "primary")})
		}
		return fmt.Sprintf("🎲 %s начинает игру «Что? Где? Когда?»!\nРаундов: %d. Регистрация открыта, на неё %s: жмите «Я играю». "+
				"Собрались раньше — жмите «Поехали!».", Mention(e.StartedBy), e.Rounds, DurationAcc(e.Timer.Duration)),
			keyboard([]Button{Callback("Я играю", vkwire.Payload{A: vkwire.ActJoin}, "positive"), Callback("Поехали!", vkwire.Payload{A: vkwire.ActGo}, "primary")})
	case chgk.PlayerJoined:
		if e.Phase == chgk.PhaseLobby {
			return fmt.Sprintf("%s в команде! Игроков: %d.", Mention(e.Player), len(e.Players)), nil
		}
		return fmt.Sprintf("%s присоединяется к команде и может отвечать со следующего выбора.", Mention(e.Player)), nil
	case chgk.GameStarted:
		// The first round's message names the team and the captain: one
		// message, one VK call, fewer messages to scroll past.
		return "", nil
	case chgk.RoundStarted:
		if tv(e.Sector) {
			return tvRound(e)
		}
		var b strings.Builder
		if len(e.Players) > 0 {
			b.WriteString(teamLine(1, e.Players, e.Captain))
		}
		fmt.Fprintf(&b, "❓ Раунд %d из %d. Счёт: %s.\n\n%s", e.Round, e.Of, score(e.Team, e.Bot), e.Question.Text)
		if e.Question.Handout != "" {
			fmt.Fprintf(&b, "\n\n📄 Раздаточный материал:\n%s", e.Question.Handout)
		}
		fmt.Fprintf(&b, "\n\nВремя на обсуждение: %s. Капитан %s может ответить досрочно.", Duration(e.Timer.Duration), Mention(e.Captain))
		return b.String(), earlyKeyboard(e.Round)
	case chgk.DiscussionWarned:
		return warning(e), nil
	case chgk.MinuteTaken:
		return minuteTaken(e), nil
	case chgk.AnswererAsked:
		if e.Sector.Kind == chgk.SectorSuperBlitz {
			return expertAsked(e), ChoiceKeyboard(e.Players, e.Round, 0)
		}
		return fmt.Sprintf("%s %s: %s, кто отвечает? Время на выбор: %s. Не выберете — ответит капитан.",
			discussionEnd(e.Early), shortQuestion(e.Round, e.Sector), Mention(e.Captain), Duration(e.Timer.Duration)), ChoiceKeyboard(e.Players, e.Round, 0)
	case chgk.AnswererChosen:
		q := shortQuestion(e.Round, e.Sector)
		if e.Solo {
			return fmt.Sprintf("%s %s: отвечает %s, время на ответ: %s. Напишите ответ в чат одним сообщением.",
				discussionEnd(e.Early), q, Mention(e.Answerer), Duration(e.Timer.Duration)), nil
		}
		if e.ByDefault {
			if tv(e.Sector) {
				return fmt.Sprintf("Капитан не выбрал — отвечает сам капитан %s! %s, время на ответ: %s. Напишите ответ в чат одним сообщением.",
					Mention(e.Answerer), q, Duration(e.Timer.Duration)), nil
			}
			where := fmt.Sprintf("в раунде %d", e.Round)
			return fmt.Sprintf("Капитан не выбрал — %s отвечает сам капитан %s! Время на ответ: %s. Напишите ответ в чат одним сообщением.",
				where, Mention(e.Answerer), Duration(e.Timer.Duration)), nil
		}
		return fmt.Sprintf("Отвечает %s! %s, время на ответ: %s. Напишите ответ в чат одним сообщением.",
			Mention(e.Answerer), q, Duration(e.Timer.Duration)), nil
	case chgk.RoundJudged:
		if e.Last {
			return "", nil // the results that come next open with this verdict
		}
		text := judged(e)
		if tv(e.Sector) {
			text = tvJudged(e)
		}
		if e.AppealUntil.IsZero() {
			return text, nil
		}
		return text + appealLine(e.AppealUntil), keyboard(appealButton(e.Game, e.Round))
	case chgk.GameEnded:
		text := results(e.Results)
		if rs := e.Results.Rounds; !e.Results.Stopped && len(rs) > 0 {
			last := rs[len(rs)-1]
			point := ""
			if e.Results.Mode == chgk.ModeTV {
				point = tvPoint(last.Sector, lastPoint(last))
			}
			text = verdict(last.Verdict, last.Answerer, last.Given, last.Question, point) + "\n\n" + text
			if !e.AppealUntil.IsZero() {
				return text + appealLine(e.AppealUntil), keyboard(playAgain(), appealButton(e.Results.GameID, last.Number))
			}
		}
		return text, keyboard(playAgain())
	case chgk.GameResumed:
		return fmt.Sprintf("🔄 Я снова на связи, игра продолжается! (фаза «%s», раунд %d)", phaseNames[e.Phase], e.Round), nil
	case chgk.StatusShown:
		return status(e)
	case chgk.LeaderboardShown:
		return leaderboard(e.Board), nil
	case chgk.RulesShown:
		return rules(e.Settings), keyboard([]Button{Callback("Начать игру", vkwire.Payload{A: vkwire.ActStart}, "positive")})
	case chgk.SettingsShown:
		return settingsText(e), nil
	case chgk.Rejected:
		return rejected(e), nil
	case chgk.AppealFiled:
		return appealFiled(e), nil
	case chgk.AppealDecided:
		return appealDecided(e), nil
	}
	return "", nil
}

// teamLine opens the game's first message after the lobby (round 1): the
// team and the captain. Other rounds get nothing.
func teamLine(round int, players []chgk.Player, captain chgk.Player) string {
	if round != 1 {
		return ""
	}
	return fmt.Sprintf("Регистрация закрыта. Команда знатоков (%d): %s.\nКапитан — %s!\n\n", len(players), mentions(players), Mention(captain))
}

// playAgain is the results' button.
func playAgain() []Button {
	return []Button{Callback("Сыграть ещё", vkwire.Payload{A: vkwire.ActStart}, "positive")}
}

// shortQuestion names a question in the messages of its choice and answer:
// «Раунд 3» in a rounds game, «Вопрос 3» or «Блиц, вопрос 2 из 3» in a TV
// game.
func shortQuestion(round int, s chgk.Sector) string {
	if !tv(s) {
		return fmt.Sprintf("Раунд %d", round)
	}
	return question(round, 0, s)
}

// lastPoint is where the last question of a finished game sent its point:
// a game ends on a decided point, so a right answer was the team's.
func lastPoint(r chgk.Round) chgk.Outcome {
	if r.Verdict == chgk.VerdictCorrect {
		return chgk.OutcomeTeam
	}
	return chgk.OutcomeBot
}

// earlyKeyboard is the round message's button: the captain answers early.
func earlyKeyboard(round int) *Keyboard {
	return keyboard([]Button{Callback("Ответить досрочно", vkwire.Payload{A: vkwire.ActEarly, R: round}, "primary")})
}

// warning is the line the round's message gains when its discussion is
// about to end.
func warning(e chgk.DiscussionWarned) string {
	left := Duration(e.Left)
	verb := "Осталось"
	if strings.HasSuffix(left, "секунда") || strings.HasSuffix(left, "минута") {
		verb = "Осталась" // «осталась 1 секунда», «осталось 10 секунд»
	}
	return "⏳ " + verb + " " + left + " на обсуждение!"
}

// discussionEnd opens the message that ends a round's discussion.
func discussionEnd(early bool) string {
	if early {
		return "⚡ Досрочный ответ!"
	}
	return "⏰ Время!"
}

func keyboard(buttons ...[]Button) *Keyboard {
	return &Keyboard{Inline: true, Buttons: buttons}
}

var verdictMarks = map[chgk.Verdict]string{
	chgk.VerdictCorrect: "✅", chgk.VerdictWrong: "❌", chgk.VerdictNoAnswer: "⌛",
}

func judged(e chgk.RoundJudged) string {
	var b strings.Builder
	b.WriteString(verdict(e.Verdict, e.Answerer, e.Given, e.Question, ""))
	fmt.Fprintf(&b, "\n\nСчёт: %s.", score(e.Team, e.Bot))
	if !e.Last {
		fmt.Fprintf(&b, " Следующий вопрос через %s.", DurationAcc(e.Timer.Duration))
	}
	return b.String()
}

// verdict tells how a round was judged, where its point went (point; empty
// for a rounds game's «Очко знатокам.» or «Очко боту.») and what the right
// answer was.
func verdict(v chgk.Verdict, answerer chgk.Player, given string, q chgk.Question, point string) string {
	var b strings.Builder
	if point == "" {
		point = "Очко боту."
		if v == chgk.VerdictCorrect {
			point = "Очко знатокам."
		}
	}
	switch v {
	case chgk.VerdictCorrect:
		fmt.Fprintf(&b, "✅ Верно! %s ответил(а): «%s». %s", Mention(answerer), quoteFree(given), point)
	case chgk.VerdictWrong:
		fmt.Fprintf(&b, "❌ Неверно. %s ответил(а): «%s». %s", Mention(answerer), quoteFree(given), point)
	default:
		fmt.Fprintf(&b, "⌛ Время вышло, ответа нет. %s", point)
	}
	fmt.Fprintf(&b, "\n\nПравильный ответ: %s", sentence(q.Answer))
	if len(q.Accepted) > 0 {
		fmt.Fprintf(&b, "\nЗачёт: %s", sentence(strings.Join(q.Accepted, "; ")))
	}
	if q.Comment != "" {
		fmt.Fprintf(&b, "\nКомментарий: %s", sentence(q.Comment))
	}
	return b.String()
}

// sentence ends s with a full stop unless it already ends a sentence (an
// admin may write "Эврика!" or "Пушкин." as an answer).
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" || strings.ContainsRune(".!?…", []rune(s)[len([]rune(s))-1]) {
		return s
	}
	return s + "."
}

// quoteFree keeps a member's answer from breaking the quotes around it and
// from being read as a mention.
func quoteFree(s string) string {
	s = strings.NewReplacer("«", "\"", "»", "\"", "[", "(", "]", ")", "\n", " ").Replace(strings.TrimSpace(Defused(s)))
	return cut(s, 200)
}

// Defused is text a member wrote, made safe to echo into the chat: VK's
// mention forms (@all, @online, @id1 (…), *id1 (…)) are broken with
// look-alike characters so they notify nobody, and invisible format
// characters — bidi overrides such as U+202E that reorder the bot's own
// words around them — are dropped (the zero-width joiner of emoji stays).
func Defused(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '@':
			return '＠'
		case r == '*':
			return '∗'
		case r == '\u200d':
			return r
		case unicode.Is(unicode.Cf, r):
			return -1
		}
		return r
	}, s)
}

func outcome(r chgk.Results) string {
	switch r.Outcome {
	case chgk.OutcomeTeam:
		return "🏆 Победили знатоки!"
	case chgk.OutcomeBot:
		return "🤖 Победил бот."
	}
	return "🤝 Ничья!"
}

func results(r chgk.Results) string {
	var b strings.Builder
	if r.Stopped {
		fmt.Fprintf(&b, "🛑 Игру остановил(а) %s.", Mention(r.StoppedBy))
	} else {
		b.WriteString("🏁 Игра окончена.")
	}
	tvGame := r.Mode == chgk.ModeTV
	if tvGame {
		fmt.Fprintf(&b, " %s Счёт: %s.\n", outcome(r), tvScore(r.Team, r.Bot, r.Target))
	} else {
		fmt.Fprintf(&b, " %s Счёт: %s.\n", outcome(r), score(r.Team, r.Bot))
	}
	if len(r.Rounds) > 0 {
		if tvGame {
			b.WriteString("\nВопросы:\n")
		} else {
			b.WriteString("\nРаунды:\n")
		}
		for _, rd := range r.Rounds {
			given := "—"
			if rd.Given != "" {
				given = "«" + quoteFree(rd.Given) + "»"
			}
			if tvGame {
				b.WriteString(tvResultsLine(rd, given))
				continue
			}
			fmt.Fprintf(&b, "%d. %s %s: %s (ответ: %s)\n", rd.Number, verdictMarks[rd.Verdict], Mention(rd.Answerer), given, rd.Question.Answer)
		}
	}
	if tvGame {
		fmt.Fprintf(&b, "\nСыграно секторов: %d. Капитан: %s. Игра длилась %s.", sectorsPlayed(r.Rounds), captainOrNone(r.Captain), Duration(r.Duration))
	} else {
		fmt.Fprintf(&b, "\nСыграно раундов: %d из %d. Капитан: %s. Игра длилась %s.",
			len(r.Rounds), r.Planned, captainOrNone(r.Captain), Duration(r.Duration))
	}
	return b.String()
}

func captainOrNone(p chgk.Player) string {
	if p.ID == 0 {
		return "не выбран"
	}
	return Mention(p)
}

func status(e chgk.StatusShown) (string, *Keyboard) {
	switch {
	case e.Status != nil:
		return statusText(*e.Status), nil
	case e.Last != nil:
		return "Сейчас игры нет. Последняя игра:\n" + results(*e.Last),
			keyboard([]Button{Callback("Начать игру", vkwire.Payload{A: vkwire.ActStart}, "positive")})
	}
	return "Сейчас игры нет, и в этом чате ещё не играли. Напишите /start или нажмите кнопку, чтобы начать.",
		keyboard([]Button{Callback("Начать игру", vkwire.Payload{A: vkwire.ActStart}, "positive")})
}

func statusText(s chgk.Status) string {
	var b strings.Builder
	if s.Mode == chgk.ModeTV {
		b.WriteString(tvStatusLine(s))
		if s.Phase != chgk.PhaseLobby {
			fmt.Fprintf(&b, "\nКапитан: %s.", Mention(s.Captain))
			if s.Answerer.ID != 0 {
				fmt.Fprintf(&b, " Отвечает: %s.", Mention(s.Answerer))
			}
			fmt.Fprintf(&b, "\nИгроки (%d): %s.", len(s.Players), mentions(s.Players))
		}
	} else if s.Phase == chgk.PhaseLobby {
		fmt.Fprintf(&b, "Идёт регистрация на игру (раундов: %d). Игроков: %d — %s.", s.Of, len(s.Players), mentions(s.Players))
	} else {
		fmt.Fprintf(&b, "Идёт игра: раунд %d из %d, сейчас %s. Счёт: %s.\nКапитан: %s.", s.Round, s.Of, phaseNames[s.Phase],
			score(s.Team, s.Bot), Mention(s.Captain))
		if s.Answerer.ID != 0 {
			fmt.Fprintf(&b, " Отвечает: %s.", Mention(s.Answerer))
		}
		fmt.Fprintf(&b, "\nИгроки (%d): %s.", len(s.Players), mentions(s.Players))
	}
	fmt.Fprintf(&b, "\nДо конца фазы: %s.", Duration(s.Left))
	return b.String()
}

// leaderboard is /top. Players are named without mentions: a board of ten
// would notify ten people.
func leaderboard(b chgk.Leaderboard) string {
	if b.Games == 0 {
		return "🏆 Рейтинга пока нет: в этом чате ещё не сыграно ни одной игры. Начните первую: /start"
	}
	var s strings.Builder
	fmt.Fprintf(&s, "🏆 Рейтинг чата\nСыграно игр: %d", b.Games)
	if b.Stopped > 0 {
		fmt.Fprintf(&s, " (остановлено: %d)", b.Stopped)
	}
	fmt.Fprintf(&s, ". Знатоки выиграли %s, бот — %s, ничьих: %d.\nОчки за все игры: %s.",
		Count(b.TeamWins, "раз", "раза", "раз"), Count(b.BotWins, "раз", "раза", "раз"), b.Draws, score(b.TeamPoints, b.BotPoints))
	if len(b.Players) > 0 {
		s.WriteString("\n\nЛучшие знатоки (верные ответы):")
		for i, p := range b.Players {
			fmt.Fprintf(&s, "\n%d. %s — %d из %d, %s", i+1, plainName(p.Player), p.Correct, p.Answered,
				Count(p.Games, "игра", "игры", "игр"))
		}
	}
	return s.String()
}

// plainName is a player's name as text that mentions no one.
func plainName(p chgk.Player) string {
	if p.Name == "" {
		return fmt.Sprintf("id%d", p.ID)
	}
	return strings.NewReplacer("[", "(", "]", ")").Replace(Defused(p.Name))
}

func rules(s chgk.Settings) string {
	if s.TV() {
		return tvRules(s)
	}
	return fmt.Sprintf(`📖 «Что? Где? Когда?»: чат — команда знатоков, я — соперник.
1. /start — регистрация (%s), в ней жмите «Я играю»; «Поехали!» начинает сразу.
2. Я выбираю капитана случайно. Раундов в игре: %d.
3. В раунде я задаю вопрос, на обсуждение — %s. Капитан может ответить досрочно.
4. Капитан кнопкой выбирает, кто отвечает (%s на выбор; не выберет — отвечает сам). Играете в одиночку — отвечаете сразу.
5. Отвечающий пишет ответ в чат одним сообщением (%s). Верно — очко знатокам, неверно или молчание — очко мне.
Режим «телеигра» (до 6 очков, волчок, блиц, суперблиц): «режим телеигра».
Команды: /start, /join, /go, /stop, /info, /top, /rules, /settings (например: /settings rounds 8). Можно и по-русски: «начать», «играю», «поехали», «стоп», «инфо», «рейтинг», «правила», «настройки».`,
		Duration(s.Lobby), s.Rounds, Duration(s.Discussion), Duration(s.Choice), Duration(s.Answer))
}

var settingTitles = map[chgk.SettingName]string{
	chgk.SettingMode: "режим", chgk.SettingTarget: "цель", chgk.SettingRounds: "раунды", chgk.SettingLobby: "регистрация", chgk.SettingDiscussion: "обсуждение",
	chgk.SettingChoice: "выбор", chgk.SettingAnswer: "ответ", chgk.SettingPause: "пауза", chgk.SettingAppeal: "апелляция",
}

func settingsText(e chgk.SettingsShown) string {
	s := e.Settings
	var b strings.Builder
	if e.Changed != "" {
		fmt.Fprintf(&b, "Готово, %s: настройка «%s» изменена. Она действует со следующей игры.\n", Mention(e.By), settingTitles[e.Changed])
	}
	mode, length := "раунды (rounds)", fmt.Sprintf("раунды (rounds) — %d", s.Rounds)
	if s.TV() {
		mode, length = "телеигра (tv)", fmt.Sprintf("цель (target) — %s", Count(s.Goal(), "очко", "очка", "очков"))
	}
	fmt.Fprintf(&b, "⚙ Настройки чата:\nрежим (mode) — %s\n%s\nрегистрация (lobby) — %s\nобсуждение (discussion) — %s\n"+
		"выбор (choice) — %s\nответ (answer) — %s\nпауза (pause) — %s\nапелляция (appeal) — %s\n"+
		"Изменить: /settings <название> <значение>, например /settings discussion 90, /settings mode tv (или «режим телеигра»), /settings target 7.",
		mode, length, Duration(s.Lobby), Duration(s.Discussion), Duration(s.Choice), Duration(s.Answer), Duration(s.Pause), Duration(s.AppealWindow()))
	return b.String()
}

// Refusal is a refusal's short text, fit for a snackbar (≤ 90 characters).
func Refusal(reason chgk.RuleError) string {
	switch reason {
	case chgk.ErrNoGame:
		return "Сейчас игры нет. Начните её: /start"
	case chgk.ErrGameRunning:
		return "Игра уже идёт: новую можно начать после её конца"
	case chgk.ErrWrongPhase:
		return "Сейчас это сделать нельзя"
	case chgk.ErrNotCaptain:
		return "Это решает только капитан"
	case chgk.ErrNotAnswerer:
		return "Отвечает только выбранный игрок"
	case chgk.ErrNotPlayer:
		return "Этот участник не играет в этой игре"
	case chgk.ErrAlreadyJoined:
		return "Вы уже в команде"
	case chgk.ErrEmptyAnswer:
		return "Ответ пустой"
	case chgk.ErrNoQuestions:
		return "Нет вопросов для игры: добавьте их через админку"
	case chgk.ErrBadSetting:
		return "Такое значение настройки недопустимо"
	case chgk.ErrNoMinute:
		return "У команды нет дополнительной минуты: её приносит верный досрочный ответ"
	case chgk.ErrMinuteTaken:
		return "Дополнительная минута на этот вопрос уже взята"
	case chgk.ErrNotAppealable:
		return "Апелляция возможна только на неверный ответ"
	case chgk.ErrAppealClosed:
		return "Время на апелляцию вышло"
	case chgk.ErrAppealed:
		return "Апелляция на этот вопрос уже подана"
	case chgk.ErrAppealDecided:
		return "Апелляция уже рассмотрена"
	}
	return "Не получилось"
}

func rejected(e chgk.Rejected) string {
	text := Refusal(e.Reason)
	if e.By.ID != 0 {
		text = Mention(e.By) + ", " + lowerFirst(text)
	}
	switch {
	case e.Setting != nil && e.Setting.Name == chgk.SettingMode:
		text += fmt.Sprintf(": режима «%s» нет. Есть «раунды» (rounds) и «телеигра» (tv).", cut(Defused(e.Setting.Value), 20))
	case e.Setting != nil:
		unit := ""
		if e.Setting.Unit == "s" {
			unit = " секунд"
		}
		text += fmt.Sprintf(": «%s» = «%s». Допустимо от %g до %g%s.", settingTitles[e.Setting.Name],
			cut(Defused(e.Setting.Value), 20), e.Setting.Min, e.Setting.Max, unit)
		if e.Setting.Min == 0 && e.Setting.Max == 0 {
			text = Mention(e.By) + ", такой настройки нет. Есть: mode, target, rounds, lobby, discussion, choice, answer, pause, appeal."
		}
	case e.Status != nil:
		text += ".\n" + statusText(*e.Status)
	default:
		text += "."
	}
	return text
}

func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return strings.ToLower(string(r)) + s[n:]
}

// playersPerPage is how many answerer buttons fit one inline keyboard with
// a row of page buttons: VK allows ten buttons in six rows.
const playersPerPage = 8

// ChoiceKeyboard is the captain's keyboard to pick the answerer of round:
// one button per player, two in a row. Up to ten players fit one keyboard;
// more are paged, eight a page, with ◀ ▶ buttons.
func ChoiceKeyboard(players []chgk.Player, round, page int) *Keyboard {
	perPage := len(players)
	if perPage > MaxInlineButtons {
		perPage = playersPerPage
	}
	pages := max(1, (len(players)+perPage-1)/perPage)
	page = min(max(page, 0), pages-1)
	shown := players[page*perPage : min(len(players), (page+1)*perPage)]
	kb := &Keyboard{Inline: true}
	for i := 0; i < len(shown); i += 2 {
		var row []Button
		for _, p := range shown[i:min(i+2, len(shown))] {
			row = append(row, Callback(cut(p.Name, MaxLabel), vkwire.Payload{A: vkwire.ActPick, R: round, U: int64(p.ID)}, "secondary"))
		}
		kb.Buttons = append(kb.Buttons, row)
	}
	if pages > 1 {
		var nav []Button
		if page > 0 {
			nav = append(nav, Callback(fmt.Sprintf("◀ %d/%d", page, pages), vkwire.Payload{A: vkwire.ActPage, R: round, P: page - 1}, "primary"))
		}
		if page < pages-1 {
			nav = append(nav, Callback(fmt.Sprintf("%d/%d ▶", page+2, pages), vkwire.Payload{A: vkwire.ActPage, R: round, P: page + 1}, "primary"))
		}
		kb.Buttons = append(kb.Buttons, nav)
	}
	return kb
}

// Split cuts text into parts of at most limit characters, at line breaks
// where it can, else at spaces, else anywhere.
func Split(text string, limit int) []string {
	var parts []string
	for utf8.RuneCountInString(text) > limit {
		r := []rune(text)
		head := string(r[:limit])
		cutAt := strings.LastIndex(head, "\n")
		if cutAt <= 0 {
			cutAt = strings.LastIndex(head, " ")
		}
		if cutAt <= 0 {
			cutAt = len(head)
		}
		parts = append(parts, strings.TrimRight(text[:cutAt], " \n"))
		text = strings.TrimLeft(text[cutAt:], " \n")
	}
	if text = strings.TrimRight(text, " \n"); text != "" || len(parts) == 0 {
		parts = append(parts, text)
	}
	return parts
}

// PrivateReply is the answer to a message in a private dialog with the bot.
const PrivateReply = "Привет! Я веду «Что? Где? Когда?» в беседах: добавьте меня в беседу с друзьями и напишите там /start. " +
	"Правила — /rules."

// Greeting is the bot's first message in a chat that added it.
const Greeting = "Всем привет! Я веду «Что? Где? Когда?»: вы — команда знатоков, я — ваш соперник. " +
	"Напишите /start, чтобы начать игру, или /rules, чтобы узнать правила. " +
	"Чтобы я видел ответы без упоминания, дайте мне доступ ко всем сообщениям беседы."

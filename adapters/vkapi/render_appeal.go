package vkapi

import (
	"fmt"
	"time"

	"github.com/vkchgk/chgkbot/chgk"
	"github.com/vkchgk/chgkbot/chgk/vkwire"
)

// The appeal's texts (SPEC §9).

// AppealLabel is the label of the captain's appeal button.
const AppealLabel = "⚖️ Апелляция"

func appealButton(game int64, round int) []Button {
	return []Button{Callback(AppealLabel, vkwire.Payload{A: vkwire.ActAppeal, R: round, G: game}, "secondary")}
}

// appealLine tells the captain the verdict may be appealed, and until
// when (Moscow time: the bot's chats are Russian).
func appealLine(until time.Time) string {
	return fmt.Sprintf("\n\nНе согласны? Капитан может подать апелляцию до %s (МСК).", until.In(moscow).Format("15:04"))
}

var moscow = time.FixedZone("MSK", 3*60*60)

func appealFiled(e chgk.AppealFiled) string {
	a := e.Appeal
	return fmt.Sprintf("⚖️ %s подаёт апелляцию: ответ «%s» на вопрос %d. Её рассмотрит жюри (администраторы), а игра идёт дальше.",
		Mention(a.By), quoteFree(a.Given), a.Round)
}

func appealDecided(e chgk.AppealDecided) string {
	a := e.Appeal
	var text string
	if a.Status == chgk.AppealAccepted {
		text = fmt.Sprintf("⚖️ Апелляция принята: ответ «%s» на вопрос %d засчитан, очко переходит знатокам. Счёт: %s.",
			quoteFree(a.Given), a.Round, score(e.Score.Team, e.Score.Bot))
		if !e.Running {
			text += " Итоги игры исправлены."
		}
		if a.AlternativeAdded {
			text += " Этот ответ теперь засчитывается и в следующих играх."
		}
	} else {
		text = fmt.Sprintf("⚖️ Апелляция отклонена: ответ «%s» на вопрос %d не засчитан.", quoteFree(a.Given), a.Round)
	}
	if a.Note != "" {
		text += "\nКомментарий жюри: " + sentence(cut(Defused(a.Note), 500))
	}
	return text
}

package vkapi_test

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/vkchgk/chgkbot/chgk/vkwire"

	"github.com/matryer/is"

	"github.com/vkchgk/chgkbot/adapters/vkapi"
	"github.com/vkchgk/chgkbot/chgk"
	ct "github.com/vkchgk/chgkbot/chgk/chgktest"
)

var update = flag.Bool("update", false, "rewrite the golden files of the rendering tests")

func TestPlural(t *testing.T) {
	is := is.New(t)
	want := map[int]string{
		0: "секунд", 1: "секунда", 2: "секунды", 3: "секунды", 4: "секунды", 5: "секунд", 6: "секунд", 7: "секунд",
		8: "секунд", 9: "секунд", 10: "секунд", 11: "секунд", 12: "секунд", 13: "секунд", 14: "секунд", 15: "секунд",
		16: "секунд", 17: "секунд", 18: "секунд", 19: "секунд", 20: "секунд", 21: "секунда", 22: "секунды", 23: "секунды",
		24: "секунды", 25: "секунд", 101: "секунда", 111: "секунд", 121: "секунда", 112: "секунд", 104: "секунды",
	}
	for n, w := range want {
		is.Equal(vkapi.Plural(n, "секунда", "секунды", "секунд"), w) // the form for n
	}
	is.Equal(vkapi.Duration(90*time.Second), "1 минута 30 секунд")
	is.Equal(vkapi.Duration(500*time.Millisecond), "1 секунда") // never "0 секунд"
	is.Equal(vkapi.Duration(2*time.Hour+3*time.Minute), "2 часа 3 минуты")
	is.Equal(vkapi.DurationAcc(time.Second), "1 секунду")                            // "через 1 секунду"
	is.Equal(vkapi.DurationAcc(81*time.Second), "1 минуту 21 секунду")               // "на неё 1 минуту 21 секунду"
	is.Equal(vkapi.DurationAcc(2*time.Minute+22*time.Second), "2 минуты 22 секунды") // the same as the nominative
	is.Equal(vkapi.DurationAcc(time.Hour+5*time.Second), "1 час 5 секунд")
}

func TestSplit(t *testing.T) {
	is := is.New(t)
	long := strings.Repeat("строка текста\n", 400) // 5600 characters
	parts := vkapi.Split(long, vkapi.MaxText)
	is.Equal(len(parts), 2) // split in two
	for _, p := range parts {
		is.True(utf8.RuneCountInString(p) <= vkapi.MaxText) // each fits a message
	}
	is.Equal(strings.Join(parts, "\n"), strings.TrimRight(long, "\n")) // and nothing is lost
	is.Equal(vkapi.Split("коротко", 10), []string{"коротко"})
	is.Equal(len(vkapi.Split(strings.Repeat("я", 25), 10)), 3) // no break: cut anywhere
}

// events returns one of every event, with the data a real game would carry.
func events() map[string]chgk.Event {
	q := ct.Questions(2)[1]
	q.Handout = "1, 1, 2, 3, 5, 8, …"
	anna, boris := ct.Anna, ct.Boris
	players := []chgk.Player{anna, boris, ct.Vera}
	timer := func(p chgk.Phase, r int, d time.Duration) chgk.Timer {
		return chgk.Timer{Phase: p, Round: r, Duration: d, Deadline: ct.Epoch.Add(d)}
	}
	res := chgk.Results{GameID: 7, Peer: ct.Chat(1), Outcome: chgk.OutcomeTeam, Team: 2, Bot: 1, Captain: boris, Players: players,
		Planned: 3, StartedAt: ct.Epoch, EndedAt: ct.Epoch.Add(7*time.Minute + 5*time.Second), Duration: 7*time.Minute + 5*time.Second,
		Rounds: []chgk.Round{
			{Number: 1, Question: ct.Questions(1)[0], Answerer: anna, Given: "один", Verdict: chgk.VerdictCorrect},
			{Number: 2, Question: q, Answerer: boris, Given: "«три» [club1|x]", Verdict: chgk.VerdictWrong},
			{Number: 3, Question: q, Answerer: boris, Verdict: chgk.VerdictNoAnswer, ByDefault: true},
		}}
	stopped := res
	stopped.Stopped, stopped.StoppedBy, stopped.Outcome, stopped.Rounds = true, ct.Vera, chgk.OutcomeDraw, nil
	status := chgk.Status{GameID: 7, Phase: chgk.PhaseAnswer, Round: 2, Of: 6, Team: 1, Bot: 0, Captain: boris, Answerer: anna,
		Players: players, StartedBy: anna, StartedAt: ct.Epoch, Left: 42 * time.Second}
	lobby := chgk.Status{Phase: chgk.PhaseLobby, Of: 6, Players: players[:1], StartedBy: anna, Left: 25 * time.Second}
	many := make([]chgk.Player, 23)
	for i := range many {
		many[i] = chgk.Player{ID: chgk.UserID(500 + i), Name: fmt.Sprintf("Игрок с длинным именем номер %d из большой беседы", i+1)}
	}
	normal := chgk.Sector{Number: 7, Kind: chgk.SectorNormal}
	blitz := func(k int) chgk.Sector { return chgk.Sector{Number: 3, Kind: chgk.SectorBlitz, Part: k} }
	super := func(k int) chgk.Sector { return chgk.Sector{Number: 6, Kind: chgk.SectorSuperBlitz, Part: k} }
	thirteen := chgk.Sector{Number: 13, Kind: chgk.SectorThirteen}
	tvRes := chgk.Results{GameID: 8, Peer: ct.Chat(1), Outcome: chgk.OutcomeTeam, Team: 6, Bot: 4, Captain: boris, Players: players,
		Mode: chgk.ModeTV, Target: 6, StartedAt: ct.Epoch, EndedAt: ct.Epoch.Add(31 * time.Minute), Duration: 31 * time.Minute,
		Rounds: []chgk.Round{
			{Number: 1, Question: ct.Questions(1)[0], Answerer: anna, Given: "один", Verdict: chgk.VerdictCorrect, Sector: normal, Early: true, MinuteEarned: true},
			{Number: 2, Question: q, Answerer: boris, Given: "два", Verdict: chgk.VerdictCorrect, Sector: blitz(1)},
			{Number: 3, Question: q, Answerer: anna, Given: "два", Verdict: chgk.VerdictCorrect, Sector: blitz(2)},
			{Number: 4, Question: q, Answerer: ct.Vera, Given: "три", Verdict: chgk.VerdictWrong, Sector: blitz(3)},
			{Number: 5, Question: q, Answerer: anna, Given: "два", Verdict: chgk.VerdictCorrect, Sector: super(1)},
			{Number: 6, Question: q, Answerer: anna, Verdict: chgk.VerdictNoAnswer, Sector: super(2)},
			{Number: 7, Question: q, Answerer: boris, Given: "два", Verdict: chgk.VerdictCorrect, Sector: thirteen, ExtraMinute: true},
		}}
	tvStatus := chgk.Status{GameID: 8, Phase: chgk.PhaseDiscussion, Round: 4, Team: 3, Bot: 2, Captain: boris, Players: players,
		StartedBy: anna, StartedAt: ct.Epoch, Left: 12 * time.Second, Mode: chgk.ModeTV, Target: 6, Sector: blitz(2), Minutes: 1}
	tvSettings := chgk.DefaultSettings()
	tvSettings.Mode = chgk.ModeTV
	until := ct.Epoch.Add(2 * time.Minute)
	appeal := chgk.Appeal{ID: 3, Peer: ct.Chat(1), Game: 7, Round: 2, Question: q, Given: "«Пять» @all", By: boris, FiledAt: ct.Epoch,
		Status: chgk.AppealPending}
	accepted := appeal
	accepted.Status, accepted.DecidedBy, accepted.Note, accepted.AlternativeAdded = chgk.AppealAccepted, "admin 1", "Пять — тоже верно", true
	refused := appeal
	refused.Status, refused.Note = chgk.AppealRejected, ""
	finishedWrong := res
	finishedWrong.Rounds = res.Rounds[:2]
	return map[string]chgk.Event{
		"round_judged_appeal": chgk.RoundJudged{Peer: ct.Chat(1), Round: 2, Of: 6, Answerer: anna, Given: "Пять", Verdict: chgk.VerdictWrong,
			Question: q, Team: 1, Bot: 1, Timer: timer(chgk.PhasePause, 2, 5*time.Second), Game: 7, AppealUntil: until},
		"game_finished_appeal":  chgk.GameEnded{Peer: ct.Chat(1), Results: finishedWrong, AppealUntil: until},
		"appeal_filed":          chgk.AppealFiled{Peer: ct.Chat(1), Appeal: appeal},
		"appeal_accepted":       chgk.AppealDecided{Peer: ct.Chat(1), Appeal: accepted, Score: chgk.Score{Team: 2, Bot: 0}, Running: true},
		"appeal_accepted_ended": chgk.AppealDecided{Peer: ct.Chat(1), Appeal: chgk.Appeal{Round: 6, Given: "Гоголь", Status: chgk.AppealAccepted}, Score: chgk.Score{Team: 4, Bot: 2}},
		"appeal_rejected":       chgk.AppealDecided{Peer: ct.Chat(1), Appeal: refused, Score: chgk.Score{Team: 1, Bot: 1}, Running: true},
		"rejected_appeal_late":  chgk.Rejected{Peer: ct.Chat(1), By: boris, Reason: chgk.ErrAppealClosed},
		"tv_lobby_opened":       chgk.LobbyOpened{Peer: ct.Chat(1), StartedBy: anna, Mode: chgk.ModeTV, Target: 6, Timer: timer(chgk.PhaseLobby, 0, 30*time.Second)},
		"tv_round_first":        chgk.RoundStarted{Peer: ct.Chat(1), Round: 1, Question: q, Captain: boris, Players: players, Sector: normal, Target: 6, Timer: timer(chgk.PhaseDiscussion, 1, time.Minute)},
		"tv_round_skipped":      chgk.RoundStarted{Peer: ct.Chat(1), Round: 4, Question: q, Captain: boris, Team: 2, Bot: 1, Sector: chgk.Sector{Number: 9, Kind: chgk.SectorNormal}, Landed: 7, Target: 6, Minutes: 2, Timer: timer(chgk.PhaseDiscussion, 4, time.Minute)},
		"tv_round_13":           chgk.RoundStarted{Peer: ct.Chat(1), Round: 5, Question: q, Captain: boris, Team: 2, Bot: 2, Sector: thirteen, Target: 5, Minutes: 1, Timer: timer(chgk.PhaseDiscussion, 5, time.Minute)},
		"tv_blitz_first":        chgk.RoundStarted{Peer: ct.Chat(1), Round: 2, Question: q, Captain: boris, Team: 1, Sector: blitz(1), Target: 6, Minutes: 1, Timer: timer(chgk.PhaseDiscussion, 2, 20*time.Second)},
		"tv_blitz_second":       chgk.RoundStarted{Peer: ct.Chat(1), Round: 3, Question: q, Captain: boris, Team: 1, Sector: blitz(2), Target: 6, Timer: timer(chgk.PhaseDiscussion, 3, 20*time.Second)},
		"tv_blitz_asked":        chgk.AnswererAsked{Peer: ct.Chat(1), Round: 3, Captain: boris, Players: players, Sector: blitz(2), Timer: timer(chgk.PhaseChoice, 3, 15*time.Second)},
		"tv_blitz_chosen":       chgk.AnswererChosen{Peer: ct.Chat(1), Round: 3, Answerer: anna, Sector: blitz(2), Timer: timer(chgk.PhaseAnswer, 3, 20*time.Second)},
		"tv_blitz_by_default": chgk.AnswererChosen{Peer: ct.Chat(1), Round: 3, Answerer: boris, ByDefault: true, Sector: blitz(2),
			Timer: timer(chgk.PhaseAnswer, 3, 20*time.Second)},
		"tv_blitz_right": chgk.RoundJudged{Peer: ct.Chat(1), Round: 3, Answerer: anna, Given: "два", Verdict: chgk.VerdictCorrect, Question: q, Team: 1, Sector: blitz(2), Target: 6},
		"tv_blitz_won": chgk.RoundJudged{Peer: ct.Chat(1), Round: 4, Answerer: anna, Given: "два", Verdict: chgk.VerdictCorrect, Question: q, Team: 2, Sector: blitz(3),
			Point: chgk.OutcomeTeam, Target: 6, Timer: timer(chgk.PhasePause, 4, 5*time.Second)},
		"tv_blitz_lost": chgk.RoundJudged{Peer: ct.Chat(1), Round: 3, Answerer: anna, Given: "пять", Verdict: chgk.VerdictWrong, Question: q, Team: 1, Bot: 1, Sector: blitz(2),
			Point: chgk.OutcomeBot, Target: 6, Timer: timer(chgk.PhasePause, 3, 5*time.Second)},
		"tv_super_asked": chgk.AnswererAsked{Peer: ct.Chat(1), Round: 5, Captain: boris, Players: players, Sector: super(1), Landed: 5, Team: 2, Bot: 2, Target: 6,
			Timer: timer(chgk.PhaseChoice, 5, 30*time.Second)},
		"tv_super_asked_first": chgk.AnswererAsked{Peer: ct.Chat(1), Round: 1, Captain: boris, Players: players, Sector: super(1), Target: 6,
			Timer: timer(chgk.PhaseChoice, 1, 30*time.Second)},
		"tv_super_question": chgk.RoundStarted{Peer: ct.Chat(1), Round: 6, Question: q, Captain: boris, Team: 2, Bot: 2, Sector: super(2), Target: 6, Answerer: anna,
			Timer: timer(chgk.PhaseAnswer, 6, 20*time.Second)},
		"tv_super_lost": chgk.RoundJudged{Peer: ct.Chat(1), Round: 6, Answerer: anna, Verdict: chgk.VerdictNoAnswer, Question: q, Team: 2, Bot: 3, Sector: super(2),
			Point: chgk.OutcomeBot, Target: 6, Timer: timer(chgk.PhasePause, 6, 5*time.Second)},
		"tv_minute_earned": chgk.RoundJudged{Peer: ct.Chat(1), Round: 1, Answerer: anna, Given: "один", Verdict: chgk.VerdictCorrect, Question: q, Team: 1, Sector: normal,
			Point: chgk.OutcomeTeam, MinuteEarned: true, Minutes: 1, Target: 6, Timer: timer(chgk.PhasePause, 1, 5*time.Second)},
		"tv_minute_taken":        chgk.MinuteTaken{Peer: ct.Chat(1), Round: 4, By: boris, Left: 100 * time.Second, Minutes: 1},
		"tv_minute_warned":       chgk.DiscussionWarned{Peer: ct.Chat(1), Round: 4, Left: 10 * time.Second, Minute: true},
		"tv_game_finished":       chgk.GameEnded{Peer: ct.Chat(1), Results: tvRes},
		"tv_status":              chgk.StatusShown{Peer: ct.Chat(1), Status: &tvStatus},
		"tv_rules":               chgk.RulesShown{Peer: ct.Chat(1), Settings: tvSettings},
		"tv_settings_changed":    chgk.SettingsShown{Peer: ct.Chat(1), By: anna, Settings: tvSettings, Changed: chgk.SettingMode},
		"tv_rejected_mode":       chgk.Rejected{Peer: ct.Chat(1), By: anna, Reason: chgk.ErrBadSetting, Setting: &chgk.SettingError{Name: chgk.SettingMode, Value: "шахматы"}},
		"tv_rejected_target":     chgk.Rejected{Peer: ct.Chat(1), By: anna, Reason: chgk.ErrBadSetting, Setting: &chgk.SettingError{Name: chgk.SettingTarget, Value: "12", Min: 3, Max: 11}},
		"tv_no_minute":           chgk.Rejected{Peer: ct.Chat(1), By: boris, Reason: chgk.ErrNoMinute},
		"lobby_opened":           chgk.LobbyOpened{Peer: ct.Chat(1), StartedBy: anna, Rounds: 6, Timer: timer(chgk.PhaseLobby, 0, 30*time.Second)},
		"lobby_opened_minute":    chgk.LobbyOpened{Peer: ct.Chat(1), StartedBy: anna, Rounds: 1, Timer: timer(chgk.PhaseLobby, 0, 81*time.Second)},
		"player_joined":          chgk.PlayerJoined{Peer: ct.Chat(1), Player: boris, Players: players[:2], Phase: chgk.PhaseLobby},
		"player_joined_late":     chgk.PlayerJoined{Peer: ct.Chat(1), Player: ct.Vera, Players: players, Phase: chgk.PhaseDiscussion},
		"game_started":           chgk.GameStarted{Peer: ct.Chat(1), Captain: boris, Players: players, Rounds: 6},
		"round_started":          chgk.RoundStarted{Peer: ct.Chat(1), Round: 2, Of: 6, Question: q, Captain: boris, Team: 1, Timer: timer(chgk.PhaseDiscussion, 2, time.Minute)},
		"answerer_asked":         chgk.AnswererAsked{Peer: ct.Chat(1), Round: 2, Of: 6, Captain: boris, Players: players, Timer: timer(chgk.PhaseChoice, 2, 30*time.Second)},
		"answerer_asked_early":   chgk.AnswererAsked{Peer: ct.Chat(1), Round: 2, Of: 6, Captain: boris, Players: many, Early: true, Timer: timer(chgk.PhaseChoice, 2, 30*time.Second)},
		"answerer_chosen":        chgk.AnswererChosen{Peer: ct.Chat(1), Round: 2, Answerer: anna, Timer: timer(chgk.PhaseAnswer, 2, time.Minute)},
		"answerer_solo":          chgk.AnswererChosen{Peer: ct.Chat(1), Round: 2, Answerer: anna, Solo: true, Early: true, Timer: timer(chgk.PhaseAnswer, 2, time.Minute)},
		"answerer_by_default":    chgk.AnswererChosen{Peer: ct.Chat(1), Round: 2, Answerer: boris, ByDefault: true, Timer: timer(chgk.PhaseAnswer, 2, time.Minute)},
		"round_judged_correct":   chgk.RoundJudged{Peer: ct.Chat(1), Round: 2, Of: 6, Answerer: anna, Given: "Два", Verdict: chgk.VerdictCorrect, Question: q, Team: 2, Bot: 0, Timer: timer(chgk.PhasePause, 2, 5*time.Second)},
		"round_judged_wrong":     chgk.RoundJudged{Peer: ct.Chat(1), Round: 2, Of: 6, Answerer: anna, Given: "Пять", Verdict: chgk.VerdictWrong, Question: q, Team: 1, Bot: 1, Timer: timer(chgk.PhasePause, 2, time.Second)},
		"round_judged_no_answer": chgk.RoundJudged{Peer: ct.Chat(1), Round: 5, Of: 6, Answerer: anna, Verdict: chgk.VerdictNoAnswer, Question: q, Team: 2, Bot: 3, Timer: timer(chgk.PhasePause, 5, 5*time.Second)},
		"round_judged_last":      chgk.RoundJudged{Peer: ct.Chat(1), Round: 6, Of: 6, Answerer: anna, Verdict: chgk.VerdictNoAnswer, Question: q, Team: 3, Bot: 3, Last: true},
		"round_started_first":    chgk.RoundStarted{Peer: ct.Chat(1), Round: 1, Of: 6, Question: q, Captain: boris, Players: players, Timer: timer(chgk.PhaseDiscussion, 1, time.Minute)},
		"game_finished":          chgk.GameEnded{Peer: ct.Chat(1), Results: res},
		"game_stopped":           chgk.GameEnded{Peer: ct.Chat(1), Results: stopped},
		"game_resumed":           chgk.GameResumed{Peer: ct.Chat(1), Phase: chgk.PhaseDiscussion, Round: 3, Late: time.Minute},
		"status_running":         chgk.StatusShown{Peer: ct.Chat(1), Status: &status},
		"status_lobby":           chgk.StatusShown{Peer: ct.Chat(1), Status: &lobby},
		"status_last":            chgk.StatusShown{Peer: ct.Chat(1), Last: &res},
		"status_none":            chgk.StatusShown{Peer: ct.Chat(1)},
		"rules":                  chgk.RulesShown{Peer: ct.Chat(1), Settings: chgk.DefaultSettings()},
		"top_none":               chgk.LeaderboardShown{Peer: ct.Chat(1)},
		"discussion_warned":      chgk.DiscussionWarned{Peer: ct.Chat(1), Round: 2, Left: 10 * time.Second},
		"discussion_warned_late": chgk.DiscussionWarned{Peer: ct.Chat(1), Round: 2, Left: 800 * time.Millisecond},
		"top": chgk.LeaderboardShown{Peer: ct.Chat(1), Board: chgk.Leaderboard{Games: 5, Stopped: 1, TeamWins: 2, BotWins: 1, Draws: 1,
			TeamPoints: 14, BotPoints: 11, Players: []chgk.PlayerStats{{Player: anna, Games: 5, Answered: 7, Correct: 5},
				{Player: chgk.Player{ID: 7, Name: "@all [id1|x]"}, Games: 1, Answered: 1, Correct: 1}}}},
		"settings_shown":           chgk.SettingsShown{Peer: ct.Chat(1), By: anna, Settings: chgk.DefaultSettings()},
		"settings_changed":         chgk.SettingsShown{Peer: ct.Chat(1), By: anna, Settings: chgk.DefaultSettings(), Changed: chgk.SettingRounds},
		"rejected_not_captain":     chgk.Rejected{Peer: ct.Chat(1), By: anna, Reason: chgk.ErrNotCaptain},
		"rejected_running":         chgk.Rejected{Peer: ct.Chat(1), By: anna, Reason: chgk.ErrGameRunning, Status: &status},
		"rejected_setting":         chgk.Rejected{Peer: ct.Chat(1), By: anna, Reason: chgk.ErrBadSetting, Setting: &chgk.SettingError{Name: chgk.SettingDiscussion, Value: "5", Min: 10, Max: 600, Unit: "s"}},
		"rejected_unknown_setting": chgk.Rejected{Peer: ct.Chat(1), By: anna, Reason: chgk.ErrBadSetting, Setting: &chgk.SettingError{Name: "colour", Value: "red"}},
	}
}

// silent are the events that send nothing of their own: another event's
// message says what they would (one VK call fewer each).
var silent = map[string]bool{
	"game_started":      true, // the first round's message names the team and the captain
	"round_judged_last": true, // the results open with the last verdict
}

func TestRenderGolden(t *testing.T) {
	for name, e := range events() {
		t.Run(name, func(t *testing.T) {
			is := is.New(t)
			posts := vkapi.Render(e)
			if silent[name] {
				is.Equal(len(posts), 0) // another message says it
				return
			}
			is.True(len(posts) > 0) // every other event says something
			var b strings.Builder
			for i, p := range posts {
				is.True(utf8.RuneCountInString(p.Text) <= vkapi.MaxText) // each part fits one message
				fmt.Fprintf(&b, "--- message %d ---\n%s\n", i+1, p.Text)
				if p.Keyboard != nil {
					is.NoErr(p.Keyboard.Validate()) // keyboards keep VK's limits
					js, err := json.MarshalIndent(p.Keyboard, "", "  ")
					is.NoErr(err)
					fmt.Fprintf(&b, "--- keyboard ---\n%s\n", js)
				}
			}
			path := filepath.Join("testdata", name+".golden")
			if *update {
				is.NoErr(os.MkdirAll("testdata", 0o755))
				is.NoErr(os.WriteFile(path, []byte(b.String()), 0o644))
			}
			want, err := os.ReadFile(path)
			is.NoErr(err) // the golden file exists (go test -run Golden -update writes it)
			is.Equal(b.String(), string(want))
		})
	}
}

func TestChoiceKeyboardPages(t *testing.T) {
	is := is.New(t)
	players := make([]chgk.Player, 23)
	for i := range players {
		players[i] = chgk.Player{ID: chgk.UserID(i + 1), Name: fmt.Sprint("P", i+1)}
	}
	seen := map[int64]bool{}
	for page := range 3 {
		kb := vkapi.ChoiceKeyboard(players, 4, page)
		is.NoErr(kb.Validate()) // every page fits an inline keyboard
		for _, row := range kb.Buttons {
			for _, b := range row {
				var p vkwire.Payload
				is.NoErr(json.Unmarshal([]byte(b.Action.Payload), &p))
				is.Equal(p.R, 4) // every button knows its round
				if p.A == vkwire.ActPick {
					seen[p.U] = true
				}
			}
		}
	}
	is.Equal(len(seen), 23) // every player is on some page
	ten := vkapi.ChoiceKeyboard(players[:10], 1, 0)
	is.Equal(len(ten.Buttons), 5)                                                        // ten players fit one page in five rows, no paging
	is.Equal(vkapi.Mention(chgk.Player{ID: 5, Name: "[id1|хитрец]"}), "[id5|id1хитрец]") // names cannot forge mentions
	is.Equal(vkapi.Mention(chgk.Player{ID: 5}), "[id5|id5]")
}

func TestVerdictPunctuation(t *testing.T) {
	is := is.New(t)
	q := chgk.Question{Text: "?", Answer: "Эврика!", Accepted: []string{"Нашёл."}, Comment: "Так кричал Архимед"}
	posts := vkapi.Render(chgk.GameEnded{Peer: ct.Chat(1), Results: chgk.Results{Outcome: chgk.OutcomeBot, Bot: 1, Planned: 1,
		Rounds: []chgk.Round{{Number: 1, Question: q, Answerer: ct.Anna, Verdict: chgk.VerdictNoAnswer}}}})
	is.Equal(len(posts), 1)
	is.True(strings.Contains(posts[0].Text, "Правильный ответ: Эврика!\n"))        // no full stop after "!"
	is.True(strings.Contains(posts[0].Text, "Зачёт: Нашёл.\n"))                    // nor a second one
	is.True(strings.Contains(posts[0].Text, "Комментарий: Так кричал Архимед.\n")) // but one where none was
}

// TestEchoedTextIsDefused: an answer is echoed in the verdict; VK's
// mention forms in it must notify nobody and bidi controls must not
// reorder the bot's words.
func TestEchoedTextIsDefused(t *testing.T) {
	is := is.New(t)
	q := chgk.Question{Text: "?", Answer: "Гоголь"}
	for _, given := range []string{"@all", "@online смотрите", "@id1 (Павел)", "*id1 (Павел)", "[id1|Павел]", "ab\u202Ecd", "x\u2066y\u2069"} {
		text := vkapi.Render(chgk.RoundJudged{Round: 1, Of: 1, Answerer: chgk.Player{ID: 5, Name: "Анна"}, Given: given,
			Verdict: chgk.VerdictWrong, Question: q})[0].Text
		is.True(!strings.Contains(text, "@all") && !strings.Contains(text, "@online")) // no mass mention
		is.True(!strings.Contains(text, "@id1") && !strings.Contains(text, "*id1"))    // no mention of a user
		is.True(!strings.Contains(text, "[id1|"))                                      // no mention markup
		is.True(!strings.ContainsAny(text, "\u202E\u2066\u2069"))                      // no bidi control
	}
	is.Equal(vkapi.Defused("👨\u200d👩 ok"), "👨\u200d👩 ok") // emoji keep their joiner
}

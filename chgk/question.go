package chgk

// Question is one question of the game with everything a judge and a chat
// need. Only Answer is required by the judge; the rest is shown to players.
type Question struct {
	ID       int64    // the store's id; zero for a question not stored
	Pack     string   // the named set it belongs to, e.g. a tournament
	Text     string   // the question as read to the team
	Handout  string   // handout text shown with the question, if any
	Answer   string   // the reference answer; [parts] in brackets are optional
	Accepted []string // other answers that count («Зачёт»)
	Rejected []string // answers that never count, however close («Незачёт»)
	Comment  string   // the author's explanation, shown after the verdict
	Source   string   // where the facts come from
	Author   string   // who wrote the question
}

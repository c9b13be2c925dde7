package chgk

// Question is one question of the game with everything a judge and a chat
// need. Only Answer is required by the judge; the rest is shown to players.
type Question struct {
	ID       int64    `json:"id"`       // the store's id; zero for a question not stored
	Pack     string   `json:"pack"`     // the named set it belongs to, e.g. a tournament
	Text     string   `json:"text"`     // the question as read to the team
	Handout  string   `json:"handout"`  // handout text shown with the question, if any
	Answer   string   `json:"answer"`   // the reference answer; [parts] in brackets are optional
	Accepted []string `json:"accepted"` // other answers that count («Зачёт»)
	Rejected []string `json:"rejected"` // answers that never count, however close («Незачёт»)
	Comment  string   `json:"comment"`  // the author's explanation, shown after the verdict
	Source   string   `json:"source"`   // where the facts come from
	Author   string   `json:"author"`   // who wrote the question
}

// Package chgk is the game engine of «Что? Где? Когда?» (What? Where? When?)
// played by a chat of people — the team of experts — against a bot.
//
// The package is pure: it does no I/O and imports only the standard library.
// Time and randomness come in from the caller, so every game is reproducible.
//
// The parts:
//
//   - [Question] and its judge [Question.Accepts], which decides whether a
//     typed answer should count, the way a human ЧГК judge would.
//   - [Game], the aggregate of one chat's game. [Game.Apply] takes one
//     [Command] at a time and returns the [Event] values the chat must be
//     told about; an invalid move returns a [RuleError] and changes nothing.
//   - [Settings], a chat's or a game's phase lengths and number of rounds.
//   - [Host], the use cases over the small storage interfaces the engine needs
//     ([GameStore], [QuestionSource], [ChatStore]). Package chgktest holds
//     in-memory implementations and the contract suite every store must pass.
//
// Presentation (Russian texts, keyboards, mentions) is not here: events carry
// the data, adapters render it.
package chgk

package postgres

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/vkchgk/chgkbot/adapters/vksim"
)

// SimKeepEvents is how many of the simulated VK's newest long-poll updates
// are kept: a poller further behind than that starts again from the newest
// (failed 1), as it would on VK, whose history is shorter still.
const SimKeepEvents = 10_000

// Sim keeps the playground's simulated VK (vksim.Store) in the vksim_*
// tables.
type Sim struct{ db *bun.DB }

// NewSim returns the store over db.
func NewSim(db *bun.DB) *Sim { return &Sim{db: db} }

var _ vksim.Store = (*Sim)(nil)

type simChat struct {
	bun.BaseModel `bun:"table:vksim_chats"`
	Peer          int64   `bun:"peer,pk"`
	Title         string  `bun:"title"`
	Admin         bool    `bun:"admin"`
	Members       []int64 `bun:"members,array"`
}

type simMessage struct {
	bun.BaseModel `bun:"table:vksim_messages"`
	Peer          int64        `bun:"peer,pk"`
	CMID          int64        `bun:"cmid,pk"`
	From          int64        `bun:"from_id"`
	Text          string       `bun:"text"`
	Keyboard      string       `bun:"keyboard"`
	Payload       string       `bun:"payload"`
	Action        string       `bun:"action"`
	Member        int64        `bun:"member"`
	RandomID      int64        `bun:"random_id"`
	At            time.Time    `bun:"at"`
	Edited        sql.NullTime `bun:"edited"`
}

type simEvent struct {
	bun.BaseModel `bun:"table:vksim_events"`
	TS            int64           `bun:"ts,pk"`
	Body          json.RawMessage `bun:"body,type:jsonb"`
	At            time.Time       `bun:"at"`
}

type simUser struct {
	bun.BaseModel `bun:"table:vksim_users"`
	ID            int64  `bun:"id,pk"`
	Name          string `bun:"name"`
}

// Load reads the whole simulation.
func (s *Sim) Load(ctx context.Context) (vksim.Snapshot, error) {
	var snap vksim.Snapshot
	var users []simUser
	var chats []simChat
	var msgs []simMessage
	var events []simEvent
	err := s.db.RunInTx(ctx, &sql.TxOptions{ReadOnly: true, Isolation: sql.LevelRepeatableRead}, func(ctx context.Context, tx bun.Tx) error {
		if err := tx.NewSelect().Model(&users).Order("id").Scan(ctx); err != nil {
			return err
		}
		if err := tx.NewSelect().Model(&chats).Order("peer").Scan(ctx); err != nil {
			return err
		}
		if err := tx.NewSelect().Model(&msgs).Order("peer", "cmid").Scan(ctx); err != nil {
			return err
		}
		return tx.NewSelect().Model(&events).Order("ts").Scan(ctx)
	})
	if err != nil {
		return snap, fmt.Errorf("load the simulated VK: %w", translate(err))
	}
	for _, u := range users {
		snap.Users = append(snap.Users, vksim.User{ID: u.ID, Name: u.Name})
	}
	for _, c := range chats {
		snap.Chats = append(snap.Chats, vksim.Chat{Peer: c.Peer, Title: c.Title, Admin: c.Admin, Members: c.Members})
	}
	for _, m := range msgs {
		snap.Messages = append(snap.Messages, vksim.Message{Peer: m.Peer, CMID: m.CMID, From: m.From, Text: m.Text,
			Keyboard: m.Keyboard, Payload: m.Payload, Action: m.Action, Member: m.Member, RandomID: m.RandomID,
			At: m.At, Edited: m.Edited.Time})
	}
	for _, e := range events {
		snap.Events = append(snap.Events, vksim.Event{TS: e.TS, Body: e.Body, At: e.At})
	}
	return snap, nil
}

// Save writes one change in one transaction, and lets the oldest updates
// go past SimKeepEvents.
func (s *Sim) Save(ctx context.Context, c vksim.Change) error {
	err := s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		for _, u := range c.Users {
			if _, err := tx.NewInsert().Model(&simUser{ID: u.ID, Name: u.Name}).
				On("CONFLICT (id) DO UPDATE").Set("name = EXCLUDED.name").Exec(ctx); err != nil {
				return err
			}
		}
		for _, ch := range c.Chats {
			row := &simChat{Peer: ch.Peer, Title: ch.Title, Admin: ch.Admin, Members: append([]int64{}, ch.Members...)}
			if _, err := tx.NewInsert().Model(row).On("CONFLICT (peer) DO UPDATE").
				Set("title = EXCLUDED.title, admin = EXCLUDED.admin, members = EXCLUDED.members").Exec(ctx); err != nil {
				return err
			}
		}
		for _, m := range c.Messages {
			row := &simMessage{Peer: m.Peer, CMID: m.CMID, From: m.From, Text: m.Text, Keyboard: m.Keyboard,
				Payload: m.Payload, Action: m.Action, Member: m.Member, RandomID: m.RandomID, At: m.At,
				Edited: sql.NullTime{Time: m.Edited, Valid: !m.Edited.IsZero()}}
			if _, err := tx.NewInsert().Model(row).On("CONFLICT (peer, cmid) DO UPDATE").
				Set("text = EXCLUDED.text, keyboard = EXCLUDED.keyboard, edited = EXCLUDED.edited").Exec(ctx); err != nil {
				return err
			}
		}
		last := int64(0)
		for _, e := range c.Events {
			if _, err := tx.NewInsert().Model(&simEvent{TS: e.TS, Body: e.Body, At: e.At}).Exec(ctx); err != nil {
				return err
			}
			last = max(last, e.TS)
		}
		if last > SimKeepEvents {
			if _, err := tx.NewDelete().Model((*simEvent)(nil)).Where("ts <= ?", last-SimKeepEvents).Exec(ctx); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("save the simulated VK: %w", translate(err))
	}
	return nil
}

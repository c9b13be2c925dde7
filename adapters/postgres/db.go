// Package postgres keeps chgk's state in PostgreSQL through uptrace/bun:
// games with their players and rounds, questions and packs, chats and their
// settings, and the bookkeeping of the bus (inbox, long-poll position).
//
// The package is a set of small stores over one *bun.DB, each serving one
// port: Games, Questions, Chats (chgk's storage interfaces), Units (the
// bus's unit of work: inbox, chat lock, stores bound to the transaction,
// outbox), LongPoll, Keyboards, Names, Packs, Stats and Accounts. Row
// structs live here; domain types carry no tags. Driver errors are
// translated at this edge (see translate): their classes survive as
// chgk.ErrNotFound, chgk.ErrConflict, chgk.ErrInvalid or a temporary error,
// and the driver's error stays reachable with errors.As.
package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/stdlib"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
)

// Open connects to the database at url (a postgres:// URL or a DSN) through
// pgx's database/sql driver, so the same pool serves bun and watermill-sql,
// and checks that it answers. The pool holds up to 20 connections.
func Open(ctx context.Context, url string) (*bun.DB, error) {
	return OpenPool(ctx, url, 20)
}

// OpenPool is Open with a pool of up to size connections. Connections are
// opened as needed and closed after five minutes unused.
func OpenPool(ctx context.Context, url string, size int) (*bun.DB, error) {
	return openPool(ctx, url, size, nil)
}

// OpenReaders is the pool for the bus's subscribers (Bus.ReadingFrom). Its
// transactions only read messages and move the consumer groups' positions,
// so they commit without waiting for the disk (synchronous_commit off):
// a position lost when PostgreSQL itself crashes means messages delivered
// again, which the bus allows (at least once; the inbox and random_id make
// a repeat harmless) — and every message costs one wait for the disk less.
// The write-ahead log keeps its order, so a later durable commit (a unit of
// work's) makes every earlier position durable too.
func OpenReaders(ctx context.Context, url string, size int) (*bun.DB, error) {
	return openPool(ctx, url, size, map[string]string{"synchronous_commit": "off"})
}

func openPool(ctx context.Context, url string, size int, params map[string]string) (*bun.DB, error) {
	cfg, err := pgxConfig(url)
	if err != nil {
		return nil, err
	}
	for k, v := range params {
		cfg.RuntimeParams[k] = v
	}
	sqldb := stdlib.OpenDB(*cfg)
	sqldb.SetMaxOpenConns(size)
	sqldb.SetMaxIdleConns(size)
	sqldb.SetConnMaxIdleTime(5 * time.Minute)
	db := bun.NewDB(sqldb, pgdialect.New())
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.PingContext(pingCtx); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("connect to postgres: %w", translate(err))
	}
	return db, nil
}

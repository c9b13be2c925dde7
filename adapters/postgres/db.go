// Package postgres keeps chgk's state in PostgreSQL through uptrace/bun:
// games with their players and rounds, questions and packs, chats and their
// settings, and the bookkeeping of the bus (inbox, long-poll position).
//
// Store implements chgk.GameStore, chgk.QuestionSource and chgk.ChatStore.
// Its Update owns one transaction per command: the chat's row is locked, the
// game loaded, decided on, saved, and its events recorded, all or nothing.
// Row structs live here; domain types carry no tags. Driver errors are
// translated at this edge into chgk.ErrNotFound, chgk.ErrConflict or a
// plain error that names the operation.
package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/vkchgk/chgkbot/chgk"
)

// Open connects to the database at url (a postgres:// URL or a DSN) through
// pgx's database/sql driver, so the same pool serves bun and watermill-sql,
// and checks that it answers.
func Open(ctx context.Context, url string) (*bun.DB, error) {
	cfg, err := pgxConfig(url)
	if err != nil {
		return nil, err
	}
	sqldb := stdlib.OpenDB(*cfg)
	sqldb.SetMaxOpenConns(20)
	sqldb.SetMaxIdleConns(20)
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

// translate turns a driver error into one of chgk's storage errors, so no
// caller ever has to know pgx: a unique violation or a serialisation failure
// is chgk.ErrConflict, no rows is chgk.ErrNotFound, a cancelled context
// stays itself. Anything else keeps its text but not its type.
func translate(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	if errors.Is(err, sql.ErrNoRows) {
		return chgk.ErrNotFound
	}
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		switch pg.Code {
		case "23505", "40001", "40P01": // unique_violation, serialization_failure, deadlock_detected
			return fmt.Errorf("%s: %w", pg.Message, chgk.ErrConflict)
		case "23503", "23514", "22P02", "22001": // foreign key, check, bad text representation, too long
			return fmt.Errorf("%s: %w", pg.Message, ErrInvalid)
		}
		return fmt.Errorf("postgres error %s: %s", pg.Code, pg.Message)
	}
	return errors.New(err.Error())
}

// ErrInvalid is chgk.ErrInvalid, for callers that know this package.
var ErrInvalid = chgk.ErrInvalid

// txKey marks a context that carries the transaction of a Store.Update, so
// the question source and the chat store called inside it join it.
type txKey struct{}

// lockedKey marks the chat whose lock the transaction in the context holds.
type lockedKey struct{}

// idb is the transaction in ctx, or the pool.
func idb(ctx context.Context, db *bun.DB) bun.IDB {
	if tx, ok := ctx.Value(txKey{}).(bun.Tx); ok {
		return tx
	}
	return db
}

package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/uptrace/bun"

	"github.com/vkchgk/chgkbot/adapters/postgres"
)

// retryCap is the longest wait between two attempts of a start-up step.
const retryCap = 5 * time.Second

// waitForDatabase connects to the database, waiting for it to answer for up
// to cfg.DBWait (under compose the database may start after the bot): one
// log line per failed attempt, then one clear error.
func waitForDatabase(ctx context.Context, cfg config, log *slog.Logger) (*bun.DB, error) {
	ctx, cancel := context.WithTimeout(ctx, max(cfg.DBWait, time.Millisecond))
	defer cancel()
	var db *bun.DB
	err := retry(ctx, log, "connect to the database", func(ctx context.Context) (err error) {
		db, err = postgres.Open(ctx, cfg.DatabaseURL)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("the database did not answer within %s (CHGK_DB_WAIT_SECONDS): %w", cfg.DBWait, err)
	}
	return db, nil
}

// retry runs step until it succeeds, fails with an error that is not
// temporary (postgres.IsTemporary), or ctx ends; each failed attempt is
// logged once, and the waits double up to retryCap.
func retry(ctx context.Context, log *slog.Logger, what string, step func(context.Context) error) error {
	wait := 100 * time.Millisecond
	for attempt := 1; ; attempt++ {
		err := step(ctx)
		if err == nil || !postgres.IsTemporary(err) {
			return err
		}
		log.Warn("start-up step failed, retrying", "step", what, "attempt", attempt, "in", wait, "err", err)
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s: %w", what, err)
		case <-time.After(wait):
		}
		wait = min(2*wait, retryCap)
	}
}

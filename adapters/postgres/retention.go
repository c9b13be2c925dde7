package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"
)

// Retention deletes what the system no longer needs, so storage stays
// bounded: bus messages every consumer group of their topic has passed, old
// poison messages, processed inbox entries, expired tokens, old login
// failures, stale send attempts. Finished games, their rounds and players
// are the results and are kept.
type Retention struct{ db *bun.DB }

// NewRetention returns the retention job over db.
func NewRetention(db *bun.DB) *Retention { return &Retention{db: db} }

// RetentionConfig says what to keep.
type RetentionConfig struct {
	// Groups are the consumer groups that read each bus topic: a message
	// is deleted only when every one of them has passed it. A group that
	// has never read its topic keeps every message of it.
	Groups map[string][]string
	// Bus is how long a passed bus message is kept; Poison how long a
	// poison message is; Inbox how long a processed update id is.
	Bus, Poison, Inbox time.Duration
	// PoisonTopic is the poison queue's topic.
	PoisonTopic string
	// Batch is how many rows one statement deletes, so no lock is held
	// for long (1,000 when zero).
	Batch int
}

// Deleted is how many rows one run deleted, by table.
type Deleted map[string]int64

// retentionLock is the advisory lock that makes one replica's run the only
// one at a time.
const retentionLock = 0x63686b67_72657400 // "chkgret\0"

// Run deletes, in batches, what cfg says may go; a run of another replica
// holding the lock makes this one return ran = false at once. poison, if
// not nil, is told how many poison messages are about to go (they are the
// operator's to read: the caller logs them).
func (s *Retention) Run(ctx context.Context, cfg RetentionConfig, now time.Time, poison func(n int64)) (d Deleted, ran bool, err error) {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return nil, false, fmt.Errorf("retention: %w", translate(err))
	}
	defer conn.Close()
	var locked bool
	if err := conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock(?)`, int64(retentionLock)).Scan(&locked); err != nil {
		return nil, false, fmt.Errorf("retention lock: %w", translate(err))
	}
	if !locked {
		return nil, false, nil
	}
	defer func() {
		_, _ = conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock(?)`, int64(retentionLock))
	}()
	batch := cfg.Batch
	if batch <= 0 {
		batch = 1000
	}
	d = Deleted{}
	for topic, groups := range cfg.Groups {
		n, err := s.passed(ctx, topic, groups, now.Add(-cfg.Bus), batch)
		if err != nil {
			return d, true, err
		}
		d["watermill_"+topic] = n
	}
	if cfg.PoisonTopic != "" {
		table := pgIdent("watermill_" + cfg.PoisonTopic)
		cutoff := now.Add(-cfg.Poison)
		var old int64
		if err := s.db.NewRaw(`SELECT count(*) FROM `+table+` WHERE created_at < ?`, cutoff.UTC()).Scan(ctx, &old); err != nil {
			return d, true, fmt.Errorf("count old poison: %w", translate(err))
		}
		if old > 0 && poison != nil {
			poison(old)
		}
		n, err := s.batched(ctx, `DELETE FROM `+table+` WHERE ("transaction_id", "offset") IN (
			SELECT "transaction_id", "offset" FROM `+table+` WHERE created_at < ? ORDER BY "transaction_id", "offset" LIMIT ?)`, cutoff.UTC(), batch)
		if err != nil {
			return d, true, fmt.Errorf("delete old poison: %w", err)
		}
		d["watermill_"+cfg.PoisonTopic] = n
	}
	for table, q := range map[string]struct {
		sql string
		at  time.Time
	}{
		"inbox":             {`DELETE FROM inbox WHERE event_id IN (SELECT event_id FROM inbox WHERE processed_at < ? LIMIT ?)`, now.Add(-cfg.Inbox)},
		"admin_tokens":      {`DELETE FROM admin_tokens WHERE token_hash IN (SELECT token_hash FROM admin_tokens WHERE expires_at < ? OR revoked_at IS NOT NULL LIMIT ?)`, now.Add(-24 * time.Hour)},
		"login_failures":    {`DELETE FROM login_failures WHERE ctid IN (SELECT ctid FROM login_failures WHERE failed_at < ? LIMIT ?)`, now.Add(-24 * time.Hour)},
		"announce_attempts": {`DELETE FROM announce_attempts WHERE key IN (SELECT key FROM announce_attempts WHERE first_at < ? LIMIT ?)`, now.Add(-24 * time.Hour)},
	} {
		n, err := s.batched(ctx, q.sql, q.at, batch)
		if err != nil {
			return d, true, fmt.Errorf("delete old %s: %w", table, err)
		}
		d[table] = n
	}
	return d, true, nil
}

// passed deletes the messages of topic older than cutoff that every one of
// groups has passed (watermill-sql reads a topic in (transaction_id,
// offset) order from each group's position).
func (s *Retention) passed(ctx context.Context, topic string, groups []string, cutoff time.Time, batch int) (int64, error) {
	offsets := pgIdent("watermill_offsets_" + topic)
	var known int
	if err := s.db.NewRaw(`SELECT count(*) FROM `+offsets+` WHERE consumer_group IN (?) AND offset_acked IS NOT NULL`,
		bun.In(groups)).Scan(ctx, &known); err != nil {
		return 0, fmt.Errorf("positions of %s: %w", topic, translate(err))
	}
	if len(groups) == 0 || known < len(groups) {
		return 0, nil // a group that has not read yet needs every message
	}
	table := pgIdent("watermill_" + topic)
	n, err := s.batched(ctx, `DELETE FROM `+table+` WHERE ("transaction_id", "offset") IN (
		SELECT "transaction_id", "offset" FROM `+table+`
		WHERE created_at < ?
		  AND ("transaction_id", "offset") <= ALL (SELECT last_processed_transaction_id, offset_acked FROM `+offsets+` WHERE consumer_group IN (?))
		ORDER BY "transaction_id", "offset" LIMIT ?)`, cutoff.UTC(), bun.In(groups), batch)
	if err != nil {
		return n, fmt.Errorf("delete passed messages of %s: %w", topic, err)
	}
	return n, nil
}

// batched runs a DELETE whose last argument is the batch size until it
// deletes fewer rows than that: short statements, short locks.
func (s *Retention) batched(ctx context.Context, query string, args ...any) (int64, error) {
	batch, _ := args[len(args)-1].(int)
	var total int64
	for {
		res, err := s.db.ExecContext(ctx, query, args...)
		if err != nil {
			return total, translate(err)
		}
		n, _ := res.RowsAffected()
		total += n
		if n < int64(batch) || ctx.Err() != nil {
			return total, ctx.Err()
		}
	}
}

// Sizes returns the total size on disk (with indexes and TOAST) of every
// table of the public schema, in bytes.
func (s *Retention) Sizes(ctx context.Context) (map[string]int64, error) {
	var rows []struct {
		Name  string `bun:"name"`
		Bytes int64  `bun:"bytes"`
	}
	err := s.db.NewRaw(`SELECT c.relname AS name, pg_total_relation_size(c.oid) AS bytes FROM pg_class c
		JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema() AND c.relkind = 'r'`).Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("table sizes: %w", translate(err))
	}
	out := make(map[string]int64, len(rows))
	for _, r := range rows {
		out[r.Name] = r.Bytes
	}
	return out, nil
}

// Backlog returns, for each topic and each of its groups, how many of the
// topic's messages the group has not passed yet (every message, for a
// group that never read).
func (s *Retention) Backlog(ctx context.Context, groups map[string][]string) (map[[2]string]int64, error) {
	out := map[[2]string]int64{}
	for topic, gs := range groups {
		for _, g := range gs {
			var n int64
			err := s.db.NewRaw(`SELECT count(*) `+notPassed(topic), g).Scan(ctx, &n)
			if err != nil {
				return nil, fmt.Errorf("backlog of %s for %s: %w", topic, g, translate(err))
			}
			out[[2]string{topic, g}] = n
		}
	}
	return out, nil
}

// Count returns the number of rows of a bus topic's table (the poison
// topic's, for its gauge).
func (s *Retention) Count(ctx context.Context, topic string) (int64, error) {
	var n int64
	err := s.db.NewRaw(`SELECT count(*) FROM `+pgIdent("watermill_"+topic)).Scan(ctx, &n)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("count %s: %w", topic, translate(err))
	}
	return n, nil
}

// pgIdent quotes a table name built from a topic name.
// notPassed is the FROM and WHERE of topic's messages a consumer group
// (the query's first argument) has not passed yet — every message, for a
// group that never read. The order is watermill-sql's: by transaction,
// then offset.
func notPassed(topic string) string {
	return `FROM ` + pgIdent("watermill_"+topic) + ` m
		LEFT JOIN ` + pgIdent("watermill_offsets_"+topic) + ` o ON o.consumer_group = ?
		WHERE (o.consumer_group IS NULL
			OR (m.transaction_id, m."offset") > (o.last_processed_transaction_id, coalesce(o.offset_acked, 0)))`
}

func pgIdent(s string) string { return `"` + s + `"` }

package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/migrate"

	"github.com/vkchgk/chgkbot/migrations"
)

// Migrator applies and rolls back the embedded migrations. Concurrent
// migrators (two containers starting at once) wait for each other on a
// Postgres advisory lock, which, unlike a lock row, dies with its holder.
type Migrator struct {
	db *bun.DB
	m  *migrate.Migrator
}

// migrationLock is the advisory lock key of migrations ("chgk" in ASCII).
const migrationLock = 0x6368676b

// NewMigrator returns a migrator of db. A migration that fails is not marked
// applied, so it runs again after it is fixed.
func NewMigrator(db *bun.DB) (*Migrator, error) {
	ms, err := migrations.New()
	if err != nil {
		return nil, err
	}
	return &Migrator{db: db, m: migrate.NewMigrator(db, ms, migrate.WithMarkAppliedOnSuccess(true))}, nil
}

// MigrationStatus is one migration and whether it is applied.
type MigrationStatus struct {
	Name      string // version and comment, e.g. 20261127000001_schema
	Applied   bool
	AppliedAt time.Time
}

// Up applies every pending migration and returns their names.
func (m *Migrator) Up(ctx context.Context) ([]string, error) {
	var names []string
	err := m.locked(ctx, func() error {
		group, err := m.m.Migrate(ctx)
		if group != nil {
			for _, mig := range group.Migrations {
				names = append(names, mig.String())
			}
		}
		if err != nil {
			return fmt.Errorf("migrate up: %w", err)
		}
		return nil
	})
	return names, err
}

// Down rolls back the last applied migration, one step, and returns its
// name; "" when nothing is applied.
func (m *Migrator) Down(ctx context.Context) (string, error) {
	var name string
	err := m.locked(ctx, func() error {
		ms, err := m.m.MigrationsWithStatus(ctx)
		if err != nil {
			return fmt.Errorf("read migrations: %w", err)
		}
		applied := ms.Applied() // newest first
		if len(applied) == 0 {
			return nil
		}
		last := applied[0]
		name = last.String()
		if last.Down != nil {
			if err := last.Down(ctx, m.m, &last); err != nil {
				return fmt.Errorf("migrate down %s: %w", name, err)
			}
		}
		if err := m.m.MarkUnapplied(ctx, &last); err != nil {
			return fmt.Errorf("mark %s unapplied: %w", name, err)
		}
		return nil
	})
	return name, err
}

// Status lists every migration, oldest first.
func (m *Migrator) Status(ctx context.Context) ([]MigrationStatus, error) {
	if err := m.m.Init(ctx); err != nil {
		return nil, fmt.Errorf("init migrations table: %w", translate(err))
	}
	ms, err := m.m.MigrationsWithStatus(ctx)
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", translate(err))
	}
	out := make([]MigrationStatus, len(ms))
	for i, mig := range ms {
		out[i] = MigrationStatus{Name: mig.String(), Applied: mig.IsApplied(), AppliedAt: mig.MigratedAt}
	}
	return out, nil
}

// locked runs f holding the migration advisory lock on one connection.
func (m *Migrator) locked(ctx context.Context, f func() error) error {
	conn, err := m.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("migration lock: %w", translate(err))
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock(?)", migrationLock); err != nil {
		return fmt.Errorf("migration lock: %w", translate(err))
	}
	defer func() {
		_, _ = conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock(?)", migrationLock)
	}()
	if err := m.m.Init(ctx); err != nil {
		return fmt.Errorf("init migrations table: %w", translate(err))
	}
	return f()
}

package postgres_test

import (
	"context"
	"strings"
	"testing"

	"github.com/matryer/is"
	"github.com/uptrace/bun"

	"github.com/vkchgk/chgkbot/adapters/postgres"
	"github.com/vkchgk/chgkbot/adapters/postgres/pgtest"
)

// schema describes every table, column and index of the public schema, for
// comparing databases.
func schema(t *testing.T, db *bun.DB) string {
	t.Helper()
	var rows []string
	err := db.NewRaw(`
		SELECT table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' || coalesce(column_default, '')
		FROM information_schema.columns WHERE table_schema = 'public' AND table_name NOT LIKE 'bun_%'
		UNION ALL
		SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename NOT LIKE 'bun_%'
		ORDER BY 1`).Scan(context.Background(), &rows)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(rows, "\n")
}

func TestMigrationsUpDownUp(t *testing.T) {
	t.Parallel()
	is := is.New(t)
	ctx := context.Background()
	db, _ := pgtest.NewEmpty(t)
	m, err := postgres.NewMigrator(db)
	is.NoErr(err)

	status, err := m.Status(ctx)
	is.NoErr(err)
	is.True(len(status) >= 3) // every migration is listed
	for _, s := range status {
		is.True(!s.Applied) // none applied on an empty database
	}

	applied, err := m.Up(ctx)
	is.NoErr(err)                       // up on an empty database
	is.Equal(len(applied), len(status)) // applies all
	first := schema(t, db)
	is.True(strings.Contains(first, "games_one_active")) // with the one-active-game index
	is.True(strings.Contains(first, "watermill_chgk_events_0"))

	again, err := m.Up(ctx)
	is.NoErr(err)
	is.Equal(len(again), 0) // a second up has nothing to do

	status, err = m.Status(ctx)
	is.NoErr(err)
	for _, s := range status {
		is.True(s.Applied)             // all applied now
		is.True(!s.AppliedAt.IsZero()) // with the time
	}

	for i := len(status) - 1; i >= 0; i-- {
		name, err := m.Down(ctx)
		is.NoErr(err)                  // each step down works
		is.Equal(name, status[i].Name) // newest first, one at a time
	}
	name, err := m.Down(ctx)
	is.NoErr(err)
	is.Equal(name, "")          // nothing left to roll back
	is.Equal(schema(t, db), "") // down to zero leaves no table

	_, err = m.Up(ctx)
	is.NoErr(err)                  // up again
	is.Equal(schema(t, db), first) // gives the same schema
	var n int
	is.NoErr(db.NewRaw(`SELECT count(*) FROM questions`).Scan(ctx, &n))
	is.True(n >= 60) // and the seed questions
}

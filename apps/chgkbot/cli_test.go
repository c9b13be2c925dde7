package main

import (
	"bytes"
	"context"
	"io/fs"
	"strings"
	"testing"

	"github.com/matryer/is"

	"github.com/vkchgk/chgkbot/adapters/postgres/pgtest"
	"github.com/vkchgk/chgkbot/migrations"
)

func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func TestMigrateCommand(t *testing.T) {
	t.Parallel()
	is := is.New(t)
	_, url := pgtest.NewEmpty(t)
	ctx := context.Background()
	call := func(args ...string) (int, string, string) {
		var out, errOut bytes.Buffer
		code := run(ctx, args, env(map[string]string{"DATABASE_URL": url}), &out, &errOut)
		return code, out.String(), errOut.String()
	}
	code, out, _ := call("migrate", "status")
	is.Equal(code, 0)
	is.True(strings.Contains(out, "20261127000001_schema")) // status lists the migrations
	is.True(strings.Contains(out, "pending"))
	code, out, _ = call("migrate", "up")
	is.Equal(code, 0)
	ups, err := fs.Glob(migrations.Files, "*.up.sql")
	is.NoErr(err)
	is.Equal(strings.Count(out, "applied "), len(ups)) // up applies them all
	code, out, _ = call("migrate", "up")
	is.Equal(code, 0)
	is.True(strings.Contains(out, "up to date")) // and then has nothing to do
	code, out, _ = call("migrate", "down")
	is.Equal(code, 0)
	last := strings.TrimSuffix(strings.TrimSuffix(ups[len(ups)-1], ".up.sql"), ".tx") // Glob sorts: the newest
	is.True(strings.Contains(out, "rolled back "+last))                               // down is one step, the newest
	code, out, _ = call("migrate", "status")
	is.Equal(code, 0)
	is.Equal(strings.Count(out, "pending"), 1)
}

func TestMigrateCommandErrors(t *testing.T) {
	is := is.New(t)
	ctx := context.Background()
	var out, errOut bytes.Buffer
	is.Equal(run(ctx, []string{"migrate", "sideways"}, env(nil), &out, &errOut), exitConfig) // a bad subcommand
	is.Equal(run(ctx, []string{"migrate", "up"}, env(nil), &out, &errOut), exitConfig)       // no DATABASE_URL
	is.True(strings.Contains(errOut.String(), "DATABASE_URL is required"))
	errOut.Reset()
	is.Equal(run(ctx, []string{"migrate", "up"}, env(map[string]string{"DATABASE_URL": "mysql://x"}), &out, &errOut), exitFail)
	is.True(strings.Contains(errOut.String(), "bad database URL")) // says what is wrong
	is.Equal(run(ctx, []string{"frobnicate"}, env(nil), &out, &errOut), exitConfig)
}

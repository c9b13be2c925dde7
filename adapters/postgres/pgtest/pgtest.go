// Package pgtest gives each test a fresh PostgreSQL database of its own, so
// tests that use a real database run in parallel without seeing each other.
//
// The server is the one DATABASE_URL names (default: the local server,
// postgres://postgres@127.0.0.1:5432/test). Databases are cloned from a
// migrated template, made once per set of migrations, which is much faster
// than migrating each one. When the server is unreachable a test is skipped
// with the reason, except in CI (CI=true), where it fails: CI provides
// PostgreSQL, so a skip there would hide a broken setup.
package pgtest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/uptrace/bun"

	"github.com/vkchgk/chgkbot/adapters/postgres"
	"github.com/vkchgk/chgkbot/migrations"
)

// DefaultURL is the server tests use when DATABASE_URL is not set.
const DefaultURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// URL is the server's URL for tests.
func URL() string {
	if u := os.Getenv("DATABASE_URL"); u != "" {
		return u
	}
	return DefaultURL
}

// New returns a fresh, migrated database (seed questions included) for t,
// dropped when t ends.
func New(t testing.TB) *bun.DB {
	t.Helper()
	db, _ := open(t, true)
	return db
}

// NewURL returns the URL of a fresh, migrated database for t, dropped when
// t ends, for code under test that connects by itself.
func NewURL(t testing.TB) string {
	t.Helper()
	_, u := open(t, true)
	return u
}

// NewEmpty returns a fresh database with no tables and its URL, for tests of
// the migrations themselves.
func NewEmpty(t testing.TB) (*bun.DB, string) {
	t.Helper()
	return open(t, false)
}

func open(t testing.TB, migrated bool) (*bun.DB, string) {
	ctx := context.Background()
	admin := adminDB(t)
	template := "template0"
	if migrated {
		template = ensureTemplate(t, admin)
	}
	name := "chgk_test_" + randomHex(6)
	var err error
	for try := 0; try < 50; try++ {
		// Cloning fails while another clone of the template is being made.
		_, err = admin.ExecContext(ctx, fmt.Sprintf(`CREATE DATABASE %q TEMPLATE %q`, name, template))
		if err == nil || !strings.Contains(err.Error(), "being accessed by other users") {
			break
		}
		time.Sleep(time.Duration(20+try*10) * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("pgtest: create database: %v", err)
	}
	t.Cleanup(func() {
		_, _ = admin.ExecContext(context.Background(), fmt.Sprintf(`DROP DATABASE IF EXISTS %q WITH (FORCE)`, name))
	})
	u := withDatabase(t, URL(), name)
	db, err := postgres.Open(ctx, u)
	if err != nil {
		t.Fatalf("pgtest: open %s: %v", name, err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db, u
}

// adminDB connects to the server's own database, skipping or failing t when
// the server is not there.
func adminDB(t testing.TB) *sql.DB {
	t.Helper()
	cfg, err := pgx.ParseConfig(URL())
	if err != nil {
		t.Fatalf("pgtest: DATABASE_URL: %v", err)
	}
	db := stdlib.OpenDB(*cfg)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		_ = db.Close()
		if os.Getenv("CI") == "true" {
			t.Fatalf("pgtest: PostgreSQL at %s is required in CI: %v", redacted(URL()), err)
		}
		t.Skipf("pgtest: no PostgreSQL at %s (%v); start one or set DATABASE_URL to run this test", redacted(URL()), err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// ensureTemplate makes the migrated template database for the current
// migrations, once, under an advisory lock shared by every test process.
func ensureTemplate(t testing.TB, admin *sql.DB) string {
	t.Helper()
	ctx := context.Background()
	name := "chgk_tmpl_" + migrationsHash(t)
	conn, err := admin.Conn(ctx)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock(7066)`); err != nil {
		t.Fatalf("pgtest: lock: %v", err)
	}
	defer conn.ExecContext(ctx, `SELECT pg_advisory_unlock(7066)`) //nolint:errcheck
	var exists bool
	if err := conn.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	if exists {
		return name
	}
	building := name + "_building"
	_, _ = conn.ExecContext(ctx, fmt.Sprintf(`DROP DATABASE IF EXISTS %q WITH (FORCE)`, building))
	if _, err := conn.ExecContext(ctx, fmt.Sprintf(`CREATE DATABASE %q TEMPLATE template0`, building)); err != nil {
		t.Fatalf("pgtest: create template: %v", err)
	}
	db, err := postgres.Open(ctx, withDatabase(t, URL(), building))
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	m, err := postgres.NewMigrator(db)
	if err == nil {
		_, err = m.Up(ctx)
	}
	_ = db.Close()
	if err != nil {
		t.Fatalf("pgtest: migrate template: %v", err)
	}
	// Renamed only when complete, so a crash never leaves a half-made template.
	if _, err := conn.ExecContext(ctx, fmt.Sprintf(`ALTER DATABASE %q RENAME TO %q`, building, name)); err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	return name
}

// migrationsHash names the template after the migrations' contents.
func migrationsHash(t testing.TB) string {
	h := sha256.New()
	err := fs.WalkDir(migrations.Files, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(migrations.Files, path)
		h.Write([]byte(path))
		h.Write(b)
		return err
	})
	if err != nil {
		t.Fatalf("pgtest: hash migrations: %v", err)
	}
	return hex.EncodeToString(h.Sum(nil))[:12]
}

func withDatabase(t testing.TB, raw, name string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" {
		t.Fatalf("pgtest: DATABASE_URL must be a postgres:// URL")
	}
	u.Path = "/" + name
	return u.String()
}

func redacted(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

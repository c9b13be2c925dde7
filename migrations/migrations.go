// Package migrations holds the database schema as SQL files, embedded into
// the binary and applied by bun/migrate. File names are persistent: a file
// that has been applied anywhere is never renamed or edited; change the
// schema with a new file.
package migrations

import (
	"embed"
	"fmt"

	"github.com/uptrace/bun/migrate"
)

// Files are the migration files; tests hash them to know when the schema changed.
//
//go:embed *.sql
var Files embed.FS

// New returns every migration, ready for a bun migrator. The files are
// embedded, so the binary needs no source tree at run time.
func New() (*migrate.Migrations, error) {
	m := migrate.NewMigrations()
	if err := m.Discover(Files); err != nil {
		return nil, fmt.Errorf("discover migrations: %w", err)
	}
	return m, nil
}

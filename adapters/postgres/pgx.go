package postgres

import (
	"fmt"

	"github.com/jackc/pgx/v5"
)

// pgxConfig parses a connection URL with a message that does not echo the
// password back.
func pgxConfig(url string) (*pgx.ConnConfig, error) {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("bad database URL: it must look like postgres://user:password@host:5432/dbname")
	}
	return cfg, nil
}

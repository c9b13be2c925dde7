package postgres

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/vkchgk/chgkbot/chgk"
)

// TestTranslateClasses: every class of driver error keeps its class and
// its cause through translate.
func TestTranslateClasses(t *testing.T) {
	pg := func(code string) error { return fmt.Errorf("exec: %w", &pgconn.PgError{Code: code, Message: "m"}) }
	for _, tc := range []struct {
		err       error
		is        error
		temporary bool
	}{
		{sql.ErrNoRows, chgk.ErrNotFound, false},
		{pg("23505"), chgk.ErrConflict, false},
		{pg("23514"), chgk.ErrInvalid, false},
		{pg("22003"), chgk.ErrInvalid, false},
		{pg("40001"), nil, true},  // serialisation failure: run the unit again
		{pg("40P01"), nil, true},  // deadlock
		{pg("08006"), nil, true},  // connection failure
		{pg("53300"), nil, true},  // too many connections
		{pg("57P01"), nil, true},  // admin shutdown
		{pg("57P03"), nil, true},  // cannot connect now (starting up)
		{pg("42601"), nil, false}, // a syntax error is ours: never temporary
		{fmt.Errorf("read: %w", io.ErrUnexpectedEOF), nil, true},
		{driver.ErrBadConn, nil, true},
		{context.DeadlineExceeded, nil, true},
		{context.Canceled, context.Canceled, false},
	} {
		got := translate(tc.err)
		if tc.is != nil && !errors.Is(got, tc.is) {
			t.Errorf("translate(%v) = %v, want it to be %v", tc.err, got, tc.is)
		}
		if IsTemporary(got) != tc.temporary {
			t.Errorf("translate(%v): temporary = %v, want %v", tc.err, IsTemporary(got), tc.temporary)
		}
		var pe *pgconn.PgError
		if errors.As(tc.err, &pe) && !errors.As(got, &pe) {
			t.Errorf("translate(%v) lost the driver's error", tc.err)
		}
	}
}

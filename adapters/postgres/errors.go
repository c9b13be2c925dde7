package postgres

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/vkchgk/chgkbot/chgk"
)

// ErrInvalid is chgk.ErrInvalid, for callers that know this package.
var ErrInvalid = chgk.ErrInvalid

// translate classifies a driver error for the layers above, which must not
// know pgx, and keeps the original in the chain (errors.As still finds the
// *pgconn.PgError): no rows is chgk.ErrNotFound; a unique violation is
// chgk.ErrConflict; a bad value is chgk.ErrInvalid; a lost or refused
// connection, a server shutting down or out of resources, a serialisation
// failure or a deadlock is temporary (Temporary reports true): trying the
// whole unit again later can succeed. A cancelled context stays itself.
func translate(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.Canceled) {
		return err
	}
	if errors.Is(err, sql.ErrNoRows) {
		return chgk.ErrNotFound
	}
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		switch {
		case pg.Code == "23505": // unique_violation
			return fmt.Errorf("%w: %w", chgk.ErrConflict, err)
		case pg.Code == "23503", pg.Code == "23514", pg.Code == "22P02", pg.Code == "22001", pg.Code == "22003": // foreign key, check, bad text, too long, out of range
			return fmt.Errorf("%w: %w", chgk.ErrInvalid, err)
		case pg.Code == "40001", pg.Code == "40P01", // serialization_failure, deadlock_detected: run the unit again
			strings.HasPrefix(pg.Code, "08"),   // connection exceptions
			strings.HasPrefix(pg.Code, "53"),   // insufficient resources (too many connections, disk full)
			strings.HasPrefix(pg.Code, "57P0"), // admin/crash shutdown, cannot connect now, database dropped
			pg.Code == "57014":                 // query_canceled (statement timeout)
			return &temporary{err}
		}
		return err
	}
	if isConnectionError(err) {
		return &temporary{err}
	}
	return err
}

// isConnectionError reports whether err says the database could not be
// reached or the connection broke, rather than anything about the query.
func isConnectionError(err error) bool {
	var ne net.Error
	var ce *pgconn.ConnectError
	return errors.Is(err, context.DeadlineExceeded) || errors.Is(err, driver.ErrBadConn) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) ||
		errors.As(err, &ne) || errors.As(err, &ce) || pgconn.SafeToRetry(err) || pgconn.Timeout(err) ||
		strings.Contains(err.Error(), "conn closed") || strings.Contains(err.Error(), "bad connection")
}

// temporary marks a database error that says "not now": the bus hands its
// message back to be delivered again instead of poisoning it.
type temporary struct{ err error }

func (t *temporary) Error() string   { return t.err.Error() }
func (t *temporary) Unwrap() error   { return t.err }
func (t *temporary) Temporary() bool { return true }

// IsTemporary reports whether err is a database error that may succeed if
// the same work is tried again later (see translate).
func IsTemporary(err error) bool {
	var t *temporary
	return errors.As(err, &t) || isConnectionError(err)
}

package admin

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/danielgtaylor/huma/v2"
	"golang.org/x/crypto/bcrypt"

	"github.com/vkchgk/chgkbot/chgk"
)

// bcryptCost is the work factor of password hashes.
const bcryptCost = 12

// HashPassword hashes a password for storage (bcrypt, salted).
func HashPassword(password string) (string, error) {
	h, err := bcrypt.GenerateFromPassword([]byte(password), bcryptCost)
	return string(h), err
}

// dummyHash is compared against when an email is unknown, so a login takes
// as long whether or not the account exists. It is a constant (the hash of
// "no such account" at bcryptCost; a test keeps the two in step) because
// computing it at start cost every process — the container's healthcheck
// too — half a second of CPU.
const dummyHash = "$2a$12$DtaDnOBj4lMyBeQhtUye8eJMNtKWArMhE7kmfXeZQlYut2ePCPMV2"

// CheckPassword says what is wrong with an admin's password, if anything:
// at least 8 characters, and at most 72 bytes, beyond which bcrypt refuses
// to hash (37 Cyrillic letters). The one copy of the rule: configuration
// checks it at start with the variable's name.
func CheckPassword(password string) error {
	switch {
	case utf8.RuneCountInString(password) < 8:
		return errors.New("the password must be at least 8 characters")
	case len(password) > 72:
		return fmt.Errorf("the password must be at most 72 bytes (bcrypt's limit), it has %d", len(password))
	}
	return nil
}

// EnsureFirstAdmin creates the first admin from email and password if
// there is no admin yet.
func EnsureFirstAdmin(ctx context.Context, a Accounts, email, password string) (bool, error) {
	if email == "" || password == "" {
		return false, nil
	}
	if err := CheckPassword(password); err != nil {
		return false, err
	}
	// Hashed only when there is no admin yet: bcrypt costs every start
	// a third of a second otherwise.
	return a.EnsureAdmin(ctx, strings.TrimSpace(email), func() (string, error) { return HashPassword(password) })
}

type loginInput struct {
	Body struct {
		Email    string `json:"email" maxLength:"254" minLength:"3" doc:"The admin's email"`
		Password string `json:"password" maxLength:"200" minLength:"1" doc:"The admin's password"`
	}
}

type tokenOutput struct {
	Body struct {
		Token     string    `json:"token" doc:"Send as Authorization: Bearer <token>"`
		ExpiresAt time.Time `json:"expires_at"`
	}
}

type adminKey struct{}
type tokenKey struct{}

func (s *server) registerAuth(api huma.API) {
	huma.Register(api, huma.Operation{
		OperationID: "login", Method: http.MethodPost, Path: "/auth/login", Tags: []string{"auth"},
		Summary:     "Log in",
		Description: "Returns a bearer token. Failed logins in 15 minutes are limited: 5 for one account from one address, 20 from one address, 100 for one account.",
		Errors:      []int{http.StatusUnauthorized, http.StatusTooManyRequests},
	}, func(ctx context.Context, in *loginInput) (*tokenOutput, error) {
		email := strings.ToLower(strings.TrimSpace(in.Body.Email))
		addr := remoteAddr(ctx)
		// A place for the password check first: a burst of logins waits
		// here, bounded, instead of queueing bcrypt work without end.
		wait, cancel := context.WithTimeout(ctx, hashingWait)
		defer cancel()
		select {
		case s.hashing <- struct{}{}:
			defer func() { <-s.hashing }()
		case <-wait.Done():
			return nil, huma.Error429TooManyRequests("too many logins at once; try again in a moment")
		}
		// Counted before the check, atomically with the limits: parallel
		// guesses cannot all pass a count read before any was recorded.
		now := s.cfg.Now()
		l := s.cfg.Limits
		attempt, ok, err := s.cfg.Accounts.BeginLogin(ctx, now, now.Add(-loginWindow), now.Add(-loginWindow), map[string]int{
			"pair:" + email + "|" + addr: l.Pair, "addr:" + addr: l.Address, "account:" + email: l.Account})
		if err != nil {
			return nil, s.fail(ctx, "admin", err)
		}
		if !ok {
			return nil, huma.Error429TooManyRequests("too many failed logins; try again later")
		}
		id, hash, err := s.cfg.Accounts.AdminByEmail(ctx, email)
		if err != nil && !errors.Is(err, chgk.ErrNotFound) {
			return nil, s.fail(ctx, "admin", err)
		}
		if err != nil {
			hash = dummyHash
		}
		good := bcrypt.CompareHashAndPassword([]byte(hash), []byte(in.Body.Password)) == nil && err == nil
		if err := s.cfg.Accounts.EndLogin(ctx, attempt, good); err != nil {
			return nil, s.fail(ctx, "admin", err)
		}
		if !good {
			s.cfg.Log.Warn("failed admin login", "email", email, "addr", addr)
			return nil, huma.Error401Unauthorized("wrong email or password")
		}
		s.cfg.Log.Info("admin logged in", "admin_id", id, "addr", addr)
		token, tokenHash := newToken()
		out := &tokenOutput{}
		out.Body.Token, out.Body.ExpiresAt = token, s.cfg.Now().Add(s.cfg.TokenTTL).UTC()
		if err := s.cfg.Accounts.SaveToken(ctx, tokenHash, id, out.Body.ExpiresAt); err != nil {
			return nil, s.fail(ctx, "token", err)
		}
		return out, nil
	})
}

func (s *server) registerLogout(api huma.API) {
	huma.Register(api, huma.Operation{
		OperationID: "logout", Method: http.MethodPost, Path: "/auth/logout", Tags: []string{"auth"},
		Summary: "Log out", Description: "Revokes the token the request carries.", DefaultStatus: http.StatusNoContent,
	}, func(ctx context.Context, _ *struct{}) (*struct{}, error) {
		hash, _ := ctx.Value(tokenKey{}).([]byte)
		if err := s.cfg.Accounts.RevokeToken(ctx, hash); err != nil {
			return nil, s.fail(ctx, "token", err)
		}
		s.audit(ctx, "log out")
		return nil, nil
	})
}

// newToken returns a random token and the hash that is stored.
func newToken() (string, []byte) {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	t := "chgk_" + base64.RawURLEncoding.EncodeToString(b)
	h := sha256.Sum256([]byte(t))
	return t, h[:]
}

// authenticate lets a request through only with a live token. Tokens are
// looked up by their SHA-256, so comparing them leaks no timing about the
// stored value.
func (s *server) authenticate(ctx huma.Context, next func(huma.Context)) {
	// The scheme is case-insensitive (RFC 7235): "bearer" and "BEARER" too.
	scheme, token, _ := strings.Cut(strings.TrimSpace(ctx.Header("Authorization")), " ")
	if !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
		_ = huma.WriteErr(s.api, ctx, http.StatusUnauthorized, "a bearer token is required: log in with POST /auth/login")
		return
	}
	h := sha256.Sum256([]byte(strings.TrimSpace(token)))
	id, err := s.cfg.Accounts.TokenAdmin(ctx.Context(), h[:], s.cfg.Now())
	switch {
	case errors.Is(err, chgk.ErrNotFound):
		_ = huma.WriteErr(s.api, ctx, http.StatusUnauthorized, "the token is unknown, expired or revoked")
		return
	case err != nil:
		s.cfg.Log.Error("token lookup failed", "err", err)
		_ = huma.WriteErr(s.api, ctx, http.StatusInternalServerError, "internal error")
		return
	}
	ctx = huma.WithValue(ctx, adminKey{}, id)
	next(huma.WithValue(ctx, tokenKey{}, h[:]))
}

type remoteAddrKey struct{}

// WithRemoteAddr is HTTP middleware that makes the client's address known
// to the login limits and the audit log. Behind a reverse proxy every
// request comes from the proxy: list its addresses in trusted, and the
// client is then the last address of X-Forwarded-For that is not a trusted
// proxy (a client cannot forge the part its proxy appends). Without
// trusted proxies the header is ignored.
func WithRemoteAddr(next http.Handler, trusted ...netip.Prefix) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), remoteAddrKey{}, clientAddr(r, trusted))))
	})
}

func clientAddr(r *http.Request, trusted []netip.Prefix) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	isTrusted := func(a string) bool {
		ip, err := netip.ParseAddr(strings.TrimSpace(a))
		if err != nil {
			return false
		}
		for _, p := range trusted {
			if p.Contains(ip.Unmap()) {
				return true
			}
		}
		return false
	}
	if !isTrusted(host) {
		return host
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		h := strings.TrimSpace(hops[i])
		if h == "" || isTrusted(h) {
			continue
		}
		if ip, err := netip.ParseAddr(h); err == nil {
			return ip.Unmap().String()
		}
		return host // a garbled hop: the proxy's own address, not a made-up one
	}
	return host
}

func remoteAddr(ctx context.Context) string {
	if a, ok := ctx.Value(remoteAddrKey{}).(string); ok {
		return a
	}
	return "unknown"
}

// loginWindow is how long a failed login counts (see LoginLimits).
const loginWindow = 15 * time.Minute

// hashingWait is how long a login waits for a place to check its password.
const hashingWait = 3 * time.Second

package main

import (
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vkchgk/chgkbot/chgk"
	"github.com/vkchgk/chgkbot/ports/admin"
)

// config is the whole environment of `chgkbot run`, validated (SPEC §7).
type config struct {
	DatabaseURL   string
	VKToken       string
	VKGroupID     int64
	VKAPIURL      string
	HTTPAddr      string
	AdminEmail    string
	AdminPassword string
	Defaults      chgk.Settings
	VKRPS         float64
	Roles         map[string]bool
	LogJSON       bool
	LogLevel      slog.Level
	// Bus is "postgres" (the default: nothing else to run) or "rabbitmq"
	// (consumers read from RabbitMQ at AMQPURL; Postgres stays the outbox).
	Bus        string
	AMQPURL    string
	AMQPPrefix string
	// PProf serves Go's profiler at /debug/pprof/ (CHGK_PPROF=1).
	PProf bool
	// DBWait is how long a start waits for a database that does not
	// answer yet before it gives up (CHGK_DB_WAIT_SECONDS).
	DBWait time.Duration
	// BusRetention and PoisonRetention are how long passed bus messages
	// and poison messages are kept (CHGK_BUS_RETENTION, CHGK_POISON_RETENTION).
	BusRetention, PoisonRetention time.Duration
	// TrustedProxies are the reverse proxies whose X-Forwarded-For names
	// the admin API's client (ADMIN_TRUSTED_PROXIES).
	TrustedProxies []netip.Prefix
	// Playground: no VK_TOKEN, so the bot plays against the simulated VK,
	// which the process with the admin role serves (SPEC §7).
	Playground bool
	// PublicURL is where a browser reaches HTTP_ADDR, for the log line
	// that invites one to the playground (PUBLIC_URL).
	PublicURL string
	// Lexicon is the judge's Hunspell dictionary, its path without .aff
	// and .dic (CHGK_LEXICON); empty: the judge goes without one.
	Lexicon string
}

// defaultLexicon is where Debian's hunspell-ru, and the image, keep the
// Russian dictionary.
const defaultLexicon = "/usr/share/hunspell/ru_RU"

// The playground's community: the simulated VK accepts this token only.
const (
	playgroundToken = "playground"
	playgroundGroup = 1
	// The playground's first admin when none is configured: safe only
	// because the playground is published on 127.0.0.1.
	playgroundAdminEmail    = "admin@localhost"
	playgroundAdminPassword = "playground"
)

// The roles a process can run.
var allRoles = []string{"poller", "worker", "announcer", "admin"}

// loadConfig reads and checks the environment. The error names the first
// bad variable and what it wants, in one line.
func loadConfig(getenv func(string) string) (config, error) {
	c := config{
		Defaults:      chgk.DefaultSettings(),
		PProf:         getenv("CHGK_PPROF") == "1",
		DatabaseURL:   getenv("DATABASE_URL"),
		VKToken:       getenv("VK_TOKEN"),
		VKAPIURL:      or(getenv("VK_API_URL"), "https://api.vk.com/method"),
		HTTPAddr:      or(getenv("HTTP_ADDR"), ":8080"),
		AdminEmail:    getenv("ADMIN_EMAIL"),
		AdminPassword: getenv("ADMIN_PASSWORD"),
		Roles:         map[string]bool{},
		Lexicon:       or(getenv("CHGK_LEXICON"), defaultLexicon),
	}
	if c.Lexicon == "off" {
		c.Lexicon = ""
	}
	if c.DatabaseURL == "" {
		return c, errors.New("DATABASE_URL is required (postgres://user:password@host:5432/dbname)")
	}
	if u, err := url.Parse(c.DatabaseURL); err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return c, errors.New("DATABASE_URL must be a postgres:// URL")
	}
	if c.Playground = c.VKToken == ""; c.Playground {
		if err := c.playground(getenv); err != nil {
			return c, err
		}
	}
	if err := httpURL("VK_API_URL", c.VKAPIURL); err != nil {
		return c, err
	}
	roles := strings.TrimSpace(or(getenv("CHGK_ROLES"), "all"))
	for _, r := range strings.Split(roles, ",") {
		r = strings.TrimSpace(strings.ToLower(r))
		switch {
		case r == "all":
			for _, a := range allRoles {
				c.Roles[a] = true
			}
		case slices.Contains(allRoles, r):
			c.Roles[r] = true
		default:
			return c, fmt.Errorf("CHGK_ROLES: unknown role %q (want all, or a comma list of %s)", r, strings.Join(allRoles, ", "))
		}
	}
	if gid := getenv("VK_GROUP_ID"); gid != "" {
		n, err := strconv.ParseInt(strings.TrimPrefix(gid, "-"), 10, 64)
		if err != nil || n <= 0 {
			return c, fmt.Errorf("VK_GROUP_ID must be the community's numeric id, got %q", gid)
		}
		c.VKGroupID = n
	}
	if c.Roles["poller"] || c.Roles["announcer"] {
		if c.VKGroupID == 0 {
			return c, errors.New("VK_GROUP_ID is required for the poller and announcer roles")
		}
	}
	var err error
	if c.VKRPS, err = number(getenv, "VK_RPS", 20, 0.1, 10000); err != nil {
		return c, err
	}
	def := chgk.DefaultSettings() // the one source of the defaults
	wait, err := number(getenv, "CHGK_DB_WAIT_SECONDS", 60, 0, 3600)
	if err != nil {
		return c, err
	}
	c.DBWait = time.Duration(wait * float64(time.Second))
	if c.Defaults.Rounds, err = whole(getenv, "CHGK_ROUNDS", def.Rounds, 1, 100); err != nil {
		return c, err
	}
	for _, f := range []struct {
		name string
		def  float64
		min  float64
		dst  *time.Duration
	}{
		{"CHGK_LOBBY_SECONDS", def.Lobby.Seconds(), 0.001, &c.Defaults.Lobby},
		{"CHGK_DISCUSSION_SECONDS", def.Discussion.Seconds(), 0.001, &c.Defaults.Discussion},
		{"CHGK_CHOICE_SECONDS", def.Choice.Seconds(), 0.001, &c.Defaults.Choice},
		{"CHGK_ANSWER_SECONDS", def.Answer.Seconds(), 0.001, &c.Defaults.Answer},
		{"CHGK_PAUSE_SECONDS", def.Pause.Seconds(), 0, &c.Defaults.Pause},
		{"CHGK_APPEAL_SECONDS", def.Appeal.Seconds(), 0.001, &c.Defaults.Appeal},
	} {
		v, err := number(getenv, f.name, f.def, f.min, 3600)
		if err != nil {
			return c, err
		}
		*f.dst = time.Duration(v * float64(time.Second)).Round(time.Millisecond)
	}
	if m := getenv("CHGK_MODE"); m != "" {
		mode, ok := chgk.ParseMode(m)
		if !ok {
			return c, fmt.Errorf("CHGK_MODE must be rounds or tv, got %q", m)
		}
		c.Defaults.Mode = mode
	}
	lim := chgk.Limits[chgk.SettingTarget]
	if c.Defaults.Target, err = whole(getenv, "CHGK_TARGET", def.Target, int(lim.Min), int(lim.Max)); err != nil {
		return c, err
	}
	if err := c.Defaults.Validate(); err != nil {
		return c, fmt.Errorf("the CHGK_* defaults are not playable: %w", err)
	}
	switch f := strings.ToLower(getenv("LOG_FORMAT")); f {
	case "", "text":
	case "json":
		c.LogJSON = true
	default:
		return c, fmt.Errorf("LOG_FORMAT must be text or json, got %q", f)
	}
	switch c.Bus = strings.ToLower(or(getenv("CHGK_BUS"), "postgres")); c.Bus {
	case "postgres":
	case "rabbitmq":
		c.AMQPURL, c.AMQPPrefix = getenv("AMQP_URL"), getenv("AMQP_QUEUE_PREFIX")
		if u, err := url.Parse(c.AMQPURL); err != nil || (u.Scheme != "amqp" && u.Scheme != "amqps") {
			return c, errors.New("AMQP_URL must be an amqp:// URL when CHGK_BUS=rabbitmq")
		}
	default:
		return c, fmt.Errorf("CHGK_BUS must be postgres or rabbitmq, got %q", c.Bus)
	}
	if lvl := getenv("LOG_LEVEL"); lvl != "" {
		if err := c.LogLevel.UnmarshalText([]byte(lvl)); err != nil {
			return c, fmt.Errorf("LOG_LEVEL must be debug, info, warn or error, got %q", lvl)
		}
	}
	if (c.AdminEmail == "") != (c.AdminPassword == "") {
		return c, errors.New("ADMIN_EMAIL and ADMIN_PASSWORD go together: set both or neither")
	}
	if c.AdminPassword != "" {
		if err := admin.CheckPassword(c.AdminPassword); err != nil {
			return c, fmt.Errorf("ADMIN_PASSWORD: %w", err)
		}
	}
	for _, r := range []struct {
		name string
		def  time.Duration
		dst  *time.Duration
	}{{"CHGK_BUS_RETENTION", 7 * 24 * time.Hour, &c.BusRetention}, {"CHGK_POISON_RETENTION", 30 * 24 * time.Hour, &c.PoisonRetention}} {
		if *r.dst, err = age(getenv, r.name, r.def); err != nil {
			return c, err
		}
	}
	for _, p := range strings.Split(getenv("ADMIN_TRUSTED_PROXIES"), ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		prefix, err := netip.ParsePrefix(p)
		if err != nil {
			addr, aerr := netip.ParseAddr(p)
			if aerr != nil {
				return c, fmt.Errorf("ADMIN_TRUSTED_PROXIES must be a comma list of addresses or CIDR prefixes, got %q", p)
			}
			prefix = netip.PrefixFrom(addr, addr.BitLen())
		}
		c.TrustedProxies = append(c.TrustedProxies, prefix)
	}
	return c, nil
}

// playground points the VK client at the simulated VK: this process's own
// HTTP_ADDR, or PLAYGROUND_URL where another process (compose's admin
// container) serves it.
func (c *config) playground(getenv func(string) string) error {
	_, port, err := net.SplitHostPort(c.HTTPAddr)
	if err != nil {
		return fmt.Errorf("HTTP_ADDR must be host:port, got %q", c.HTTPAddr)
	}
	base := strings.TrimSuffix(or(getenv("PLAYGROUND_URL"), "http://127.0.0.1:"+port), "/")
	if err := httpURL("PLAYGROUND_URL", base); err != nil {
		return err
	}
	c.VKToken, c.VKAPIURL = playgroundToken, base+"/vk/method"
	if getenv("VK_GROUP_ID") == "" {
		c.VKGroupID = playgroundGroup
	}
	if c.AdminEmail == "" && c.AdminPassword == "" {
		c.AdminEmail, c.AdminPassword = playgroundAdminEmail, playgroundAdminPassword
	}
	c.PublicURL = strings.TrimSuffix(or(getenv("PUBLIC_URL"), "http://localhost:"+port), "/")
	return nil
}

// httpURL checks that variable name holds an http(s) URL with a host.
func httpURL(name, s string) error {
	if u, err := url.Parse(s); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%s must be an http(s) URL, got %q", name, s)
	}
	return nil
}

// number reads a decimal variable in [min, max], def when unset.
func number(getenv func(string) string, name string, def, min, max float64) (float64, error) {
	s := strings.TrimSpace(getenv(name))
	if s == "" {
		return def, nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || v < min || v > max {
		return 0, fmt.Errorf("%s must be a number from %g to %g, got %q", name, min, max, s)
	}
	return v, nil
}

// whole reads a variable that is a whole number from min to max; def when
// unset.
func whole(getenv func(string) string, name string, def, min, max int) (int, error) {
	v, err := number(getenv, name, float64(def), float64(min), float64(max))
	if err != nil {
		return 0, err
	}
	if v != math.Trunc(v) {
		return 0, fmt.Errorf("%s must be a whole number, got %q", name, getenv(name))
	}
	return int(v), nil
}

// age reads a duration variable: Go's form (90m, 36h) or whole days (7d);
// def when unset.
func age(getenv func(string) string, name string, def time.Duration) (time.Duration, error) {
	s := strings.TrimSpace(getenv(name))
	if s == "" {
		return def, nil
	}
	if days, ok := strings.CutSuffix(s, "d"); ok {
		if n, err := strconv.Atoi(days); err == nil && n >= 0 {
			return time.Duration(n) * 24 * time.Hour, nil
		}
	} else if d, err := time.ParseDuration(s); err == nil && d >= 0 {
		return d, nil
	}
	return 0, fmt.Errorf("%s must be a duration such as 7d or 36h, got %q", name, s)
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/vkchgk/chgkbot/adapters/postgres"
)

// Exit codes: 2 for a usage or configuration mistake, 1 for a failure.
const (
	exitOK     = 0
	exitFail   = 1
	exitConfig = 2
)

const usage = `usage: chgkbot [command]

commands:
  run              run the roles in CHGK_ROLES (default: all) until SIGTERM or SIGINT;
                   with no VK_TOKEN, against the simulated VK of the playground
  playground       run every role against the simulated VK, VK_TOKEN or not,
                   and serve the playground page at / of HTTP_ADDR
  migrate up       apply every pending migration
  migrate down     roll back the last applied migration
  migrate status   list migrations and whether they are applied
  healthcheck      exit 0 if the process on HTTP_ADDR answers /healthz (for container healthchecks)
  version          print the version

Configuration is read from the environment; see the README.
`

// run is the whole program: main only adds the process's signals, args,
// environment and outputs, so tests can run it in-process.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		args = []string{"run"}
	}
	switch args[0] {
	case "run":
		return serve(ctx, getenv, stdout, stderr)
	case "playground":
		return serve(ctx, playgroundEnv(getenv), stdout, stderr)
	case "migrate":
		return migrate(ctx, args[1:], getenv, stdout, stderr)
	case "healthcheck":
		return healthcheck(ctx, getenv, stderr)
	case "version":
		fmt.Fprintln(stdout, version)
		return exitOK
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	fmt.Fprintf(stderr, "chgkbot: unknown command %q\n%s", strings.Join(args, " "), usage)
	return exitConfig
}

// playgroundEnv is the environment of `chgkbot playground`: every role,
// no VK token, so no real community is reached whatever the environment
// holds.
func playgroundEnv(getenv func(string) string) func(string) string {
	return func(k string) string {
		switch k {
		case "VK_TOKEN", "VK_API_URL", "PLAYGROUND_URL":
			return ""
		case "CHGK_ROLES":
			return "all"
		}
		return getenv(k)
	}
}

func migrate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	if len(args) != 1 || (args[0] != "up" && args[0] != "down" && args[0] != "status") {
		fmt.Fprint(stderr, "chgkbot: migrate takes one of up, down, status\n", usage)
		return exitConfig
	}
	url := getenv("DATABASE_URL")
	if url == "" {
		fmt.Fprintln(stderr, "chgkbot: DATABASE_URL is required (postgres://user:password@host:5432/dbname)")
		return exitConfig
	}
	db, err := postgres.Open(ctx, url)
	if err != nil {
		fmt.Fprintf(stderr, "chgkbot: %v\n", err)
		return exitFail
	}
	defer db.Close()
	m, err := postgres.NewMigrator(db)
	if err != nil {
		fmt.Fprintf(stderr, "chgkbot: %v\n", err)
		return exitFail
	}
	switch args[0] {
	case "up":
		names, err := m.Up(ctx)
		for _, n := range names {
			fmt.Fprintf(stdout, "applied %s\n", n)
		}
		if err != nil {
			fmt.Fprintf(stderr, "chgkbot: %v\n", err)
			return exitFail
		}
		if len(names) == 0 {
			fmt.Fprintln(stdout, "nothing to apply: the database is up to date")
		}
	case "down":
		name, err := m.Down(ctx)
		if err != nil {
			fmt.Fprintf(stderr, "chgkbot: %v\n", err)
			return exitFail
		}
		if name == "" {
			fmt.Fprintln(stdout, "nothing to roll back")
		} else {
			fmt.Fprintf(stdout, "rolled back %s\n", name)
		}
	case "status":
		status, err := m.Status(ctx)
		if err != nil {
			fmt.Fprintf(stderr, "chgkbot: %v\n", err)
			return exitFail
		}
		for _, s := range status {
			state := "pending"
			if s.Applied {
				state = "applied " + s.AppliedAt.UTC().Format("2006-01-02 15:04:05Z")
			}
			fmt.Fprintf(stdout, "%-40s %s\n", s.Name, state)
		}
	}
	return exitOK
}

// version is stamped at build time: -ldflags "-X main.version=…".
var version = "dev"

// healthcheck asks the running process on HTTP_ADDR's port whether it is
// alive: the container image has no curl, so the binary checks itself.
func healthcheck(ctx context.Context, getenv func(string) string, stderr io.Writer) int {
	addr := getenv("HTTP_ADDR")
	if addr == "" {
		addr = ":8080"
	}
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		fmt.Fprintf(stderr, "chgkbot: HTTP_ADDR %q is not host:port\n", addr)
		return exitConfig
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://127.0.0.1:"+port+"/healthz", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Fprintf(stderr, "chgkbot: unhealthy: %v\n", err)
		return exitFail
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		fmt.Fprintf(stderr, "chgkbot: unhealthy: HTTP %d\n", resp.StatusCode)
		return exitFail
	}
	return exitOK
}

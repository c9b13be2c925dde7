// Command chgkbot is the «Что? Где? Когда?» bot for VK chats: the poller,
// the worker, the announcer and the admin API in one binary, and the
// database migrations.
//
//	chgkbot migrate up|down|status
//	chgkbot run            (the default)
//
// Configuration is by environment only; see the README.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

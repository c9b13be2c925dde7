// Command chgkload measures chgkbot under load on this machine: it runs the
// real binary against a fake VK with many chats and prints a table of
// updates per second, reply latency, deadline lateness, VK requests and
// memory; with -capacity, a table of games at VK's 20 requests/s (bursts,
// steady state, calls per request). `make bench` runs it. It needs a PostgreSQL server (DATABASE_URL)
// where it may create and drop a database of its own.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	var o options
	flag.StringVar(&o.bin, "bin", "bin/chgkbot", "the chgkbot binary to measure")
	flag.IntVar(&o.chats, "chats", 1000, "chats for the latency and throughput runs")
	flag.IntVar(&o.games, "games", 10000, "live games for the deadline run")
	flag.Float64Var(&o.slowRate, "latency-rate", 100, "updates per second offered in the latency run")
	flag.Float64Var(&o.fastRate, "throughput-rate", 1200, "updates per second offered in the throughput run")
	flag.DurationVar(&o.duration, "duration", 20e9, "length of the latency and throughput runs")
	flag.StringVar(&o.profile, "cpuprofile", "", "write the bot's CPU profile during the throughput run to this file")
	flag.StringVar(&o.plots, "plots", "", "write PNG plots of the run (latency, VK requests/s, bus backlog) into this folder")
	flag.IntVar(&o.soak, "soak", 0, "instead: play this many games, run retention, and print rows and bytes per table")
	flag.BoolVar(&o.capacity, "capacity", false, "instead: the capacity runs, at VK's 20 requests/s and beyond")
	flag.IntVar(&o.burst, "burst", 100, "capacity: games started at once, VK at 20 requests/s")
	flag.DurationVar(&o.burstWithin, "burst-within", 10e9, "capacity: the time over which the burst's games start")
	flag.IntVar(&o.steady, "steady", 1000, "capacity: games in steady state, VK at 20 requests/s")
	flag.IntVar(&o.fastBurst, "fast-burst", 300, "capacity: games started within 3 s, VK at 5,000 requests/s")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	run := measure
	switch {
	case o.soak > 0:
		run = soak
	case o.capacity:
		run = capacity
	}
	if err := run(ctx, o, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "chgkload:", err)
		os.Exit(1)
	}
}

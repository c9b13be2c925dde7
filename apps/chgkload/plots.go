package main

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
)

// sample is one value of a series at a moment of the run.
type sample struct {
	at time.Time
	v  float64
}

// backlogSampler scrapes the bot's /metrics every interval and keeps the
// sum of chgk_bus_backlog_messages per consumer group: the bus's queue.
type backlogSampler struct {
	mu     sync.Mutex
	series map[string][]sample
}

func (b *backlogSampler) run(ctx context.Context, addr string, every time.Duration) {
	b.series = map[string][]sample{}
	for ctx.Err() == nil {
		sums, err := scrapeBacklog(addr)
		if err == nil {
			b.mu.Lock()
			for g, v := range sums {
				b.series[g] = append(b.series[g], sample{time.Now(), v})
			}
			b.mu.Unlock()
		}
		select {
		case <-ctx.Done():
		case <-time.After(every):
		}
	}
}

func scrapeBacklog(addr string) (map[string]float64, error) {
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	out := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "chgk_bus_backlog_messages{") {
			continue
		}
		_, rest, _ := strings.Cut(line, `group="`)
		group, _, _ := strings.Cut(rest, `"`)
		f := strings.Fields(line)
		v, err := strconv.ParseFloat(f[len(f)-1], 64)
		if err == nil {
			out[group] += v
		}
	}
	return out, sc.Err()
}

// plotRun writes the PNGs of a run into dir: reply latency over the run,
// VK requests per second against the budget, and the bus backlog.
func plotRun(dir string, start time.Time, lat []sample, perSecond []int, budget float64, backlog map[string][]sample) error {
	line := func(title, ylabel, file string, series map[string]plotter.XYs) error {
		p := plot.New()
		p.Title.Text, p.X.Label.Text, p.Y.Label.Text = title, "seconds into the run", ylabel
		var args []any
		for name, xy := range series {
			args = append(args, name, xy)
		}
		if err := plotutil.AddLines(p, args...); err != nil {
			return err
		}
		p.Legend.Top = true
		return p.Save(20*vg.Centimeter, 10*vg.Centimeter, filepath.Join(dir, file))
	}
	xy := func(ss []sample, scale float64) plotter.XYs {
		out := make(plotter.XYs, len(ss))
		for i, s := range ss {
			out[i] = plotter.XY{X: s.at.Sub(start).Seconds(), Y: s.v * scale}
		}
		return out
	}
	if err := line("Reply latency (update in long poll → reply at VK)", "milliseconds", "bench-latency.png",
		map[string]plotter.XYs{"each reply": xy(lat, 1)}); err != nil {
		return fmt.Errorf("plot latency: %w", err)
	}
	reqs, limit := make(plotter.XYs, len(perSecond)), make(plotter.XYs, len(perSecond))
	for i, n := range perSecond {
		reqs[i], limit[i] = plotter.XY{X: float64(i), Y: float64(n)}, plotter.XY{X: float64(i), Y: budget}
	}
	if err := line("VK requests per second against the budget", "requests / s", "bench-vk-rps.png",
		map[string]plotter.XYs{"requests": reqs, "VK_RPS": limit}); err != nil {
		return fmt.Errorf("plot VK: %w", err)
	}
	bl := map[string]plotter.XYs{}
	for g, ss := range backlog {
		bl[g] = xy(ss, 1)
	}
	if err := line("Bus backlog (messages not yet passed, by consumer group)", "messages", "bench-backlog.png", bl); err != nil {
		return fmt.Errorf("plot backlog: %w", err)
	}
	return nil
}

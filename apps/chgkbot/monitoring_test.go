package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v4"

	"github.com/vkchgk/chgkbot/adapters/postgres/pgtest"
)

// tool finds a command of Debian's prometheus package; outside CI a missing
// one skips the test with the reason, under CI=true it fails it.
func tool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is missing: .ci/run installs Debian's prometheus package", name)
		}
		t.Skipf("%s is not installed (apt-get install prometheus): skipped outside CI", name)
	}
	return p
}

// metricNames are the chgk_ metrics the dashboard and the alert rules use.
func metricNames(t *testing.T) []string {
	t.Helper()
	var exprs []string
	b, err := os.ReadFile("../../deploy/monitoring/grafana/dashboards/chgkbot.json")
	if err != nil {
		t.Fatal(err)
	}
	var dash struct {
		Panels []struct {
			Title   string `json:"title"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(b, &dash); err != nil {
		t.Fatalf("the dashboard is not JSON: %v", err)
	}
	for _, p := range dash.Panels {
		if len(p.Targets) == 0 {
			t.Errorf("panel %q has no query", p.Title)
		}
		for _, tg := range p.Targets {
			exprs = append(exprs, tg.Expr)
		}
	}
	b, err = os.ReadFile("../../deploy/monitoring/alerts.yml")
	if err != nil {
		t.Fatal(err)
	}
	var rules struct {
		Groups []struct {
			Rules []struct {
				Alert string `yaml:"alert"`
				Expr  string `yaml:"expr"`
			} `yaml:"rules"`
		} `yaml:"groups"`
	}
	if err := yaml.Unmarshal(b, &rules); err != nil {
		t.Fatal(err)
	}
	for _, g := range rules.Groups {
		for _, r := range g.Rules {
			exprs = append(exprs, r.Expr)
		}
	}
	var names []string
	for _, e := range exprs {
		for _, n := range regexp.MustCompile(`chgk_[a-z_]+`).FindAllString(e, -1) {
			if !slices.Contains(names, n) {
				names = append(names, n)
			}
		}
	}
	slices.Sort(names)
	return names
}

// TestMonitoring checks the alert rules with promtool, then runs a real
// Prometheus that scrapes the bot during a short game: every metric the
// dashboard and the rules name must have data.
func TestMonitoring(t *testing.T) {
	if testing.Short() {
		t.Skip("runs Prometheus and the bot for a few seconds; skipped with -short")
	}
	t.Parallel()
	promtool, prometheus := tool(t, "promtool"), tool(t, "prometheus")
	if out, err := exec.Command(promtool, "check", "rules", "../../deploy/monitoring/alerts.yml").CombinedOutput(); err != nil {
		t.Fatalf("promtool check rules: %v\n%s", err, out)
	}
	names := metricNames(t)
	if len(names) < 10 {
		t.Fatalf("only %d metrics named by the dashboard and the rules: %v", len(names), names)
	}

	w := newWorld(t, pgtest.NewURL(t))
	addr := freeAddr(t)
	stop := runBot(t, w, w.env("HTTP_ADDR", addr, "CHGK_ROUNDS", "1", "CHGK_DISCUSSION_SECONDS", "0.5", "CHGK_CHOICE_SECONDS", "0.5"))
	defer stop()

	dir := t.TempDir()
	promAddr := freeAddr(t)
	cfg := fmt.Sprintf("global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nrule_files: [%q]\nscrape_configs:\n  - job_name: chgk\n    static_configs:\n      - targets: [%q]\n",
		filepath.Join(must(filepath.Abs("../../deploy/monitoring")), "alerts.yml"), addr)
	if err := os.WriteFile(filepath.Join(dir, "prometheus.yml"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	prom := exec.Command(prometheus, "--config.file="+filepath.Join(dir, "prometheus.yml"), "--storage.tsdb.path="+filepath.Join(dir, "data"),
		"--web.listen-address="+promAddr)
	logs, _ := os.Create(filepath.Join(dir, "prometheus.log"))
	prom.Stdout, prom.Stderr = logs, logs
	if err := prom.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = prom.Process.Kill(); _ = prom.Wait() }()

	c := w.chat(1, 101) // a short game: a lobby, a round whose timers run out, a verdict
	w.fake.Say(c.peer, 101, "/start")
	lobby := c.expect("начинает игру")
	c.press(101, map[string]any{"a": "go"}, lobby.CMID)
	c.expect("Раунд 1 из 1")
	c.expect("⏰ Время!")
	w.fake.Say(c.peer, 101, "не знаю")
	c.expect("Игра окончена")

	query := func(q string) (int, error) {
		resp, err := http.Get("http://" + promAddr + "/api/v1/query?query=" + url.QueryEscape(q))
		if err != nil {
			return 0, err
		}
		defer resp.Body.Close()
		var out struct {
			Data struct {
				Result []json.RawMessage `json:"result"`
			} `json:"data"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
			return 0, err
		}
		return len(out.Data.Result), nil
	}
	missing := names
	for end := time.Now().Add(60 * time.Second); len(missing) > 0 && time.Now().Before(end); {
		var still []string
		for _, n := range missing {
			if k, err := query(fmt.Sprintf(`count(%s{job="chgk"})`, n)); err != nil || k == 0 {
				still = append(still, n)
			}
		}
		missing = still
		if len(missing) > 0 {
			time.Sleep(500 * time.Millisecond)
		}
	}
	if len(missing) > 0 {
		b, _ := os.ReadFile(logs.Name())
		t.Fatalf("Prometheus has no data for %v; its log:\n%s", missing, tail(string(b), 3000))
	}
	rulesOK, err := query(`ALERTS`) // the rules loaded and are evaluated (none need fire)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("Prometheus scraped all %d metrics the dashboard and the rules name: %s (alerts active: %d)", len(names), strings.Join(names, ", "), rulesOK)
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

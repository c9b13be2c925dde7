package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/matryer/is"

	"github.com/vkchgk/chgkbot/adapters/postgres/pgtest"
)

// upgradeFrom is the release an upgrade starts from: the last version that
// ran in production (the last landed commit before the structure, the
// reliability and the operations changes). CHGK_UPGRADE_FROM overrides it.
const upgradeFrom = "850be4bf5575cf87ae6a4f041ca8eeaeb59e4449"

// buildAt builds chgkbot as it was at commit, in a git worktree of its own.
func buildAt(t *testing.T, commit string) string {
	t.Helper()
	top, err := exec.Command("git", "rev-parse", "--show-toplevel").Output()
	if err != nil {
		t.Fatalf("the upgrade test needs the git history of the repository: %v", err)
	}
	repo := strings.TrimSpace(string(top))
	if out, err := exec.Command("git", "-C", repo, "cat-file", "-e", commit+"^{commit}").CombinedOutput(); err != nil {
		t.Fatalf("commit %s is not in this clone (a shallow clone?): %v %s", commit, err, out)
	}
	dir := filepath.Join(t.TempDir(), "old")
	if out, err := exec.Command("git", "-C", repo, "worktree", "add", "--detach", dir, commit).CombinedOutput(); err != nil {
		t.Fatalf("git worktree add: %v\n%s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command("git", "-C", repo, "worktree", "remove", "--force", dir).Run() })
	bin := filepath.Join(t.TempDir(), "chgkbot-old")
	cmd := exec.Command("go", "build", "-o", bin, "./apps/chgkbot")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build %s: %v\n%s", commit, err, out)
	}
	return bin
}

// migrateWith runs `bin migrate up` on the database at url and returns its
// output.
func migrateWith(t *testing.T, bin, url string) string {
	t.Helper()
	cmd := exec.Command(bin, "migrate", "up")
	cmd.Env = []string{"DATABASE_URL=" + url, "PATH=" + os.Getenv("PATH")}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s migrate up: %v\n%s", filepath.Base(bin), err, out)
	}
	return string(out)
}

// TestUpgradeMidGame upgrades a running bot the way the README says: three
// chats play with the previous release's binary on its own schema; in the
// middle of their games it is stopped, this version's migrations are
// applied, and this version's binary goes on from the same database. Every
// game must finish with its scripted score, no message shown twice, no
// deadline early: outbox rows, games and deadlines written by the old
// version are read by the new one.
func TestUpgradeMidGame(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the previous release and runs both binaries for a minute; skipped with -short")
	}
	t.Parallel()
	from := upgradeFrom
	if c := os.Getenv("CHGK_UPGRADE_FROM"); c != "" {
		from = c
	}
	old := buildAt(t, from)
	current, err := buildBot()
	if err != nil {
		t.Fatal(err)
	}
	_, url := pgtest.NewEmpty(t)
	migrateWith(t, old, url) // the old release's schema, as it was in production
	w := newWorld(t, url)
	w.timeout = 60 * time.Second
	const phaseLen = 6 * time.Second // the upgrade's pause must not cost anybody a press
	bot := startBinary(t, w, old, "CHGK_DISCUSSION_SECONDS", "6", "CHGK_CHOICE_SECONDS", "6")
	chats := w.threeChats()
	for _, c := range chats {
		c.phase = phaseLen
	}
	var once sync.Once
	var applied string
	var down time.Duration
	chats[0].at = func(phase string) {
		if phase != "pause" { // round 1 judged in chat 1; the others are mid-round
			return
		}
		once.Do(func() {
			began := time.Now()
			bot.signal(syscall.SIGTERM) // the old version stops gracefully, as `docker compose up -d` stops it
			applied = migrateWith(t, current, url)
			bot.mu.Lock()
			bot.bin = current
			bot.mu.Unlock()
			bot.start()
			down = time.Since(began)
		})
	}
	playAll(chats)
	is := is.New(t)
	t.Logf("upgraded from %.7s mid-game, down %v; migrations applied:\n%s", from, down, applied)
	is.True(strings.Contains(applied, "applied ")) // the new migrations ran on the old schema
	bot.mu.Lock()
	is.Equal(bot.bin, current) // and the games ended on the new binary
	bot.mu.Unlock()
	for _, c := range chats {
		c.checkNoDuplicates() // nothing shown twice across the upgrade
	}
}

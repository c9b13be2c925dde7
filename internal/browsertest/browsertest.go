// Package browsertest starts a headless Chromium for tests of our pages
// (the playground, /docs), and records what the page asked for, so a test
// can fail a page that reaches outside localhost.
package browsertest

import (
	"context"
	"net/url"
	"os"
	"os/exec"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// Browser is a headless Chromium driven by chromedp.
type Browser struct {
	Ctx context.Context // the tab: pass it, or a context derived from it, to chromedp.Run

	mu       sync.Mutex
	requests []string
	errors   []string
}

// New starts Debian's chromium for t, or skips t with the reason outside
// CI (under CI=true a missing browser fails the test). Every action must
// finish within timeout; the browser closes when t ends.
func New(t *testing.T, timeout time.Duration) *Browser {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("chromium is missing: .ci/run installs Debian's chromium package")
		}
		t.Skip("chromium is not installed (apt-get install chromium): the browser test is skipped outside CI")
	}
	// A profile of its own, removed by us: Chromium's helpers may still
	// write into it for a moment after the browser is gone, which would
	// fail t.TempDir's strict cleanup.
	profile, err := os.MkdirTemp("", "chgk-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("no-first-run", true), chromedp.UserDataDir(profile),
		chromedp.WindowSize(1280, 900),
		// On a CI machine whose two cores are busy building and testing
		// other packages, a start has taken over chromedp's default 20 s.
		chromedp.WSURLReadTimeout(2*time.Minute))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	tab, cancel := chromedp.NewContext(actx)
	b := &Browser{}
	chromedp.ListenTarget(tab, func(ev any) {
		b.mu.Lock()
		defer b.mu.Unlock()
		switch ev := ev.(type) {
		case *network.EventRequestWillBeSent:
			b.requests = append(b.requests, ev.Request.URL)
		case *runtime.EventExceptionThrown:
			b.errors = append(b.errors, ev.ExceptionDetails.Error())
		}
	})
	// Start the browser now, on the tab's own context, outside the test's
	// time for its actions: a browser started by a first Run on a
	// shorter-lived context would close with it.
	began := time.Now()
	if err := chromedp.Run(tab); err != nil {
		cancel()
		cancelAlloc()
		t.Fatalf("chromium does not start: %v", err)
	}
	t.Logf("chromium started in %v", time.Since(began).Round(time.Millisecond))
	ctx, cancelTimeout := context.WithTimeout(tab, timeout)
	b.Ctx = ctx
	t.Cleanup(func() {
		_ = chromedp.Cancel(tab) // closes the browser and waits for it
		cancelTimeout()
		cancel()
		cancelAlloc()
		for range 20 { // best effort: the last writes of its helpers
			if os.RemoveAll(profile) == nil {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
	})
	return b
}

// Errors are the script errors the page threw.
func (b *Browser) Errors() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.errors...)
}

// Requests is how many requests the page made, and those that went to a
// host other than 127.0.0.1 (data: URLs are not requests to anyone).
func (b *Browser) Requests() (n int, outside []string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, r := range b.requests {
		u, err := url.Parse(r)
		if err != nil || (u.Scheme != "data" && u.Hostname() != "127.0.0.1") {
			outside = append(outside, r)
		}
	}
	return len(b.requests), outside
}

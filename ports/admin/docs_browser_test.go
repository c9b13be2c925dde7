package admin_test

import (
	"context"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/matryer/is"
)

// browser starts a headless Debian chromium for the test, or skips it with
// the reason outside CI (under CI=true a missing browser fails the test).
func browser(t *testing.T) context.Context {
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
		chromedp.Flag("disable-sync", true), chromedp.Flag("no-first-run", true), chromedp.UserDataDir(profile))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(func() {
		_ = chromedp.Cancel(ctx) // closes the browser and waits for it
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
	return ctx
}

// TestDocsPageOffline opens /docs in a real browser: the operations are
// listed, and the page asks nothing of any host but ours (it works on a
// machine without internet).
func TestDocsPageOffline(t *testing.T) {
	t.Parallel()
	ctx := browser(t)
	e := newEnv(t)
	srv := httptest.NewServer(e.mux)
	defer srv.Close()
	is := is.New(t)
	var mu sync.Mutex
	var outside []string
	requests := 0
	chromedp.ListenTarget(ctx, func(ev any) {
		if r, ok := ev.(*network.EventRequestWillBeSent); ok {
			mu.Lock()
			defer mu.Unlock()
			requests++
			u, err := url.Parse(r.Request.URL)
			if err != nil || (u.Scheme != "data" && u.Hostname() != "127.0.0.1") {
				outside = append(outside, r.Request.URL)
			}
		}
	})
	var sidebar string
	err := chromedp.Run(ctx, network.Enable(), chromedp.Navigate(srv.URL+"/docs"),
		chromedp.WaitVisible(`//*[text()="ENDPOINTS" or text()="Endpoints"]`, chromedp.BySearch),
		chromedp.Click(`//*[text()="packs"]`, chromedp.BySearch), // open a group of operations
		chromedp.WaitVisible(`//*[contains(text(), "Import a pack")]`, chromedp.BySearch),
		chromedp.Click(`//*[text()="games"]`, chromedp.BySearch),
		chromedp.WaitVisible(`//*[contains(text(), "Stop a running game")]`, chromedp.BySearch),
		chromedp.Text(`body`, &sidebar, chromedp.ByQuery))
	is.NoErr(err) // the page renders the API from the binary's own files
	for _, group := range []string{"auth", "chats", "games", "packs", "questions", "stats", "Import a pack", "Stop a running game"} {
		is.True(strings.Contains(sidebar, group)) // the operations are listed
	}
	mu.Lock()
	defer mu.Unlock()
	t.Logf("%d requests, none outside: %v", requests, outside)
	is.True(requests >= 3)    // the page, its script, its styles, the document
	is.Equal(len(outside), 0) // nothing from outside the binary
}

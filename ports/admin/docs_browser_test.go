package admin_test

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/matryer/is"

	"github.com/vkchgk/chgkbot/internal/browsertest"
)

// TestDocsPageOffline opens /docs in a real browser: the operations are
// listed, and the page asks nothing of any host but ours (it works on a
// machine without internet).
func TestDocsPageOffline(t *testing.T) {
	t.Parallel()
	b := browsertest.New(t, 60*time.Second)
	e := newEnv(t)
	srv := httptest.NewServer(e.mux)
	defer srv.Close()
	is := is.New(t)
	var sidebar string
	err := chromedp.Run(b.Ctx, network.Enable(), chromedp.Navigate(srv.URL+"/docs"),
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
	requests, outside := b.Requests()
	t.Logf("%d requests, none outside: %v", requests, outside)
	is.True(requests >= 3)    // the page, its script, its styles, the document
	is.Equal(len(outside), 0) // nothing from outside the binary
}

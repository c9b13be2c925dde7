package admin_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/vkchgk/chgkbot/adapters/postgres/pgtest"
	"github.com/vkchgk/chgkbot/chgk"
	"github.com/vkchgk/chgkbot/ports/admin"
)

// BenchmarkListQuestions times GET /questions over real HTTP with 10,000
// questions in the database, a page of 20 and, every other request, a
// search; it reports p50 and p99 of the requests.
func BenchmarkListQuestions(b *testing.B) {
	db := pgtest.New(b)
	store := newStores(db)
	ctx := context.Background()
	qs := make([]chgk.QuestionRecord, 10_000)
	for i := range qs {
		qs[i] = chgk.QuestionRecord{Number: i + 1, Question: chgk.Question{Text: fmt.Sprintf("Вопрос номер %d о городе и реке", i),
			Answer: fmt.Sprintf("Ответ %d", i), Comment: "Комментарий"}}
	}
	if _, err := store.packs.Import(ctx, "Большой пакет", "", qs); err != nil {
		b.Fatal(err)
	}
	if _, err := admin.EnsureFirstAdmin(ctx, store.accounts, email, password); err != nil {
		b.Fatal(err)
	}
	mux := http.NewServeMux()
	admin.New(mux, store.config(admin.Config{Defaults: chgk.DefaultSettings(), Stopper: stopFunc(func(context.Context, chgk.PeerID, int64) error { return nil })}))
	srv := httptest.NewServer(mux)
	defer srv.Close()
	resp, err := http.Post(srv.URL+"/auth/login", "application/json",
		stringsReader(fmt.Sprintf(`{"email":%q,"password":%q}`, email, password)))
	if err != nil {
		b.Fatal(err)
	}
	var tok struct{ Token string }
	decodeBody(b, resp, &tok)
	var lat []time.Duration
	i := 0
	for b.Loop() {
		url := srv.URL + fmt.Sprintf("/questions?page=%d&per_page=20", 1+i%400)
		if i%2 == 1 {
			url += "&q=город"
		}
		i++
		req, _ := http.NewRequest(http.MethodGet, url, nil)
		req.Header.Set("Authorization", "Bearer "+tok.Token)
		start := time.Now()
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		lat = append(lat, time.Since(start))
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("status %d", resp.StatusCode)
		}
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
}

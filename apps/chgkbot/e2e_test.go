package main

import (
	"sync"
	"testing"

	"github.com/matryer/is"

	"github.com/vkchgk/chgkbot/adapters/postgres/pgtest"
)

// TestThreeChatsPlayAtOnce plays three complete scripted games at the same
// time against a fake VK and a real Postgres, through every stage: long
// poll, bus, worker, announcer, deadlines.
func TestThreeChatsPlayAtOnce(t *testing.T) {
	t.Parallel()
	w := newWorld(t, pgtest.NewURL(t))
	stop := runBot(t, w, w.env())
	chats := []*chat{
		w.chat(1, 101, 102, 103),
		w.chat(2, 201, 202, 203),
		w.chat(3, 301, 302, 303),
	}
	var wg sync.WaitGroup
	for _, c := range chats {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.playScripted()
		}()
	}
	wg.Wait()
	is := is.New(t)
	is.Equal(stop(), 0) // a clean stop
	for _, c := range chats {
		c.checkNoDuplicates() // every message exactly once
	}
}

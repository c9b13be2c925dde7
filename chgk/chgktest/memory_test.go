package chgktest_test

import (
	"testing"

	"github.com/vkchgk/chgkbot/chgk"
	"github.com/vkchgk/chgkbot/chgk/chgktest"
)

func TestMemoryStoreContract(t *testing.T) {
	chgktest.StoreContract(t, func(t *testing.T, qs []chgk.Question) chgktest.Stores {
		m := chgktest.NewMemory(qs...)
		return chgktest.Stores{Games: m, Questions: m, Chats: m}
	})
}

func TestMemoryLeaderboardContract(t *testing.T) {
	chgktest.LeaderboardContract(t, func(t *testing.T, qs []chgk.Question) (chgktest.Stores, chgk.Leaderboards) {
		m := chgktest.NewMemory(qs...)
		return chgktest.Stores{Games: m, Questions: m, Chats: m}, m
	})
}

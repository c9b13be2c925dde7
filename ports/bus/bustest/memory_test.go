package bustest_test

import (
	"testing"

	"github.com/vkchgk/chgkbot/chgk/chgktest"
	"github.com/vkchgk/chgkbot/ports/bus/bustest"
)

func TestMemoryUnits(t *testing.T) {
	bustest.UnitContract(t, func(t *testing.T) (bustest.Units, func(string) []string) {
		m := bustest.NewMemory(chgktest.NewMemory(chgktest.Questions(8)...))
		var seen []bustest.Published
		return m, func(topic string) []string {
			seen = append(seen, m.Outbox()...)
			var ids []string
			for _, p := range seen {
				if p.Topic == topic {
					ids = append(ids, p.Message.UUID)
				}
			}
			return ids
		}
	})
}

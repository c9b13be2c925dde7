package main

import (
	"github.com/vkchgk/chgkbot/adapters/postgres"
	"github.com/vkchgk/chgkbot/adapters/vkapi"
	"github.com/vkchgk/chgkbot/ports/admin"
	"github.com/vkchgk/chgkbot/ports/bus"
	"github.com/vkchgk/chgkbot/ports/vk"
)

// Every port's production implementation, checked by the compiler here,
// the one package that sees both sides (an adapter may not import a port).
// The chgk interfaces are checked beside their implementations.
var (
	_ bus.Units           = (*postgres.Units)(nil)
	_ bus.Deadlines       = (*postgres.Units)(nil)
	_ bus.Batches         = (*postgres.LongPoll)(nil)
	_ bus.Names           = (*vkapi.Names)(nil)
	_ bus.Announcer       = (*vkapi.Announcer)(nil)
	_ vk.Sink             = (*bus.Sink)(nil)
	_ vkapi.KeyboardStore = (*postgres.Keyboards)(nil)
	_ vkapi.NameCache     = (*postgres.Names)(nil)
	_ admin.Questions     = (*postgres.Questions)(nil)
	_ admin.Packs         = (*postgres.Packs)(nil)
	_ admin.Chats         = (*postgres.Chats)(nil)
	_ admin.Games         = (*postgres.Games)(nil)
	_ admin.Stats         = (*postgres.Stats)(nil)
	_ admin.Accounts      = (*postgres.Accounts)(nil)
	_ admin.Stopper       = adminStopper{}
)

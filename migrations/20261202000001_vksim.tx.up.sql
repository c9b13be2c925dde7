-- The playground's simulated VK (adapters/vksim): its people, chats,
-- messages and long-poll updates, so a restart keeps the chats and the game
-- in them goes on. A deployment on real VK leaves these tables empty.
CREATE TABLE vksim_users (
	id   bigint PRIMARY KEY,
	name text NOT NULL
);

CREATE TABLE vksim_chats (
	peer    bigint PRIMARY KEY,
	title   text NOT NULL,
	admin   boolean NOT NULL,
	members bigint[] NOT NULL
);

CREATE TABLE vksim_messages (
	peer      bigint NOT NULL REFERENCES vksim_chats (peer) ON DELETE CASCADE,
	cmid      bigint NOT NULL,
	from_id   bigint NOT NULL,
	text      text NOT NULL,
	keyboard  text NOT NULL,
	payload   text NOT NULL,
	action    text NOT NULL,
	member    bigint NOT NULL,
	random_id bigint NOT NULL,
	at        timestamptz NOT NULL,
	edited    timestamptz,
	PRIMARY KEY (peer, cmid)
);

-- ts is the long-poll position of the update; only the newest are kept.
CREATE TABLE vksim_events (
	ts   bigint PRIMARY KEY,
	body jsonb NOT NULL,
	at   timestamptz NOT NULL
);

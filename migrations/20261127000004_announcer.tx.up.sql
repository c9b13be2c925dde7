-- The bot's message in each chat whose keyboard is live, so the announcer can
-- take the buttons away once they no longer apply (and turn choice pages).
CREATE TABLE bot_keyboards (
    peer_id    bigint PRIMARY KEY,
    cmid       bigint      NOT NULL,
    key        text        NOT NULL,               -- the announcement that made it
    text       text        NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);

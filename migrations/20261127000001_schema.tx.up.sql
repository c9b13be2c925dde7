-- The game's own tables. Names and columns here are persistent: change them
-- only with a new migration.

CREATE TABLE packs (
    id          bigserial PRIMARY KEY,
    name        text        NOT NULL CHECK (name <> ''),
    description text        NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now(),
    deleted_at  timestamptz
);
CREATE UNIQUE INDEX packs_name_live ON packs (lower(name)) WHERE deleted_at IS NULL;

CREATE TABLE questions (
    id           bigserial PRIMARY KEY,
    pack_id      bigint      NOT NULL REFERENCES packs (id),
    number       integer     NOT NULL DEFAULT 0,   -- position in its pack, as imported
    text         text        NOT NULL CHECK (text <> ''),
    handout      text        NOT NULL DEFAULT '',
    answer       text        NOT NULL CHECK (answer <> ''),
    accepted     text[]      NOT NULL DEFAULT '{}',
    rejected     text[]      NOT NULL DEFAULT '{}',
    comment      text        NOT NULL DEFAULT '',
    source       text        NOT NULL DEFAULT '',
    author       text        NOT NULL DEFAULT '',
    needs_review boolean     NOT NULL DEFAULT false, -- e.g. prose criteria kept as a comment on import
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    deleted_at   timestamptz,                        -- soft delete: past games keep their questions
    search       tsvector GENERATED ALWAYS AS (
                     to_tsvector('russian', text || ' ' || answer || ' ' || comment || ' ' || author)) STORED
);
CREATE INDEX questions_pack ON questions (pack_id) WHERE deleted_at IS NULL;
CREATE INDEX questions_search ON questions USING gin (search);

-- A chat the bot has seen. settings is NULL until the chat changes one.
CREATE TABLE chats (
    peer_id    bigint PRIMARY KEY CHECK (peer_id > 2000000000),
    title      text        NOT NULL DEFAULT '',
    settings   jsonb,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- VK users' names, cached so mentions need no API call.
CREATE TABLE players (
    vk_id      bigint PRIMARY KEY,
    first_name text        NOT NULL DEFAULT '',
    last_name  text        NOT NULL DEFAULT '',
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE games (
    id               bigserial PRIMARY KEY,
    peer_id          bigint      NOT NULL REFERENCES chats (peer_id),
    phase            text        NOT NULL CHECK (phase IN ('lobby', 'discussion', 'choice', 'answer', 'pause', 'finished', 'stopped')),
    settings         jsonb       NOT NULL,
    grace_ms         bigint      NOT NULL DEFAULT 0,
    question_ids     bigint[]    NOT NULL,
    captain_id       bigint,
    team_score       integer     NOT NULL DEFAULT 0,
    bot_score        integer     NOT NULL DEFAULT 0,
    deadline         timestamptz,               -- NULL once the game ended
    clock_running    boolean     NOT NULL DEFAULT false,
    phase_started_at timestamptz NOT NULL,
    started_by       bigint      NOT NULL,
    started_by_name  text        NOT NULL DEFAULT '',
    started_at       timestamptz NOT NULL,
    ended_at         timestamptz,
    stopped_by       bigint,
    stopped_by_name  text        NOT NULL DEFAULT '',
    version          bigint      NOT NULL,
    updated_at       timestamptz NOT NULL DEFAULT now()
);
-- At most one running game per chat, whatever the code above it does.
CREATE UNIQUE INDEX games_one_active ON games (peer_id)
    WHERE phase IN ('lobby', 'discussion', 'choice', 'answer', 'pause');
-- "Which games are due?" for the deadline sweeper.
CREATE INDEX games_due ON games (deadline) WHERE deadline IS NOT NULL;
CREATE INDEX games_chat_ended ON games (peer_id, ended_at DESC) WHERE ended_at IS NOT NULL;
CREATE INDEX games_started ON games (started_at DESC);

CREATE TABLE game_players (
    game_id  bigint  NOT NULL REFERENCES games (id) ON DELETE CASCADE,
    position integer NOT NULL,
    user_id  bigint  NOT NULL,
    name     text    NOT NULL DEFAULT '',
    PRIMARY KEY (game_id, position),
    UNIQUE (game_id, user_id)
);
CREATE INDEX game_players_user ON game_players (user_id);

CREATE TABLE rounds (
    game_id       bigint      NOT NULL REFERENCES games (id) ON DELETE CASCADE,
    number        integer     NOT NULL CHECK (number > 0),
    question_id   bigint      NOT NULL REFERENCES questions (id),
    answerer_id   bigint,
    answerer_name text        NOT NULL DEFAULT '',
    by_default    boolean     NOT NULL DEFAULT false,
    given         text        NOT NULL DEFAULT '',
    verdict       text        NOT NULL DEFAULT '' CHECK (verdict IN ('', 'correct', 'wrong', 'no_answer')),
    started_at    timestamptz NOT NULL,
    judged_at     timestamptz,
    PRIMARY KEY (game_id, number)
);
CREATE INDEX rounds_answerer ON rounds (answerer_id) WHERE verdict <> '';
CREATE INDEX rounds_question ON rounds (question_id);

-- Questions a chat has been shown, so they do not repeat until the pool is used up.
CREATE TABLE used_questions (
    peer_id     bigint      NOT NULL,
    question_id bigint      NOT NULL REFERENCES questions (id) ON DELETE CASCADE,
    used_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (peer_id, question_id)
);

-- VK updates already processed: a redelivered update stops here.
CREATE TABLE inbox (
    event_id     text PRIMARY KEY,
    processed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX inbox_processed ON inbox (processed_at);

-- Where the long poll stands, per community.
CREATE TABLE longpoll_state (
    group_id   bigint PRIMARY KEY,
    ts         text        NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);

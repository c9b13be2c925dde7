-- Appeals (SPEC §9): one per round, every step recorded (who filed, who
-- decided, when, why). The verdict an accepted appeal changed is marked on
-- its round. appeal_buttons are the verdict messages whose «Апелляция»
-- button the announcer takes away when the window closes: a durable timer
-- of the presentation, swept like the game's deadlines.
CREATE TABLE appeals (
    id                bigserial PRIMARY KEY,
    peer_id           bigint      NOT NULL,
    game_id           bigint      NOT NULL REFERENCES games (id) ON DELETE CASCADE,
    round             integer     NOT NULL,
    question_id       bigint      NOT NULL REFERENCES questions (id),
    given             text        NOT NULL,
    filed_by          bigint      NOT NULL,
    filed_by_name     text        NOT NULL,
    filed_at          timestamptz NOT NULL,
    status            text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'accepted', 'rejected')),
    decided_by        text        NOT NULL DEFAULT '',
    decided_at        timestamptz,
    note              text        NOT NULL DEFAULT '',
    alternative_added boolean     NOT NULL DEFAULT false,
    UNIQUE (game_id, round)
);
CREATE INDEX appeals_by_status ON appeals (status, filed_at DESC);
ALTER TABLE rounds ADD COLUMN appealed boolean NOT NULL DEFAULT false;
CREATE TABLE appeal_buttons (
    peer_id   bigint      NOT NULL,
    cmid      bigint      NOT NULL,
    game_id   bigint      NOT NULL, -- the verdict's game and round: a filed appeal takes its button away at once
    round     integer     NOT NULL,
    closes_at timestamptz NOT NULL,
    text      text        NOT NULL,
    keyboard  text        NOT NULL DEFAULT '', -- the buttons the message keeps, as JSON; empty: none
    PRIMARY KEY (peer_id, cmid)
);
CREATE INDEX appeal_buttons_due ON appeal_buttons (closes_at);
CREATE INDEX appeal_buttons_round ON appeal_buttons (peer_id, game_id, round);

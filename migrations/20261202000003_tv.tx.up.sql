-- The TV game (SPEC §8). A game's table of sectors and its extra minutes
-- live on the game row; each question's sector, and what the captain did
-- with the clock, on its round. A rounds game leaves them all zero. The
-- mode and the target live in the settings jsonb, which needs no change.
ALTER TABLE games
    ADD COLUMN blitz_sector smallint NOT NULL DEFAULT 0,
    ADD COLUMN super_sector smallint NOT NULL DEFAULT 0,
    ADD COLUMN minutes integer NOT NULL DEFAULT 0 CHECK (minutes >= 0);
ALTER TABLE rounds
    ADD COLUMN sector smallint NOT NULL DEFAULT 0 CHECK (sector BETWEEN 0 AND 13),
    ADD COLUMN sector_kind text NOT NULL DEFAULT '',
    ADD COLUMN part smallint NOT NULL DEFAULT 0 CHECK (part BETWEEN 0 AND 3),
    ADD COLUMN early boolean NOT NULL DEFAULT false,
    ADD COLUMN extra_minute boolean NOT NULL DEFAULT false,
    ADD COLUMN minute_earned boolean NOT NULL DEFAULT false;

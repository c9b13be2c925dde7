ALTER TABLE rounds
    DROP COLUMN sector, DROP COLUMN sector_kind, DROP COLUMN part,
    DROP COLUMN early, DROP COLUMN extra_minute, DROP COLUMN minute_earned;
ALTER TABLE games DROP COLUMN blitz_sector, DROP COLUMN super_sector, DROP COLUMN minutes;

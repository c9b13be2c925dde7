-- The discussion's 10-second warning (chgk.State.WarnAt): the sweeper
-- wakes a game at whichever comes first, its warning or its deadline.
ALTER TABLE games ADD COLUMN warn_at timestamptz;
CREATE INDEX games_warn_due ON games (warn_at) WHERE warn_at IS NOT NULL;

DROP TABLE announce_attempts;

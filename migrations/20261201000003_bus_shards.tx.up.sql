-- Issue 12: the bus grows from 4 to 16 shards per direction, so 16 chats' updates are applied and
-- 16 chats' messages are sent at once (an execute to VK carries up to 25 calls: the announcer needs
-- that many in flight to fill it). Tables as in 20261127000002_bus (watermill-sql v4's
-- DefaultPostgreSQLSchema and DefaultPostgreSQLOffsetsAdapter); topic names are persistent.
DO $$
DECLARE kind text;
BEGIN
  FOR shard IN 4..15 LOOP
    FOREACH kind IN ARRAY ARRAY['updates', 'events'] LOOP
      EXECUTE format('CREATE TABLE %I (
          "offset"         BIGSERIAL,
          "uuid"           VARCHAR(36) NOT NULL,
          "created_at"     TIMESTAMP   NOT NULL DEFAULT CURRENT_TIMESTAMP,
          "payload"        JSON DEFAULT NULL,
          "metadata"       JSON DEFAULT NULL,
          "transaction_id" xid8        NOT NULL,
          PRIMARY KEY ("transaction_id", "offset"))', 'watermill_chgk_' || kind || '_' || shard);
      EXECUTE format('CREATE TABLE %I (
          consumer_group                VARCHAR(255) NOT NULL,
          offset_acked                  BIGINT,
          last_processed_transaction_id xid8         NOT NULL,
          PRIMARY KEY (consumer_group))', 'watermill_offsets_chgk_' || kind || '_' || shard);
    END LOOP;
  END LOOP;
END $$;

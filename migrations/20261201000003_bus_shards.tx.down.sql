DO $$
DECLARE kind text;
BEGIN
  FOR shard IN 4..15 LOOP
    FOREACH kind IN ARRAY ARRAY['updates', 'events'] LOOP
      EXECUTE format('DROP TABLE %I', 'watermill_chgk_' || kind || '_' || shard);
      EXECUTE format('DROP TABLE %I', 'watermill_offsets_chgk_' || kind || '_' || shard);
    END LOOP;
  END LOOP;
END $$;

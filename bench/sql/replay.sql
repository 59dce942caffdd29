-- pleat's backfill statements (as its log and pg_stat_statements show them),
-- replayed server-side by one procedure: find the batch's upper key with
-- OFFSET, UPDATE the key range, advance a checkpoint row, COMMIT. Comparing
-- it with pleat's own backfill shows the client's share (round trips); running
-- it with other batch sizes shows what the fixed 1000-row batch costs.
CREATE TABLE replay_checkpoint (last_key bigint, rows_done bigint NOT NULL DEFAULT 0);
INSERT INTO replay_checkpoint DEFAULT VALUES;

CREATE PROCEDURE replay_backfill(batch_size int) LANGUAGE plpgsql AS $body$
DECLARE
  last_id bigint := 0;
  upper_id bigint;
  n bigint;
BEGIN
  LOOP
    upper_id := NULL;
    SELECT t.id INTO upper_id FROM t WHERE t.id > last_id ORDER BY t.id OFFSET batch_size - 1 LIMIT 1;
    IF upper_id IS NULL THEN
      UPDATE t SET ab = (b || '-' || a) WHERE t.id > last_id;
    ELSE
      UPDATE t SET ab = (b || '-' || a) WHERE t.id > last_id AND t.id <= upper_id;
    END IF;
    GET DIAGNOSTICS n = ROW_COUNT;
    UPDATE replay_checkpoint SET last_key = upper_id, rows_done = rows_done + n;
    COMMIT;
    EXIT WHEN upper_id IS NULL;
    last_id := upper_id;
  END LOOP;
END $body$;

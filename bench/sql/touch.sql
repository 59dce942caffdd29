-- The trigger-touch method of pgroll and Reshape, reproduced for comparison
-- (written from their description, not their code): a BEFORE INSERT OR UPDATE
-- row trigger with no column filter, whose PL/pgSQL body copies every column
-- into a local and decides by comparing the whole search_path to the new
-- version schema; and a backfill that touches 1000-row keyset batches with a
-- no-op UPDATE so the trigger computes the new column. pgroll also keeps a
-- "needs backfill" flag column per table; it is left out here, which only
-- flatters the method.
CREATE FUNCTION touch_sync() RETURNS trigger LANGUAGE plpgsql AS $body$
DECLARE
  "id" public.t.id%TYPE := NEW.id;
  "a" public.t.a%TYPE := NEW.a;
  "b" public.t.b%TYPE := NEW.b;
  "c" public.t.c%TYPE := NEW.c;
  latest_schema text;
  search_path text;
BEGIN
  SELECT current_setting INTO search_path FROM current_setting('search_path');
  IF search_path != 'public_01_add_ab' THEN
    NEW.ab = b || '-' || a;
  END IF;
  RETURN NEW;
END $body$;

CREATE TRIGGER touch_sync BEFORE UPDATE OR INSERT ON t FOR EACH ROW EXECUTE FUNCTION touch_sync();

-- One batch per transaction, driven server-side (no client round trip per
-- batch, which again only flatters the method).
CREATE PROCEDURE touch_backfill(batch_size int) LANGUAGE plpgsql AS $body$
DECLARE
  last_id bigint := 0;
  got bigint;
BEGIN
  LOOP
    WITH keys AS (SELECT t.id FROM t WHERE t.id > last_id ORDER BY t.id LIMIT batch_size FOR NO KEY UPDATE),
         touched AS (UPDATE t SET id = t.id FROM keys WHERE t.id = keys.id RETURNING t.id)
    SELECT max(touched.id) INTO got FROM touched;
    EXIT WHEN got IS NULL;
    last_id := got;
    COMMIT;
  END LOOP;
END $body$;

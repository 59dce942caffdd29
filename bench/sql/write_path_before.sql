-- The write path as pleat installed it before issue 18's changes (commit
-- 3726d8e), for the bench migration on t: one PL/pgSQL row trigger for
-- INSERT OR UPDATE OF a, b that decides the writer on every row; a statement
-- trigger with no WHEN whose function clears the markers in one three-column
-- PERFORM (a full executor run, not a simple expression); PL/pgSQL marker
-- defaults. write_path.sh applies it to a copy of bench_active, so "before"
-- and "after" are measured in the same run.
DROP TRIGGER "~_pleat_syncupd_t" ON t;
DROP FUNCTION _pleat_syncupd_t();
DROP TRIGGER "~_pleat_sync_t" ON t;
DROP TRIGGER _pleat_syncstmt_t ON t;
CREATE OR REPLACE FUNCTION public._pleat_sync_t() RETURNS trigger LANGUAGE plpgsql AS $f$
DECLARE
  stmt text;
  is_new boolean := false;
BEGIN
  IF TG_OP OPERATOR(pg_catalog.=) 'INSERT' THEN
    stmt := pg_catalog.concat('public_01_add_ab@', pg_catalog.statement_timestamp());
    is_new := NOT COALESCE(pg_catalog.current_setting('pleat.old_insert', true) OPERATOR(pg_catalog.=) stmt, false) AND (true OR COALESCE(pg_catalog.current_setting('pleat.new_insert', true) OPERATOR(pg_catalog.=) stmt, false));
    IF is_new THEN PERFORM pg_catalog.set_config('pleat.writer', stmt, true); END IF;
  ELSIF pg_catalog.current_setting('pleat.writer', true) OPERATOR(pg_catalog.<>) '' THEN
    stmt := pg_catalog.concat('public_01_add_ab@', pg_catalog.statement_timestamp());
    is_new := COALESCE(pg_catalog.current_setting('pleat.writer', true) OPERATOR(pg_catalog.=) stmt, false);
  END IF;
  IF is_new THEN
    NULL;
  ELSE
    NEW."ab" := (NEW."b" || '-' || NEW."a");
    NULL;
  END IF;
  RETURN NEW;
END $f$;
CREATE TRIGGER "~_pleat_sync_t" BEFORE INSERT OR UPDATE OF a, b ON public.t FOR EACH ROW EXECUTE FUNCTION public._pleat_sync_t();
CREATE TRIGGER _pleat_syncstmt_t BEFORE INSERT OR UPDATE OF a, b ON public.t FOR EACH STATEMENT EXECUTE FUNCTION pleat.statement_start();
CREATE OR REPLACE FUNCTION pleat.old_writer_default(version text, value anyelement) RETURNS anyelement
  LANGUAGE plpgsql VOLATILE AS $f$
BEGIN
  PERFORM pg_catalog.set_config('pleat.old_insert', pg_catalog.concat(version, '@', pg_catalog.statement_timestamp()),
                                true);
  RETURN value;
END $f$;
CREATE OR REPLACE FUNCTION pleat.statement_start() RETURNS trigger LANGUAGE plpgsql AS $f$
BEGIN
  IF pg_catalog.pg_trigger_depth() OPERATOR(pg_catalog.=) 1 THEN
    PERFORM pg_catalog.set_config('pleat.writer', '', true), pg_catalog.set_config('pleat.old_insert', '', true),
            pg_catalog.set_config('pleat.new_insert', '', true);
  END IF;
  RETURN NULL;
END $f$;
CREATE OR REPLACE FUNCTION pleat.new_writer_default(version text, value anyelement) RETURNS anyelement
  LANGUAGE plpgsql VOLATILE AS $f$
BEGIN
  PERFORM pg_catalog.set_config('pleat.new_insert', pg_catalog.concat(version, '@', pg_catalog.statement_timestamp()),
                                true);
  RETURN value;
END $f$;

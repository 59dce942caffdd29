-- Where a synced-column UPDATE's trigger time goes: PL/pgSQL row triggers of
-- growing weight, installed one at a time (BEFORE UPDATE OF a, b, like pleat's)
-- on a table with no other trigger. run.sh creates the trigger; this file only
-- defines the functions.
-- attr_empty: the floor of any PL/pgSQL row trigger.
CREATE FUNCTION attr_empty() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
  RETURN NEW;
END $body$;
-- attr_assign: only the work, NEW.ab := up.
CREATE FUNCTION attr_assign() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
  NEW.ab := (NEW.b || '-' || NEW.a);
  RETURN NEW;
END $body$;
-- attr_assign_set: the same with the SET search_path clause pleat's trigger
-- functions carry (a GUC save/set/restore on every call).
CREATE FUNCTION attr_assign_set() RETURNS trigger LANGUAGE plpgsql
  SET search_path = pg_catalog, public AS $body$
BEGIN
  NEW.ab := (NEW.b || '-' || NEW.a);
  RETURN NEW;
END $body$;
-- attr_assign_stmt: the work plus building pleat's per-row writer key
-- ('<version schema>@' || statement_timestamp()) and one current_setting().
CREATE FUNCTION attr_assign_stmt() RETURNS trigger LANGUAGE plpgsql AS $body$
DECLARE
  stmt text := 'public_01_add_ab@' || statement_timestamp();
BEGIN
  IF current_setting('pleat.writer', true) IS NOT DISTINCT FROM stmt THEN
    RETURN NEW;
  END IF;
  NEW.ab := (NEW.b || '-' || NEW.a);
  RETURN NEW;
END $body$;

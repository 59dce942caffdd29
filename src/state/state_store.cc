#include "state/state_store.h"

#include <algorithm>

#include <fmt/format.h>

#include "pg/quote.h"
#include "pg/transaction.h"

namespace pleat::state {
namespace {

// {0} is the quoted state schema. The marker functions are how a row trigger
// learns which version wrote the row without any catalog lookup:
//  - mark(v): the qual of every view of the new version. For UPDATE and DELETE
//    the planner runs this column-free STABLE call once per statement (a
//    one-time filter) before any row trigger fires.
//  - old_writer_default / new_writer_default: wrapped around the base default
//    of columns one version cannot see (and around the new views' defaults), so
//    an INSERT records which version it came from while its defaults are filled.
//  - statement_start: a BEFORE ... FOR EACH STATEMENT trigger on every synced
//    table clears all three before the statement computes any row (the view
//    qual and the defaults run after it, the row triggers later still).
// Each value is tied to statement_timestamp(), so it cannot leak into a later
// statement of the same transaction; but statements sent in one simple-query
// message, or run by one DO block or function, share that timestamp, and only
// statement_start keeps a raw-table write after a new-version read (or an
// insert after another) from taking the earlier statement's writer. It clears
// only for top-level statements, so a write nested in a trigger keeps its
// outer statement's writer.
// They call set_config in an assignment or a RETURN, never a PERFORM: PL/pgSQL
// runs a PERFORM through SPI and the executor, an assignment as a simple
// expression (bench/README.md, "Issue 18: the write path").
// They run on every written row, so instead of a `SET search_path` clause
// (a per-call cost, see search_path_check.h) they name every function and
// operator with its schema: no search_path can change what they do.
constexpr const char* kInitSql = R"(
CREATE SCHEMA IF NOT EXISTS {0};
GRANT USAGE ON SCHEMA {0} TO PUBLIC;
CREATE TABLE IF NOT EXISTS {0}.migrations (
  target_schema text NOT NULL,
  name text NOT NULL,
  version_schema text NOT NULL,
  parent_version_schema text NOT NULL DEFAULT '',
  phase text NOT NULL CHECK (phase IN ('starting', 'active', 'completing', 'completed', 'rolling_back')),
  file_text text NOT NULL,
  plans jsonb NOT NULL,
  started_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  seq bigserial,
  members jsonb NOT NULL DEFAULT '[]',            -- a window's files, each name and text (migrate --together)
  PRIMARY KEY (target_schema, name));
-- A state schema an older pleat made lacks the members column (no windows).
DO $u$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = '{0}.migrations'::regclass
                 AND attname = 'members' AND NOT attisdropped) THEN
    ALTER TABLE {0}.migrations ADD COLUMN IF NOT EXISTS members jsonb NOT NULL DEFAULT '[]';
  END IF;
END $u$;
CREATE TABLE IF NOT EXISTS {0}.journal (
  target_schema text NOT NULL,
  migration text NOT NULL,
  phase text NOT NULL,
  step_id text NOT NULL,
  done_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (target_schema, migration, phase, step_id));
CREATE TABLE IF NOT EXISTS {0}.backfill (
  target_schema text NOT NULL,
  migration text NOT NULL,
  table_name text NOT NULL,
  last_key jsonb,
  rows_done bigint NOT NULL DEFAULT 0,
  rows_total bigint NOT NULL DEFAULT 0,
  done boolean NOT NULL DEFAULT false,
  updated_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  batches bigint NOT NULL DEFAULT 0,              -- committed so far
  batch_rows int NOT NULL DEFAULT 0,              -- size of the last batch
  rows_per_second double precision NOT NULL DEFAULT 0,  -- rate of the last run
  throttled text,                                 -- why it is paused; NULL while it runs
  throttled_since timestamptz,
  PRIMARY KEY (target_schema, migration, table_name));
-- A state schema an older pleat made lacks the progress columns. The ALTER
-- runs only then: it would otherwise lock out a running backfill for nothing.
DO $u$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = '{0}.backfill'::regclass
                 AND attname = 'throttled_since' AND NOT attisdropped) THEN
    ALTER TABLE {0}.backfill ADD COLUMN IF NOT EXISTS batches bigint NOT NULL DEFAULT 0,
      ADD COLUMN IF NOT EXISTS batch_rows int NOT NULL DEFAULT 0,
      ADD COLUMN IF NOT EXISTS rows_per_second double precision NOT NULL DEFAULT 0,
      ADD COLUMN IF NOT EXISTS throttled text, ADD COLUMN IF NOT EXISTS throttled_since timestamptz;
  END IF;
END $u$;
-- The parts of a table split for parallel workers (src/backfill/table_split.h),
-- each with its own checkpoint; the table's row in backfill sums them up.
CREATE TABLE IF NOT EXISTS {0}.backfill_parts (
  target_schema text NOT NULL,
  migration text NOT NULL,
  table_name text NOT NULL,
  part int NOT NULL,                              -- 1, 2, ... in key (or block) order
  start_key jsonb NOT NULL,                       -- the part's range, as its first checkpoint
  last_key jsonb,                                 -- where its next batch starts; NULL once done
  rows_done bigint NOT NULL DEFAULT 0,
  done boolean NOT NULL DEFAULT false,
  updated_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (target_schema, migration, table_name, part));
-- Which pleat works on a target schema (lease.h); the table is new in a state
-- schema an older pleat made, which took a session advisory lock instead.
CREATE TABLE IF NOT EXISTS {0}.lease (
  target_schema text PRIMARY KEY,
  token text NOT NULL,                            -- the holder's random id
  host text NOT NULL,
  pid int NOT NULL,                               -- the pleat process on that host
  command text NOT NULL,                          -- start, complete, rollback, migrate, init
  backend_pid int NOT NULL,                       -- its command connection's backend
  backend_start timestamptz,
  started_at timestamptz NOT NULL,
  heartbeat_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL);
-- Live settings of the running start's backfill (control.h), written by
-- `pleat pause`, `resume` and `tune` for the lease holder's token; a row of an
-- earlier holder is ignored. NULL settings: the command's own flags.
CREATE TABLE IF NOT EXISTS {0}.control (
  target_schema text PRIMARY KEY,
  token text NOT NULL,                            -- the lease holder it is for
  paused boolean NOT NULL DEFAULT false,
  paused_at timestamptz,
  backfill_target_ms int,
  max_replica_lag_ms int,
  jobs int,
  changed_at timestamptz,
  changed_by text,                                -- host and pid of the pleat that changed it
  applied jsonb,                                  -- the settings the backfill uses now
  applied_at timestamptz);
CREATE OR REPLACE FUNCTION {0}.check_lease(target text, holder text) RETURNS void LANGUAGE plpgsql AS $f$
BEGIN
  IF NOT EXISTS (SELECT FROM {0}.lease l WHERE l.target_schema OPERATOR(pg_catalog.=) target
                 AND l.token OPERATOR(pg_catalog.=) holder) THEN
    RAISE EXCEPTION 'pleat lost its lease on schema "%" to another pleat process', target
      USING HINT = 'this pleat stopped; `pleat status` shows which pleat works on the schema now';
  END IF;
END $f$;
CREATE OR REPLACE FUNCTION {0}.mark(version text) RETURNS boolean LANGUAGE plpgsql STABLE AS $f$
BEGIN
  RETURN pg_catalog.set_config('pleat.writer', pg_catalog.concat(version, '@', pg_catalog.statement_timestamp()), true)
         IS NOT NULL;
END $f$;
CREATE OR REPLACE FUNCTION {0}.old_writer_default(version text, value anyelement) RETURNS anyelement
  LANGUAGE sql VOLATILE AS $f$
SELECT CASE WHEN pg_catalog.set_config('pleat.old_insert', pg_catalog.concat(version, '@', pg_catalog.statement_timestamp()),
                                      true) IS NULL THEN NULL ELSE value END
$f$;
CREATE OR REPLACE FUNCTION {0}.statement_start() RETURNS trigger LANGUAGE plpgsql AS $f$
DECLARE
  cleared text;
BEGIN
  IF pg_catalog.pg_trigger_depth() OPERATOR(pg_catalog.=) 1 THEN
    cleared := pg_catalog.concat(pg_catalog.set_config('pleat.writer', '', true),
                                 pg_catalog.set_config('pleat.old_insert', '', true),
                                 pg_catalog.set_config('pleat.new_insert', '', true));
  END IF;
  RETURN NULL;
END $f$;
CREATE OR REPLACE FUNCTION {0}.new_writer_default(version text, value anyelement) RETURNS anyelement
  LANGUAGE sql VOLATILE AS $f$
SELECT CASE WHEN pg_catalog.set_config('pleat.new_insert', pg_catalog.concat(version, '@', pg_catalog.statement_timestamp()),
                                      true) IS NULL THEN NULL ELSE value END
$f$;
)";

// Read through to_jsonb so that `status` and `check`, which do not run Init,
// still read a state schema an older pleat made (without `members`).
constexpr const char* kRecordColumns =
    "name, version_schema, parent_version_schema, phase, file_text, plans::text, started_at::text, "
    "coalesce(to_jsonb(m)->'members', '[]')::text";

}  // namespace

StateStore::StateStore(pg::Connection* conn, std::string state_schema, std::string target_schema)
    : conn_(conn), state_schema_(std::move(state_schema)), target_schema_(std::move(target_schema)) {}

std::string StateStore::Name(const std::string& object) const {
  return pg::QualifiedName(state_schema_, object);
}

Status StateStore::Init() {
  // Two concurrent inits would race on CREATE ... IF NOT EXISTS; a transaction
  // advisory lock serializes them.
  pg::Transaction tx;
  Status s = pg::Transaction::Begin(conn_, &tx, "", "SELECT pg_advisory_xact_lock(hashtext('pleat init'))");
  if (s.ok()) s = conn_->Exec(fmt::format(kInitSql, pg::QuoteIdent(state_schema_)));
  s = tx.Finish(s);
  if (!s.ok()) {
    return s.WithContext("init of state schema \"" + state_schema_ + "\"")
        .WithHint("run pleat as the role that owns the schema and its tables (it may create schemas in the "
                  "database), or as a member of that role with --role <owner>; see docs/roles.md");
  }
  return s;
}

Status StateStore::IsInitialized(bool* out) {
  std::string v;
  Status s = conn_->QueryValue("SELECT to_regclass($1) IS NOT NULL", &v, {Name("migrations")});
  *out = v == "t";
  return s;
}

Status StateStore::Lock(const std::string& command, pg::Connection heartbeat) {
  auto lease = std::make_unique<Lease>(state_schema_, target_schema_);
  Status s = lease->Acquire(conn_, std::move(heartbeat), command);
  if (s.ok()) lease_ = std::move(lease);
  return s;
}

Status StateStore::LeaseHeld() const { return lease_ ? lease_->Held() : Status::Ok(); }

Status StateStore::ReadAll(const std::string& sql, const std::vector<std::optional<std::string>>& params,
                           std::vector<MigrationRecord>* out) {
  pg::Result res;
  Status s = conn_->ExecParams(sql, params, &res);
  for (int row = 0; s.ok() && row < res.rows(); ++row) {
    MigrationRecord r;
    r.name = res.Get(row, 0);
    r.version_schema = res.Get(row, 1);
    r.parent_version_schema = res.Get(row, 2);
    r.phase = res.Get(row, 3);
    r.file_text = res.Get(row, 4);
    r.plans = nlohmann::json::parse(res.Get(row, 5));
    r.started_at = res.Get(row, 6);
    r.members = nlohmann::json::parse(res.Get(row, 7));
    out->push_back(r);
  }
  return s;
}

Status StateStore::ReadOne(const std::string& where_sql, const std::vector<std::optional<std::string>>& params,
                           std::optional<MigrationRecord>* out) {
  std::vector<MigrationRecord> rows;
  Status s = ReadAll(std::string("SELECT ") + kRecordColumns + " FROM " + Name("migrations") + " m WHERE " + where_sql +
                         " ORDER BY seq DESC LIMIT 1",
                     params, &rows);
  out->reset();
  if (s.ok() && !rows.empty()) *out = rows[0];
  return s;
}

Status StateStore::History(std::vector<MigrationRecord>* out) {
  return ReadAll(std::string("SELECT ") + kRecordColumns + " FROM " + Name("migrations") +
                     " m WHERE target_schema = $1 ORDER BY seq",
                 {target_schema_}, out);
}

Status StateStore::Active(std::optional<MigrationRecord>* out) {
  return ReadOne("target_schema = $1 AND phase <> 'completed'", {target_schema_}, out);
}

Status StateStore::LastCompleted(std::optional<MigrationRecord>* out) {
  return ReadOne("target_schema = $1 AND phase = 'completed'", {target_schema_}, out);
}

Status StateStore::IsCompleted(const std::string& name, bool* out) {
  std::vector<std::string> names;
  Status s = CompletedNames(&names);
  *out = std::find(names.begin(), names.end(), name) != names.end();
  return s;
}

// A completed window counts each of its files as completed.
Status StateStore::CompletedNames(std::vector<std::string>* out) {
  std::vector<MigrationRecord> rows;
  Status s = ReadAll(std::string("SELECT ") + kRecordColumns + " FROM " + Name("migrations") +
                         " m WHERE target_schema = $1 AND phase = 'completed' ORDER BY seq",
                     {target_schema_}, &rows);
  for (const auto& r : rows) {
    for (const auto& member : r.members) out->push_back(member.at("name").get<std::string>());
    if (r.members.empty()) out->push_back(r.name);
  }
  return s;
}

Status StateStore::Insert(const MigrationRecord& r) {
  return conn_->ExecParams("INSERT INTO " + Name("migrations") +
                               " (target_schema, name, version_schema, parent_version_schema, phase, file_text, plans, members)"
                               " VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8::jsonb)",
                           {target_schema_, r.name, r.version_schema, r.parent_version_schema, r.phase, r.file_text,
                            r.plans.dump(), r.members.dump()});
}

Status StateStore::SetPhase(const std::string& name, const std::string& phase) {
  return conn_->ExecParams("UPDATE " + Name("migrations") +
                               " SET phase = $3, finished_at = CASE WHEN $3 = 'completed' THEN now() END"
                               " WHERE target_schema = $1 AND name = $2",
                           {target_schema_, name, phase});
}

Status StateStore::Forget(const std::string& name) {
  std::string where = " WHERE target_schema = $1 AND ";
  return conn_->ExecParams("WITH j AS (DELETE FROM " + Name("journal") + where + "migration = $2), b AS (DELETE FROM " +
                               Name("backfill") + where + "migration = $2), p AS (DELETE FROM " +
                               Name("backfill_parts") + where + "migration = $2) DELETE FROM " + Name("migrations") +
                               where + "name = $2",
                           {target_schema_, name});
}

std::string StateStore::JournalInsertSql(const std::string& migration, const std::string& phase,
                                         const std::string& step_id) const {
  std::string guard = lease_ ? "SELECT " + Name("check_lease") + "(" + pg::QuoteLiteral(target_schema_) + ", " +
                                   pg::QuoteLiteral(lease_->token()) + "); "
                             : "";
  return guard + "INSERT INTO " + Name("journal") + " (target_schema, migration, phase, step_id) VALUES (" +
         pg::QuoteLiteral(target_schema_) + ", " + pg::QuoteLiteral(migration) + ", " + pg::QuoteLiteral(phase) +
         ", " + pg::QuoteLiteral(step_id) + ") ON CONFLICT DO NOTHING";
}

Status StateStore::DoneSteps(const std::string& migration, const std::string& phase, std::vector<std::string>* out) {
  pg::Result res;
  Status s = conn_->ExecParams("SELECT step_id FROM " + Name("journal") +
                                   " WHERE target_schema = $1 AND migration = $2 AND phase = $3",
                               {target_schema_, migration, phase}, &res);
  for (int r = 0; s.ok() && r < res.rows(); ++r) out->push_back(res.Get(r, 0));
  return s;
}

}  // namespace pleat::state

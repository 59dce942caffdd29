// PlanShadows (declared in ops/shadow_column.h): the physical steps of every
// shadow column of a migration, planned once from the final virtual schema so
// a column several operations change is still built once. The constraints
// carried to the shadows are planned in ops/shadow_constraints.cc.
#include <cctype>
#include <map>

#include "ops/common.h"
#include "ops/grants.h"
#include "ops/not_null.h"
#include "ops/shadow_column.h"
#include "ops/shadow_constraints.h"
#include "ops/shadow_indexes.h"
#include "ops/shadow_primary_key.h"
#include "pg/quote.h"

namespace pleat::ops {
namespace {

using schema::Constraint;

// A DO block running `statement` (over r.seq) for each sequence that column
// `column` of the table owns (serial; not identity) and `where` (over s, its pg_sequence row) selects.
std::string OwnedSequencesSql(const ShadowTarget& t, const std::string& column, const std::string& where,
                              const std::string& statement) {
  std::string body =
      "DECLARE r record; BEGIN FOR r IN SELECT d.objid::regclass AS seq FROM pg_depend d JOIN pg_attribute a ON "
      "a.attrelid = d.refobjid AND a.attnum = d.refobjsubid JOIN pg_sequence s ON s.seqrelid = d.objid "
      "WHERE d.classid = 'pg_class'::regclass AND d.refobjid = " +
      pg::QuoteLiteral(t.table) + "::regclass AND a.attname = " + pg::QuoteLiteral(column) + " AND d.deptype = 'a'" +
      where + " LOOP EXECUTE " + statement + "; END LOOP; END";
  return "DO $pleat$ " + body + " $pleat$";
}

std::string SequencesSql(const ShadowTarget& t, const std::string& from, const std::string& to) {
  return OwnedSequencesSql(t, from, "", "format('ALTER SEQUENCE %s OWNED BY %s.%I', r.seq, " +
                                            pg::QuoteLiteral(t.table) + ", " + pg::QuoteLiteral(to) + ")");
}

// A serial column widened (int -> bigint) needs a sequence that counts as far.
// AS changes its limits only where they were the old type's, as the docs say.
std::string WidenSequencesSql(const ShadowTarget& t, const std::string& type) {
  std::string to = pg::QuoteLiteral(schema::StorageType(type)) + "::regtype";
  return OwnedSequencesSql(t, t.original,
                           " AND " + to + " IN ('smallint'::regtype, 'integer'::regtype, 'bigint'::regtype) AND "
                           "(SELECT typlen FROM pg_type WHERE oid = s.seqtypid) < (SELECT typlen FROM pg_type WHERE oid = " +
                               to + ")",
                           "format('ALTER SEQUENCE %s AS %s', r.seq, " + to + ")");
}

// The plans a shadow adds steps to: `after_shadows` runs at start once every
// shadow of the migration exists; `validate` at complete before the originals go.
struct Plans {
  plan::Plan *start, *after_shadows, *validate, *complete, *rollback;
};

// The SQL a shadow's complete steps gather: constraints validated, then the final statements.
struct Finish {
  std::vector<std::string> validate, final_sql;
};

// ADD COLUMN without a default changes only the catalog; NOT VALID constraints
// are checked for new writes only, so nothing here scans or rewrites the table.
void PlanStart(const schema::Table& old, const schema::Column& col, const schema::Shadow& sh, const ShadowTarget& t,
               const std::string& what, const Plans& plans, Finish* finish) {
  std::string shadow = pg::QuoteIdent(t.shadow);
  std::vector<std::string> sql = {"ALTER TABLE " + t.table + " ADD COLUMN IF NOT EXISTS " + shadow + " " +
                                  schema::StorageType(col.type)};
  if (sh.comment) sql.push_back("COMMENT ON COLUMN " + t.table + "." + shadow + " IS " + pg::QuoteLiteral(*sh.comment));
  // Owned sequences move now: dropping the original at complete would drop them.
  sql.push_back(SequencesSql(t, t.original, t.shadow));
  // Column-level grants too: the shadow becomes the column at complete.
  sql.push_back(CopyColumnGrantsSql(t.table, {t.original}, t.table, t.shadow));
  plans.start->AddSql("shadow." + t.key, "add shadow column for " + what, sql);
  std::vector<std::pair<std::string, std::string>> renames;
  std::vector<std::string> constraints;  // may name other shadows: added once all exist
  StartShadowConstraints(old, sh, t, &constraints, &renames);
  if (!constraints.empty())
    plans.after_shadows->AddSql("shadow_constraints." + t.key, "add the constraints of the shadow of " + what, constraints);
  for (const auto& [temp, name] : renames) {
    finish->validate.push_back("ALTER TABLE " + t.table + " VALIDATE CONSTRAINT " + pg::QuoteIdent(temp));
    finish->final_sql.push_back("ALTER TABLE " + t.table + " RENAME CONSTRAINT " + pg::QuoteIdent(temp) + " TO " +
                                pg::QuoteIdent(name));
  }
  for (const Constraint& k : sh.constraints)
    if (k.type != 'u') finish->validate.push_back("ALTER TABLE " + t.table + " VALIDATE CONSTRAINT " + pg::QuoteIdent(k.name));
}

// After the backfill: before it, an old writer's update of another column of a
// row not yet backfilled would fail a NOT NULL check on the empty shadow.
// VALIDATE scans without blocking writes; SET NOT NULL then trusts the valid
// check. The guard (ops/not_null.h) reports violations as PostgreSQL would,
// under `column`, the name the new version gives the shadow.
void PlanNotNull(const ShadowTarget& t, const std::string& column, const std::string& what, const Plans& plans,
                 Finish* finish) {
  std::string shadow = pg::QuoteIdent(t.shadow), nn = pg::QuoteIdent(ShadowTemp("nn", t, t.original));
  NotNullGuard guard{t.schema, t.physical, t.shadow, t.name, column};
  std::vector<std::string> sql = {"ALTER TABLE " + t.table + " ADD CONSTRAINT " + nn + " CHECK (" + shadow +
                                  " IS NOT NULL) NOT VALID"};
  std::vector<std::string> undo = DropNotNullGuardSql(guard);
  for (auto& statement : NotNullGuardSql(guard)) sql.push_back(std::move(statement));
  undo.push_back("ALTER TABLE IF EXISTS " + t.table + " DROP CONSTRAINT IF EXISTS " + nn);
  plans.start->AddAfterBackfill("shadow_not_null." + t.key, "enforce NOT NULL on new writes to " + what, sql, undo);
  finish->validate.insert(finish->validate.begin(), "ALTER TABLE " + t.table + " VALIDATE CONSTRAINT " + nn);
  std::vector<std::string> final_sql = DropNotNullGuardSql(guard);
  final_sql.push_back("ALTER TABLE " + t.table + " ALTER COLUMN " + shadow + " SET NOT NULL");
  final_sql.push_back("ALTER TABLE " + t.table + " DROP CONSTRAINT " + nn);
  finish->final_sql.insert(finish->final_sql.begin(), final_sql.begin(), final_sql.end());
}


// Drops the foreign keys that reference the shadow: only the migration makes
// them (a key of another table, or another shadow, that an operation of the
// file points at a key it rebuilds), and the tables they are on may be rolled
// back after this one.
std::string DropReferencingKeysSql(const ShadowTarget& t) {
  return "DO $pleat$ DECLARE r record; BEGIN FOR r IN SELECT k.conrelid::regclass AS tab, k.conname FROM "
         "pg_constraint k JOIN pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = ANY (k.confkey) "
         "WHERE k.contype = 'f' AND k.confrelid = to_regclass(" + pg::QuoteLiteral(t.table) + ") AND a.attname = " +
         pg::QuoteLiteral(t.shadow) + " LOOP EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', r.tab, r.conname); "
         "END LOOP; END $pleat$";
}

void AppendSteps(plan::Plan* to, const plan::Plan& from) {
  for (const auto& step : from.steps()) to->Add(step);
}

void PlanOne(const schema::Table& old, const schema::Column& col, const schema::Shadow& sh, const ShadowTarget& t,
             const Plans& plans) {
  std::string what = "\"" + old.name + "\".\"" + t.original + "\"";
  Finish finish;
  std::vector<std::string> uniques;
  PlanStart(old, col, sh, t, what, plans, &finish);
  PlanShadowUniques(old, sh, t, what, plans.after_shadows, &uniques);
  // Unique constraints attach before the other constraints take their final names.
  finish.final_sql.insert(finish.final_sql.begin(), uniques.begin(), uniques.end());
  if (!col.nullable) PlanNotNull(t, col.name, what, plans, &finish);
  finish.final_sql.push_back("ALTER TABLE " + t.table + " RENAME COLUMN " + pg::QuoteIdent(t.shadow) + " TO " +
                             pg::QuoteIdent(t.original));
  finish.final_sql.push_back(RenameNotNullSql(t.table, t.original, ShadowNotNullName(old, sh)));
  finish.final_sql.push_back(WidenSequencesSql(t, col.type));
  if (!finish.validate.empty())
    plans.validate->AddValidate("shadow_validate." + t.key, "validate the constraints of " + what, finish.validate);
  plans.complete->AddSql("shadow_final." + t.key, "make the shadow of " + what + " the column", finish.final_sql);
  plans.rollback->AddSql("shadow." + t.key, "drop the shadow column of " + what,
                         {SequencesSql(t, t.shadow, t.original), DropReferencingKeysSql(t),
                          "ALTER TABLE IF EXISTS " + t.table + " DROP COLUMN IF EXISTS " + pg::QuoteIdent(t.shadow)});
}

}  // namespace

Status PlanShadows(const schema::VirtualSchema& before, const schema::VirtualSchema& after, plan::Plan* start,
                   plan::Plan* validate, plan::Plan* swap, plan::Plan* complete, plan::Plan* rollback) {
  plan::Plan key_checks, shadow_start, after_shadows, final_names, key_swaps, key_validations;
  for (const auto& table : after.tables()) {
    std::map<std::string, std::string> shadows;  // original -> shadow, for the whole table
    for (const auto& sh : table.shadows) shadows[sh.original] = sh.physical;
    const schema::Table* old = before.FindByPhysical(table.physical);
    for (const auto& sh : table.shadows) {
      const schema::Column* col = table.FindByPhysical(sh.physical);
      if (!old || !col) continue;
      ShadowTarget t{after.schema_name(), pg::QualifiedName(after.schema_name(), table.physical), table.physical, table.name,
               sh.original, sh.physical, table.physical + "." + sh.original, shadows};
      PlanOne(*old, *col, sh, t, Plans{&shadow_start, &after_shadows, validate, complete, rollback});
    }
    if (shadows.empty()) continue;
    Status s = PlanShadowIndexes(before, after, table.physical, shadows, &after_shadows, &final_names);
    // A partition's own indexes (not parts of the table's) go with the replaced columns too.
    for (const auto& p : table.partitions)
      if (s.ok() && p.schema == after.schema_name())
        s = PlanShadowIndexes(before, after, p.name, shadows, &after_shadows, &final_names);
    if (s.ok()) s = PlanShadowPrimaryKey(before, table.physical, shadows, {&key_checks, &after_shadows, &key_swaps, &key_validations});
    if (!s.ok()) return s.WithContext("table \"" + table.name + "\"");
  }
  AppendSteps(start, key_checks);  // first: a refused primary key leaves the tables as they were
  AppendSteps(start, shadow_start);
  AppendSteps(start, after_shadows);  // a constraint or unique index may span several shadows
  AppendSteps(swap, key_swaps);  // once every NOT NULL check of the shadows is validated
  AppendSteps(complete, final_names);  // once the shadows have their names
  AppendSteps(complete, key_validations);
  return Status::Ok();
}

}  // namespace pleat::ops

// PlanShadows (declared in ops/shadow_column.h): the physical steps of every
// shadow column of a migration, planned once from the final virtual schema so
// a column several operations change is still built once.
#include <algorithm>
#include <cctype>
#include <map>

#include "migration/statements.h"
#include "ops/common.h"
#include "ops/grants.h"
#include "ops/not_null.h"
#include "ops/shadow_column.h"
#include "ops/shadow_indexes.h"
#include "ops/shadow_primary_key.h"
#include "pg/quote.h"

namespace pleat::ops {
namespace {

using schema::Constraint;

// Everything one shadow's steps need, in SQL form.
struct Target {
  std::string schema;
  std::string table;     // "schema"."table"
  std::string physical;  // the table's physical name
  std::string name;      // the table as the new version shows it
  std::string original, shadow;
  std::string key;       // step-id suffix
  std::map<std::string, std::string> shadows;  // every shadowed column of the table: original -> shadow
};

// The shadowed column of `k` that plans it: the first in key order, so a
// constraint over several replaced columns is rebuilt once, on all of them.
bool PlansConstraint(const Constraint& k, const Target& t) {
  for (const auto& c : k.columns)
    if (t.shadows.count(c)) return c == t.original;
  return false;
}

// `k`'s columns with each shadowed one replaced by its shadow, quoted, comma-separated.
std::string MappedColumns(const Constraint& k, const Target& t) {
  std::string out;
  for (const auto& c : k.columns) {
    auto it = t.shadows.find(c);
    out += (out.empty() ? "" : ", ") + pg::QuoteIdent(it == t.shadows.end() ? c : it->second);
  }
  return out;
}

// Rewrites the column references of a constraint definition that `renames`
// names, by their parse-tree locations (the definition is parsed inside an ALTER TABLE).
bool RenameInDefinition(const std::string& definition, const std::map<std::string, std::string>& renames,
                        std::string* out) {
  std::string prefix = "ALTER TABLE t ADD CONSTRAINT c ";
  migration::Statements parsed;
  if (!migration::Statements::Parse(prefix + definition, &parsed).ok() || parsed.statements().size() != 1) return false;
  std::vector<std::pair<size_t, std::string>> at;  // location, column
  std::vector<const nlohmann::json*> stack = {&parsed.statements()[0].tree};
  while (!stack.empty()) {
    const nlohmann::json* node = stack.back();
    stack.pop_back();
    if (node->is_object() && node->contains("fields") && node->contains("location") && (*node)["fields"].size() == 1) {
      std::string name = (*node)["fields"][0].value("String", nlohmann::json::object()).value("sval", "");
      if (renames.count(name)) at.push_back({(*node)["location"].get<size_t>(), name});
    }
    if (node->is_structured())
      for (const auto& child : *node) stack.push_back(&child);
  }
  std::string text = prefix + definition;
  std::sort(at.rbegin(), at.rend());
  for (const auto& [pos, name] : at) {
    size_t len = text[pos] == '"' ? pg::QuoteIdent(name).size() : name.size();
    text.replace(pos, len, pg::QuoteIdent(renames.at(name)));
  }
  *out = text.substr(prefix.size());
  return true;
}

std::string Temp(const std::string& kind, const Target& t, const std::string& name) {
  return pg::PleatName(kind, t.physical, name);
}

// The temporary name of constraint `name` rebuilt on a shadow. A table's CHECK
// constraints are evaluated in name order (as are the RI triggers of foreign
// keys, by OID): right after the original's, so a write that breaks both is
// reported under the user's name.
std::string Rebuilt(const std::string& name) { return pg::FitIdentifier(name + "_pleat_new"); }

// Constraints of the original carried over to the shadow (under temporary names
// until complete, while the original's still exist), and new ones.
void StartConstraints(const schema::Table& old, const schema::Shadow& sh, const Target& t,
                      std::vector<std::string>* sql, std::vector<std::pair<std::string, std::string>>* renames) {
  for (const Constraint& k : old.constraints) {
    if ((k.type != 'c' && k.type != 'f') || !PlansConstraint(k, t)) continue;
    std::string def;
    if (!RenameInDefinition(k.definition, t.shadows, &def)) continue;
    // A foreign key's own columns are a name list, not expressions: rebuild it from the catalog's list.
    if (k.type == 'f') def = "FOREIGN KEY (" + MappedColumns(k, t) + ")" + k.definition.substr(k.definition.find(')') + 1);
    const std::string kNotValid = " NOT VALID";
    if (def.size() > kNotValid.size() && def.compare(def.size() - kNotValid.size(), kNotValid.size(), kNotValid) == 0)
      def.resize(def.size() - kNotValid.size());
    sql->push_back("ALTER TABLE " + t.table + " ADD CONSTRAINT " + pg::QuoteIdent(Rebuilt(k.name)) + " " + def +
                   " NOT VALID");
    renames->push_back({Rebuilt(k.name), k.name});
  }
  for (const Constraint& k : sh.constraints)
    if (k.type != 'u')
      sql->push_back("ALTER TABLE " + t.table + " ADD CONSTRAINT " + pg::QuoteIdent(k.name) + " " + k.definition +
                     " NOT VALID");
}

// A unique constraint to build on the shadows: its name, its columns, and the
// index built at start. A new one's index has its final name at once (validation
// claimed it), so a duplicate is reported under the user's name; a rebuilt one's
// cannot while the original's index holds it (that index, older, is checked first).
struct Unique {
  std::string name, columns, index;
};

// The original's unique constraints (over one or several columns), and the new ones.
std::vector<Unique> Uniques(const schema::Table& old, const schema::Shadow& sh, const Target& t) {
  std::vector<Unique> out;
  for (const Constraint& k : old.constraints)
    if (k.type == 'u' && PlansConstraint(k, t)) out.push_back({k.name, MappedColumns(k, t), Temp("uq", t, k.name)});
  for (const Constraint& k : sh.constraints)
    if (k.type == 'u') out.push_back({k.name, pg::QuoteIdent(t.shadow), k.name});
  return out;
}

// A DO block running `statement` (over r.seq) for each sequence that column
// `column` of the table owns (serial; not identity) and `where` (over s, its pg_sequence row) selects.
std::string OwnedSequencesSql(const Target& t, const std::string& column, const std::string& where,
                              const std::string& statement) {
  std::string body =
      "DECLARE r record; BEGIN FOR r IN SELECT d.objid::regclass AS seq FROM pg_depend d JOIN pg_attribute a ON "
      "a.attrelid = d.refobjid AND a.attnum = d.refobjsubid JOIN pg_sequence s ON s.seqrelid = d.objid "
      "WHERE d.classid = 'pg_class'::regclass AND d.refobjid = " +
      pg::QuoteLiteral(t.table) + "::regclass AND a.attname = " + pg::QuoteLiteral(column) + " AND d.deptype = 'a'" +
      where + " LOOP EXECUTE " + statement + "; END LOOP; END";
  return "DO $pleat$ " + body + " $pleat$";
}

std::string SequencesSql(const Target& t, const std::string& from, const std::string& to) {
  return OwnedSequencesSql(t, from, "", "format('ALTER SEQUENCE %s OWNED BY %s.%I', r.seq, " +
                                            pg::QuoteLiteral(t.table) + ", " + pg::QuoteLiteral(to) + ")");
}

// A serial column widened (int -> bigint) needs a sequence that counts as far.
// AS changes its limits only where they were the old type's, as the docs say.
std::string WidenSequencesSql(const Target& t, const std::string& type) {
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
  engine::Plan *start, *after_shadows, *validate, *complete, *rollback;
};

// The SQL a shadow's complete steps gather: constraints validated, then the final statements.
struct Finish {
  std::vector<std::string> validate, final_sql;
};

// ADD COLUMN without a default changes only the catalog; NOT VALID constraints
// are checked for new writes only, so nothing here scans or rewrites the table.
void PlanStart(const schema::Table& old, const schema::Column& col, const schema::Shadow& sh, const Target& t,
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
  StartConstraints(old, sh, t, &constraints, &renames);
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
void PlanNotNull(const Target& t, const std::string& column, const std::string& what, const Plans& plans,
                 Finish* finish) {
  std::string shadow = pg::QuoteIdent(t.shadow), nn = pg::QuoteIdent(Temp("nn", t, t.original));
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


// Unique constraints: built concurrently on the shadows at start, attached at complete.
void PlanUniques(const schema::Table& old, const schema::Shadow& sh, const Target& t, const std::string& what,
                 const Plans& plans, std::vector<std::string>* final_sql) {
  for (const auto& [name, columns, index] : Uniques(old, sh, t)) {
    engine::Step step;
    step.id = plans.after_shadows->IdFor("shadow_unique." + t.key + "." + name);
    step.description = "build unique index \"" + name + "\" on the shadow of " + what;
    step.sql = {"CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS " + pg::QuoteIdent(index) + " ON " + t.table + " (" + columns + ")"};
    step.transactional = false;
    step.payload = {{"invalid_index", pg::QualifiedName(t.schema, index)}};
    plans.after_shadows->Add(step);
    final_sql->push_back("ALTER TABLE " + t.table + " ADD CONSTRAINT " + pg::QuoteIdent(name) + " UNIQUE USING INDEX " +
                         pg::QuoteIdent(index));
    // An index keeps the column names it was built with; the shadows' names must not outlive it.
    for (const auto& [original, physical] : t.shadows)
      if (columns.find(pg::QuoteIdent(physical)) != std::string::npos)
        final_sql->push_back("ALTER TABLE " + pg::QualifiedName(t.schema, name) + " RENAME COLUMN " +
                             pg::QuoteIdent(physical) + " TO " + pg::QuoteIdent(original));
  }
}

void AppendSteps(engine::Plan* to, const engine::Plan& from) {
  for (const auto& step : from.steps()) to->Add(step);
}

void PlanOne(const schema::Table& old, const schema::Column& col, const schema::Shadow& sh, const Target& t,
             const Plans& plans) {
  std::string what = "\"" + old.name + "\".\"" + t.original + "\"";
  Finish finish;
  std::vector<std::string> uniques;
  PlanStart(old, col, sh, t, what, plans, &finish);
  PlanUniques(old, sh, t, what, plans, &uniques);
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
                         {SequencesSql(t, t.shadow, t.original),
                          "ALTER TABLE IF EXISTS " + t.table + " DROP COLUMN IF EXISTS " + pg::QuoteIdent(t.shadow)});
}

}  // namespace

Status PlanShadows(const schema::VirtualSchema& before, const schema::VirtualSchema& after, engine::Plan* start,
                   engine::Plan* validate, engine::Plan* swap, engine::Plan* complete, engine::Plan* rollback) {
  engine::Plan key_checks, shadow_start, after_shadows, final_names, key_swaps, key_validations;
  for (const auto& table : after.tables()) {
    std::map<std::string, std::string> shadows;  // original -> shadow, for the whole table
    for (const auto& sh : table.shadows) shadows[sh.original] = sh.physical;
    const schema::Table* old = before.FindByPhysical(table.physical);
    for (const auto& sh : table.shadows) {
      const schema::Column* col = table.FindByPhysical(sh.physical);
      if (!old || !col) continue;
      Target t{after.schema_name(), pg::QualifiedName(after.schema_name(), table.physical), table.physical, table.name,
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

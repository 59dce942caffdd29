#include "planner/move_sync.h"

#include <optional>
#include <set>
#include <utility>

#include "ops/not_null.h"
#include "parse/expression.h"
#include "pg/quote.h"
#include "planner/move_order.h"

namespace pleat::planner {
namespace {

using schema::Move;
using schema::MovedColumn;

// The names of one move's objects, and its tables in SQL.
struct MoveNames {
  MoveNames(const Move& m, const std::string& schema)
      : schema(schema),
        source(pg::QualifiedName(schema, m.source)),
        target(pg::QualifiedName(schema, m.target)),
        source_trigger(pg::PleatName("movesrc", m.source, m.target)),
        target_trigger(pg::PleatName("movedst", m.target, m.source)),
        source_statement_trigger(pg::PleatName("movestmt", m.source, m.target)),
        target_statement_trigger(pg::PleatName("movestmt", m.target, m.source)),
        source_fn(pg::QualifiedName(schema, source_trigger)),
        target_fn(pg::QualifiedName(schema, target_trigger)) {}
  std::string schema, source, target;
  std::string source_trigger, target_trigger, source_statement_trigger, target_statement_trigger;
  std::string source_fn, target_fn;
};

// Runs `statement` with the guard up, so the other side's trigger (and this
// one, for writes the statement causes) leaves the write alone. The guard is
// set by assignment (to `_pleat_guard`, declared by kGuardDeclaration): a PERFORM
// would be a query of its own (state_store.cc).
constexpr const char* kGuardDeclaration = "  _pleat_guard text;\n";
std::string Guarded(const std::string& statement) {
  return "  _pleat_guard := set_config('pleat.moving', 'on', true);\n  " + statement +
         ";\n  _pleat_guard := set_config('pleat.moving', '', true);\n";
}

// The row triggers write the other table with the table owner's rights: a
// role that may write one table but holds no right on the other (a split's new
// table, a column's new home) must not see its write fail (docs/architecture.md,
// "Roles and privileges"). pg_temp last: no temporary table can stand in.
std::vector<std::string> FunctionSql(const std::string& fn, const std::string& schema, const std::string& body) {
  return pg::OwnerRightsTriggerFunctionSql(fn, "pg_catalog, " + pg::QuoteIdent(schema) + ", pg_temp", body);
}

// True (in PL/pgSQL) when the row came through a view of the new version:
// their qual, which WITH CHECK OPTION runs for INSERTs too, recorded the writer
// before any AFTER row trigger runs (see state_store.cc).
std::string NewWriterTest(const std::string& vs) {
  return "current_setting('pleat.writer', true) IS NOT DISTINCT FROM " + pg::QuoteLiteral(vs + "@") +
         " || statement_timestamp()";
}

std::string SkipSql(const std::string& vs, bool skip_new) {
  return "  IF current_setting('pleat.moving', true) = 'on' OR " + std::string(skip_new ? "" : "NOT ") + "(" +
         NewWriterTest(vs) + ") THEN RETURN NULL; END IF;\n";
}

// Old-version writes of the source reach the target (the new version cannot
// see the moved columns there).
std::string SourceBody(const Move& m, const MoveNames& n, const std::string& vs) {
  std::string olds, news, cols, values, sets, excluded;
  for (const MovedColumn& c : m.columns) {
    std::string from = pg::QuoteIdent(c.from.physical), to = pg::QuoteIdent(c.to);
    olds += "OLD." + from + ", ";
    news += "NEW." + from + ", ";
    cols += ", " + to;
    values += ", NEW." + from;
    sets += std::string(sets.empty() ? "" : ", ") + to + " = NEW." + from;
    excluded += std::string(excluded.empty() ? "" : ", ") + to + " = EXCLUDED." + to;
  }
  std::string sk = pg::QuoteIdent(m.source_key), tk = pg::QuoteIdent(m.target_key);
  std::string write = m.create_rows ? "INSERT INTO " + n.target + " (" + tk + cols + ") VALUES (NEW." + sk + values +
                                          ") ON CONFLICT (" + tk + ") DO UPDATE SET " + excluded
                                    : "UPDATE " + n.target + " SET " + sets + " WHERE " + tk + " = NEW." + sk;
  return "DECLARE\n" + std::string(kGuardDeclaration) + "BEGIN\n" + SkipSql(vs, true) +
         "  IF TG_OP = 'UPDATE' THEN\n    IF ROW(" + olds + "OLD." + sk +
         ") IS NOT DISTINCT FROM ROW(" + news + "NEW." + sk + ") THEN RETURN NULL; END IF;\n  END IF;\n" +
         Guarded(write) + "  RETURN NULL;\nEND";
}

// New-version writes of the target reach the source. A new target row
// (split_table) that goes or moves to another key leaves its old source row
// with the cleared values; a row of an existing target (move_column) leaves it
// as it is, since other rows may share it.
std::string TargetBody(const Move& m, const MoveNames& n, const std::string& vs) {
  std::string sets, clears;
  for (const MovedColumn& c : m.columns) {
    std::string from = pg::QuoteIdent(c.from.physical);
    sets += std::string(sets.empty() ? "" : ", ") + from + " = NEW." + pg::QuoteIdent(c.to);
    clears += std::string(clears.empty() ? "" : ", ") + from + " = (" + c.clear.value_or("NULL") + ")";
  }
  std::string sk = pg::QuoteIdent(m.source_key), tk = pg::QuoteIdent(m.target_key);
  std::string clear = !m.create_rows ? "" :
      "  IF TG_OP = 'UPDATE' THEN _pleat_gone := OLD." + tk + " IS DISTINCT FROM NEW." + tk + "; END IF;\n"
      "  IF _pleat_gone THEN\n  " + Guarded("UPDATE " + n.source + " SET " + clears + " WHERE " + sk + " = OLD." + tk) +
      "  END IF;\n";
  return "DECLARE\n  _pleat_gone boolean := TG_OP = 'DELETE';\n" + std::string(kGuardDeclaration) + "BEGIN\n" +
         SkipSql(vs, false) + clear +
         "  IF TG_OP <> 'DELETE' THEN\n  " +
         Guarded("UPDATE " + n.source + " SET " + sets + " WHERE " + sk + " = NEW." + tk) + "  END IF;\n"
         "  RETURN NULL;\nEND";
}

std::vector<std::string> DropTriggersSql(const Move& m, const MoveNames& n) {
  std::vector<std::string> sql = {
      "DROP TRIGGER IF EXISTS " + pg::QuoteIdent(n.source_trigger) + " ON " + n.source,
      "DROP TRIGGER IF EXISTS " + pg::QuoteIdent(n.source_statement_trigger) + " ON " + n.source,
      "DROP TRIGGER IF EXISTS " + pg::QuoteIdent(n.target_trigger) + " ON " + n.target,
      "DROP TRIGGER IF EXISTS " + pg::QuoteIdent(n.target_statement_trigger) + " ON " + n.target,
      "DROP FUNCTION IF EXISTS " + n.source_fn + "()", "DROP FUNCTION IF EXISTS " + n.target_fn + "()"};
  std::vector<std::string> order = LockOrderDropSql(m, n.schema);
  sql.insert(sql.end(), order.begin(), order.end());
  return sql;
}

// The row triggers, and statement triggers that clear the writer markers
// before the statement's view qual sets them (see state_store.cc).
std::vector<std::string> StartSql(const Move& m, const MoveNames& n, const std::string& schema, const std::string& vs,
                                  const std::string& state_schema) {
  std::string not_null, of_source, of_target = pg::QuoteIdent(m.target_key);
  for (const MovedColumn& c : m.columns) {
    if (!c.from.nullable)
      not_null += std::string(not_null.empty() ? "" : ",") + " ALTER COLUMN " + pg::QuoteIdent(c.from.physical) + " DROP NOT NULL";
    of_source += pg::QuoteIdent(c.from.physical) + ", ";
    of_target += ", " + pg::QuoteIdent(c.to);
  }
  std::string clear = " FOR EACH STATEMENT EXECUTE FUNCTION " + pg::QualifiedName(state_schema, "statement_start") + "()";
  std::vector<std::string> sql = DropTriggersSql(m, n);
  if (!not_null.empty()) sql.insert(sql.begin(), "ALTER TABLE " + n.source + not_null);
  for (const std::string& fn_sql : FunctionSql(n.source_fn, schema, SourceBody(m, n, vs))) sql.push_back(fn_sql);
  for (const std::string& fn_sql : FunctionSql(n.target_fn, schema, TargetBody(m, n, vs))) sql.push_back(fn_sql);
  sql.push_back("CREATE TRIGGER " + pg::QuoteIdent(n.source_trigger) + " AFTER INSERT OR UPDATE OF " + of_source +
                pg::QuoteIdent(m.source_key) + " ON " + n.source + " FOR EACH ROW EXECUTE FUNCTION " + n.source_fn + "()");
  sql.push_back("CREATE TRIGGER " + pg::QuoteIdent(n.source_statement_trigger) + " BEFORE INSERT OR UPDATE ON " +
                n.source + clear);
  std::string events = " AFTER INSERT OR UPDATE OF " + of_target + (m.create_rows ? " OR DELETE" : "") + " ON ";
  sql.push_back("CREATE TRIGGER " + pg::QuoteIdent(n.target_trigger) + events + n.target +
                " FOR EACH ROW EXECUTE FUNCTION " + n.target_fn + "()");
  sql.push_back("CREATE TRIGGER " + pg::QuoteIdent(n.target_statement_trigger) + " BEFORE INSERT OR UPDATE OR DELETE ON " +
                n.target + clear);
  std::vector<std::string> order = LockOrderStartSql(m, schema, vs);
  sql.insert(sql.end(), order.begin(), order.end());
  return sql;
}

// Rollback: NOT NULL back on the columns that had it. A source row the new
// version left without a value gets the column's `down` (else its default)
// first. NOT NULL is proven by a NOT VALID check validated under a SHARE UPDATE
// EXCLUSIVE lock, so SET NOT NULL needs no scan under its ACCESS EXCLUSIVE one.
// `source`: the source table, with its NOT NULL constraints on PostgreSQL 18 (null if unknown).
void PlanRollback(const Move& m, const MoveNames& n, const schema::Table* source, const std::string& id,
                  plan::Plan* rollback) {
  std::string what = "\"" + m.source + "\"";
  rollback->AddUndo(id, "remove the triggers that move columns between " + what + " and \"" + m.target + "\"",
                    DropTriggersSql(m, n), id);
  std::string alter = "ALTER TABLE " + n.source;
  std::string fill, empty, check, validate, set;
  std::vector<std::string> names;  // SET NOT NULL names the constraint after the table: the original name back
  auto add = [](std::string* list, const std::string& sep, const std::string& item) {
    *list += (list->empty() ? "" : sep) + item;
  };
  for (const MovedColumn& c : m.columns) {
    if (c.from.nullable) continue;
    std::string col = pg::QuoteIdent(c.from.physical);
    std::string name = pg::QuoteIdent(pg::PleatName("nn", m.source, c.from.physical));
    if (std::optional<std::string> value = c.clear ? c.clear : c.from.default_sql) {
      add(&fill, ", ", col + " = coalesce(" + col + ", " + *value + ")");
      add(&empty, " OR ", col + " IS NULL");
    }
    add(&check, ",", " ADD CONSTRAINT " + name + " CHECK (" + col + " IS NOT NULL) NOT VALID");
    add(&validate, ",", " VALIDATE CONSTRAINT " + name);
    add(&set, ",", " ALTER COLUMN " + col + " SET NOT NULL, DROP CONSTRAINT " + name);
    for (const auto& k : source ? source->constraints : std::vector<schema::Constraint>{})
      if (k.type == 'n' && k.columns == std::vector<std::string>{c.from.physical})
        names.push_back(ops::RenameNotNullSql(n.source, c.from.physical, k.name));
  }
  if (check.empty()) return;
  if (!fill.empty())
    rollback->AddUndo(id + ".fill", "give rows of " + what + " without moved values their `down` or default",
                      {"UPDATE " + n.source + " SET " + fill + " WHERE " + empty}, id);
  rollback->AddUndo(id + ".check", "check NOT NULL on " + what, {alter + check}, id);
  rollback->AddUndo(id + ".validate", "validate NOT NULL on " + what, {alter + validate}, id);
  names.insert(names.begin(), alter + set);
  rollback->AddUndo(id + ".not_null", "restore NOT NULL on " + what, names, id);
}

// Target rows for existing source rows: one entry per source table, walked once.
void AddBackfill(const Move& m, const MoveNames& n, nlohmann::json* backfill) {
  nlohmann::json* entry = nullptr;
  for (auto& e : *backfill)
    if (e.at("table") == m.source) entry = &e;
  if (!entry) entry = &backfill->emplace_back(nlohmann::json{{"table", m.source}, {"set", nlohmann::json::array()}});
  nlohmann::json columns = nlohmann::json::array();
  for (const MovedColumn& c : m.columns)
    columns.push_back({{"column", c.to}, {"expression", pg::QuoteIdent(c.from.physical)},
                       {"name", m.target + "." + c.to}});
  (*entry)["children"].push_back(
      {{"table", m.target}, {"into", n.target}, {"key", m.target_key}, {"source_key", m.source_key}, {"columns", columns}});
}

// True when the new version no longer shows physical column `column` of physical table `table`.
bool HiddenIn(const schema::VirtualSchema& after, const std::string& table, const std::string& column) {
  const schema::Table* t = after.FindByPhysical(table);
  if (!t) return false;
  for (const auto& h : t->hidden)
    if (h.physical == column) return true;
  return false;
}

// The physical column the new version keeps `column` of physical table `table`
// in: its shadow when the migration replaces it, else the column itself.
std::string ShadowOf(const schema::VirtualSchema& after, const std::string& table, const std::string& column) {
  if (const schema::Table* t = after.FindByPhysical(table))
    for (const auto& s : t->shadows)
      if (s.original == column) return s.physical;
  return column;
}

// The value a moved column keeps in the source after a new-version insert,
// whose target row is still to come: its default, or NULL. "" when that
// cannot be told (a volatile default gives each row its own value).
std::string LeftByNewInsert(const schema::VirtualSchema& after, const schema::Column& c) {
  if (!c.default_sql) return "NULL";
  parse::Expression e;
  if (!parse::Expression::Parse(*c.default_sql, &e).ok()) return "";
  for (const auto& fn : e.FunctionNames())
    if (after.IsVolatileFunction(fn)) return "";
  return "(" + *c.default_sql + ")";
}

}  // namespace

// What `pleat verify` checks of a split: a source row whose target row holds
// other values, or that has moved values but no target row (a new-version row
// whose child is still to come has none, and keeps the moved columns'
// defaults). Only for created target rows, whose key is unique; a one-to-many
// move_column may differ by design.
nlohmann::json VerifySpec(const schema::VirtualSchema& after, const Move& m, const MoveNames& n) {
  std::string differs, any_value;
  for (const MovedColumn& c : m.columns) {
    std::string from = "v." + pg::QuoteIdent(c.from.physical);  // v: the row verify scans
    differs += std::string(differs.empty() ? "" : " OR ") + "t." + pg::QuoteIdent(c.to) + " IS DISTINCT FROM " + from;
    std::string left = LeftByNewInsert(after, c.from);
    if (!left.empty()) any_value += std::string(any_value.empty() ? "" : " OR ") + from + " IS DISTINCT FROM " + left;
  }
  if (any_value.empty()) any_value = "false";
  std::string match = "t." + pg::QuoteIdent(m.target_key) + " = v." + pg::QuoteIdent(m.source_key);
  return {{"table", m.source},
          {"probe", "EXISTS (SELECT 1 FROM " + n.target + " t WHERE " + match + " AND (" + differs + ")) OR ((" +
                        any_value + ") AND NOT EXISTS (SELECT 1 FROM " + n.target + " t WHERE " + match + "))"},
          {"message", "where the row of \"" + m.target + "\" holds other values than the moved columns (or is missing)"}};
}

void PlanMoves(const schema::VirtualSchema& after, const std::string& state_schema, ViewSpec* views,
               SyncPlans* out) {
  const std::string& schema = after.schema_name();
  const std::string& version_schema = views->version_schema;
  std::set<std::pair<std::string, std::string>> replaced_keys;  // physical table, key
  for (const Move& m : after.moves()) {
    views->tables[m.source].check_option = true;
    views->tables[m.target].check_option = true;
    AddLockOrderQual(m, ShadowOf(after, m.target, m.target_key), views);
    MoveNames n(m, schema);
    std::string id = "move." + m.source + "." + m.target;
    std::string what = "the triggers that move columns between \"" + m.source + "\" and \"" + m.target + "\"";
    out->start.AddSql(id, "install " + what, StartSql(m, n, schema, version_schema, state_schema));
    // The moved columns go with the triggers that fill them (see sync_planner.cc),
    // and so does a key the migration replaces (a shadow): the triggers read it.
    std::vector<std::string> complete = DropTriggersSql(m, n);
    std::string drop;
    for (const MovedColumn& c : m.columns)
      drop += std::string(drop.empty() ? "" : ",") + " DROP COLUMN IF EXISTS " + pg::QuoteIdent(c.from.physical);
    complete.push_back("ALTER TABLE " + n.source + drop);
    out->complete.AddSql(id, "remove " + what + " and the moved columns of \"" + m.source + "\"", complete);
    // Replaced keys go once every move's triggers are gone: two moves out of
    // one table read the same key.
    for (const auto& [table, key] : {std::pair{m.source, m.source_key}, std::pair{m.target, m.target_key}})
      if (HiddenIn(after, table, key)) replaced_keys.insert({table, key});
    PlanRollback(m, n, after.FindByPhysical(m.source), id, &out->rollback);
    if (m.create_rows) AddBackfill(m, n, &out->backfill);
    if (m.create_rows) out->verify.push_back(VerifySpec(after, m, n));
  }
  std::vector<std::string> drop_keys;
  for (const auto& [table, key] : replaced_keys)
    drop_keys.push_back("ALTER TABLE " + pg::QualifiedName(schema, table) + " DROP COLUMN IF EXISTS " + pg::QuoteIdent(key));
  if (!drop_keys.empty()) out->complete.AddSql("move.keys", "drop the replaced keys the moves read", drop_keys);
}

}  // namespace pleat::planner

#include "planner/sync_planner.h"

#include <algorithm>
#include <map>
#include <set>

#include "parse/expression.h"
#include "pg/quote.h"

namespace pleat::planner {
namespace {

using schema::Column;
using schema::Table;

// A column computed by the trigger: its physical name and the expression with
// every column reference already pointing at NEW."physical".
struct Assignment {
  std::string column;
  std::string expression;
};

struct TableSync {
  const Table* after = nullptr;
  const Table* before = nullptr;
  std::set<std::string> moved;  // columns a move's triggers read: the move drops them with those (planner/move_sync.h)
  std::vector<Assignment> ups, downs;
  std::set<std::string> update_of;  // physical columns whose change re-runs the trigger
  bool pin_search_path = false;      // an expression's meaning depends on the search_path
};

std::string Marker(const std::string& state_schema, const std::string& fn, const std::string& vs, const Column& c) {
  return pg::QualifiedName(state_schema, fn) + "(" + pg::QuoteLiteral(vs) + ", (" + c.default_sql.value_or("NULL") +
         ")::" + schema::StorageType(c.type) + ")";
}

// Rewrites `text` so each column it names (in `names`' version) reads
// <row>"physical" (row: "NEW." in a trigger, "" over the table itself).
// References inside sub-SELECTs count too: there an unqualified name of the
// table's column means the row being written, as a PL/pgSQL variable would.
// A name the table lacks is left alone, as pgroll leaves it: the trigger then
// fails only for the writes that evaluate it.
Status Bind(const std::string& text, const Table& names, const std::string& row, std::set<std::string>* used,
            std::string* out) {
  parse::Expression e;
  Status s = parse::Expression::Parse(text, &e);
  if (!s.ok()) return s;
  std::map<std::string, std::string> to_new;
  for (const auto& ref : e.column_refs()) {
    const Column* c = names.FindColumn(ref.name);
    if (!c) continue;
    to_new[ref.name] = row + pg::QuoteIdent(c->physical);
    used->insert(c->physical);
  }
  *out = e.RenameColumns(to_new, /*include_subqueries=*/true);
  return Status::Ok();
}

// Binds one `up` or `down` for the trigger and notes whether it needs the pinned search_path.
Status AddAssignment(const std::string& column, const std::string& text, const Table& names,
                     const SearchPathCheck& path, TableSync* t, std::vector<Assignment>* into) {
  Assignment a{column, ""};
  Status s = Bind(text, names, "NEW.", &t->update_of, &a.expression);
  parse::Expression e;
  if (s.ok()) s = parse::Expression::Parse(a.expression, &e);
  if (!s.ok()) return s;
  t->pin_search_path = t->pin_search_path || !path.Independent(e);
  into->push_back(a);
  return Status::Ok();
}

Status Collect(const Table& after, const Table& before, const SearchPathCheck& path, TableSync* out) {
  out->after = &after;
  out->before = &before;
  for (const auto& c : after.columns) {
    if (!c.added || !c.up) continue;
    Status s = AddAssignment(c.physical, *c.up, before, path, out, &out->ups);
    if (!s.ok()) return s.WithContext("up of column \"" + c.name + "\"");
  }
  for (const auto& h : after.hidden) {
    if (!h.down) continue;
    Status s = AddAssignment(h.physical, *h.down, after, path, out, &out->downs);
    if (!s.ok()) return s.WithContext("down of column \"" + h.physical + "\"");
  }
  return Status::Ok();
}

std::string Assignments(const std::vector<Assignment>& list) {
  std::string out;
  for (const auto& a : list) out += "    NEW." + pg::QuoteIdent(a.column) + " := (" + a.expression + ");\n";
  return out;
}

// "the marker `name` holds this statement's" (false when unset), naming only pg_catalog objects.
std::string MarkerIs(const char* name) {
  return std::string("COALESCE(pg_catalog.current_setting('") + name +
         "', true) OPERATOR(pg_catalog.=) _pleat_stmt, false)";
}

// The writer key of this statement: what mark() and the writer defaults store (state_store.cc).
std::string WriterKey(const std::string& vs) {
  return "pg_catalog.concat(" + pg::QuoteLiteral(vs + "@") + ", pg_catalog.statement_timestamp())";
}

// "This UPDATE went through the new version's views". An empty or unset
// marker (an old writer's statement: statement_start cleared it, or nothing
// ever set it) matches no key, so the key, a timestamp formatted per row, is
// built only when a marker is set.
std::string NewWriterUpdate(const std::string& vs) {
  return "CASE WHEN pg_catalog.current_setting('pleat.writer', true) OPERATOR(pg_catalog.<>) '' THEN "
         "pg_catalog.current_setting('pleat.writer', true) OPERATOR(pg_catalog.=) " + WriterKey(vs) +
         " ELSE false END";
}

// The UPDATE trigger's function: the writer test, then only that writer's
// assignments (no TG_OP test: INSERT has its own function). Not a WHEN on the
// trigger: PostgreSQL rebuilds a WHEN for every statement, which cost a
// one-row UPDATE more than the PL/pgSQL call it saves (bench/README.md, "Issue
// 18"). Its search_path is pinned (a per-call cost, see search_path_check.h)
// only when `up` or `down` need it.
std::string UpdateFunctionSql(const TableSync& t, const std::string& schema, const std::string& vs,
                              const std::string& fn) {
  std::string body = "BEGIN\n  IF (" + NewWriterUpdate(vs) + ") THEN\n" + Assignments(t.downs) + "    NULL;\n  ELSE\n" +
                     Assignments(t.ups) + "    NULL;\n  END IF;\n  RETURN NEW;\nEND";
  return pg::PlpgsqlFunctionSql(fn, "", "trigger", t.pin_search_path ? "pg_catalog, " + pg::QuoteIdent(schema) : "",
                                body);
}

// The INSERT trigger's body decides the writer once per row from the
// statement-tied markers (see state_store.cc), then computes only the other
// side's columns. Its own code names every object with its schema.
std::string InsertFunctionSql(const TableSync& t, const std::string& schema, const std::string& vs,
                              const std::string& fn) {
  bool has_added = std::any_of(t.after->columns.begin(), t.after->columns.end(), [](const Column& c) { return c.added; });
  std::string body =
      // Variables are _pleat_*: an `up` may read a column named like one in a sub-select,
      // and PL/pgSQL refuses a name that could be either (variable_conflict = error).
      "DECLARE\n  _pleat_stmt text := " + WriterKey(vs) + ";\n  _pleat_is_new boolean := NOT " +
      MarkerIs("pleat.old_insert") +
      " AND (" + std::string(has_added ? "true" : "false") + " OR " + MarkerIs("pleat.new_insert") + ");\n"
      "  _pleat_recorded text;\n"
      // An upsert's UPDATE half evaluates no view qual: the INSERT half tells it. An
      // assignment, not a PERFORM: a PERFORM runs the executor (state_store.cc).
      "BEGIN\n  IF _pleat_is_new THEN\n"
      "    _pleat_recorded := pg_catalog.set_config('pleat.writer', _pleat_stmt, true);\n" +
      Assignments(t.downs) +
      "  ELSE\n" + Assignments(t.ups) + "    NULL;\n  END IF;\n  RETURN NEW;\nEND";
  return pg::PlpgsqlFunctionSql(fn, "", "trigger", t.pin_search_path ? "pg_catalog, " + pg::QuoteIdent(schema) : "",
                                body);
}

// Row triggers of one event fire in the byte order of their names, and the
// sync triggers must see the row as the user's BEFORE triggers leave it (a
// trigger that normalises a value would otherwise change the old column after
// `up` copied it, and the versions would disagree). '~' sorts after every ASCII
// letter, digit and '_', so only a user trigger whose name starts with '~' or a
// non-ASCII character runs later; planner::RefuseUserObjects refuses those.
std::string SyncTriggerName(const char* kind, const std::string& table) {
  return pg::FitIdentifier("~" + pg::PleatName(kind, table));
}

// The statement trigger that clears the writer markers (see state_store.cc).
std::string StatementTrigger(const TableSync& t) { return pg::PleatName("syncstmt", t.after->physical); }

// One row trigger of a table's sync and its function.
struct RowTrigger {
  std::string name;
  std::string fn;            // qualified
  std::string function_sql;  // CREATE OR REPLACE FUNCTION fn
  std::string event;         // "INSERT" or "UPDATE OF ..."
};

// The row triggers, one per event, so neither function tests TG_OP: on
// INSERT, the writer is decided from the insert markers (and recorded for an
// upsert's UPDATE half); on UPDATE, from the view's marker. A table whose
// expressions read no column gets no UPDATE trigger: an UPDATE cannot change
// what they compute.
std::vector<RowTrigger> RowTriggers(const TableSync& t, const std::string& schema, const std::string& vs) {
  std::string physical = t.after->physical;
  std::string fn = pg::QualifiedName(schema, pg::PleatName("sync", physical));
  std::vector<RowTrigger> out = {{SyncTriggerName("sync", physical), fn, InsertFunctionSql(t, schema, vs, fn), "INSERT"}};
  std::string of;
  for (const auto& c : t.update_of) of += (of.empty() ? " OF " : ", ") + pg::QuoteIdent(c);
  if (of.empty()) return out;
  std::string update_fn = pg::QualifiedName(schema, pg::PleatName("syncupd", physical));
  out.push_back({SyncTriggerName("syncupd", physical), update_fn, UpdateFunctionSql(t, schema, vs, update_fn),
                 "UPDATE" + of});
  return out;
}

// At complete (`completing`), the hidden columns go in the same transaction as
// the trigger that filled them: between the two, a new-version INSERT would
// get neither `down` nor a usable default. At rollback their defaults come back.
std::vector<std::string> DropSql(const TableSync& t, const std::string& table, const std::vector<RowTrigger>& rows,
                                 bool completing) {
  std::vector<std::string> sql;
  for (const auto& r : rows) sql.push_back("DROP TRIGGER IF EXISTS " + pg::QuoteIdent(r.name) + " ON " + table);
  sql.push_back("DROP TRIGGER IF EXISTS " + pg::QuoteIdent(StatementTrigger(t)) + " ON " + table);
  for (const auto& r : rows) sql.push_back("DROP FUNCTION IF EXISTS " + r.fn + "()");
  std::string alter;
  auto restore = [&](const Column& c) {
    if (c.identity || c.generated) return;
    alter += std::string(alter.empty() ? "" : ",") + " ALTER COLUMN " + pg::QuoteIdent(c.physical) +
             (c.default_sql ? " SET DEFAULT " + *c.default_sql : " DROP DEFAULT");
  };
  for (const auto& c : t.after->columns)
    if (c.added) restore(c);
  for (const auto& h : t.after->hidden) {
    if (completing && t.moved.count(h.physical)) continue;  // the move's triggers still read it
    if (completing)
      alter += std::string(alter.empty() ? "" : ",") + " DROP COLUMN IF EXISTS " + pg::QuoteIdent(h.physical);
    else if (const Column* c = t.before->FindByPhysical(h.physical))
      restore(*c);
  }
  if (!alter.empty()) sql.push_back("ALTER TABLE " + table + alter);
  return sql;
}

// The row triggers with their functions, and the statement trigger that
// clears the writer markers before the statement's view qual and defaults set
// them (see state_store.cc).
std::vector<std::string> TriggerSql(const TableSync& t, const std::string& table, const std::vector<RowTrigger>& rows,
                                    const std::string& state_schema) {
  std::vector<std::string> sql;
  std::string of;
  for (const auto& c : t.update_of) of += (of.empty() ? " OF " : ", ") + pg::QuoteIdent(c);
  for (const auto& r : rows) {
    sql.push_back(r.function_sql);
    sql.push_back("DROP TRIGGER IF EXISTS " + pg::QuoteIdent(r.name) + " ON " + table);
    sql.push_back("CREATE TRIGGER " + pg::QuoteIdent(r.name) + " BEFORE " + r.event + " ON " + table +
                  " FOR EACH ROW EXECUTE FUNCTION " + r.fn + "()");
  }
  std::string stmt_trigger = pg::QuoteIdent(StatementTrigger(t));
  sql.push_back("DROP TRIGGER IF EXISTS " + stmt_trigger + " ON " + table);
  sql.push_back("CREATE TRIGGER " + stmt_trigger + " BEFORE INSERT" + (of.empty() ? "" : " OR UPDATE" + of) + " ON " +
                table + " FOR EACH STATEMENT EXECUTE FUNCTION " + pg::QualifiedName(state_schema, "statement_start") +
                "()");
  return sql;
}

void PlanTable(const TableSync& t, const std::string& schema, const std::string& state_schema, ViewSpec* views,
               SyncPlans* out) {
  const std::string& vs = views->version_schema;
  std::string table = pg::QualifiedName(schema, t.after->physical);
  std::vector<RowTrigger> rows = RowTriggers(t, schema, vs);
  std::string alter;
  auto mark = [&](const Column& c, const char* base_fn) {
    if (c.identity || c.generated) return;
    alter += std::string(alter.empty() ? "" : ",") + " ALTER COLUMN " + pg::QuoteIdent(c.physical) +
             " SET DEFAULT " + Marker(state_schema, base_fn, vs, c);
  };
  for (const auto& c : t.after->columns) {
    if (!c.added) continue;
    mark(c, "old_writer_default");
    if (!c.identity && !c.generated)
      views->tables[t.after->physical].defaults[c.physical] = Marker(state_schema, "new_writer_default", vs, c);
  }
  for (const auto& h : t.after->hidden)
    if (const Column* c = t.before->FindByPhysical(h.physical)) mark(*c, "new_writer_default");
  std::vector<std::string> sql;
  if (!alter.empty()) sql.push_back("ALTER TABLE " + table + alter);
  for (auto& statement : TriggerSql(t, table, rows, state_schema)) sql.push_back(std::move(statement));
  std::string id = "sync." + t.after->physical;
  std::string what = "dual-write triggers on \"" + t.after->physical + "\"";
  out->start.AddSql(id, "install " + what, sql);
  out->complete.AddSql(id, "remove " + what + " and the columns only the old version had",
                       DropSql(t, table, rows, /*completing=*/true));
  out->rollback.AddUndo(id, "remove " + what, DropSql(t, table, rows, /*completing=*/false), id);
}

nlohmann::json BackfillSpec(const TableSync& t) {
  nlohmann::json set = nlohmann::json::array();
  for (const auto& c : t.after->columns) {
    if (!c.added || !c.up) continue;
    parse::Expression e;
    if (!parse::Expression::Parse(*c.up, &e).ok()) continue;  // parsed once already in Collect
    std::map<std::string, std::string> physical;
    for (const auto& ref : e.ReferencedColumns())
      if (const Column* bc = t.before->FindColumn(ref)) physical[ref] = pg::QuoteIdent(bc->physical);
    set.push_back({{"column", c.physical}, {"expression", e.RenameColumns(physical)}, {"name", c.name}});
  }
  return {{"table", t.after->physical}, {"set", set}};
}

// What `pleat verify` compares on a table both versions write: every row must
// satisfy all ups (an old writer's row) or all downs (a new writer's row).
// Expressions read the table's physical columns; they parsed already in Collect.
nlohmann::json VerifySpec(const TableSync& t) {
  nlohmann::json ups = nlohmann::json::array(), downs = nlohmann::json::array();
  std::set<std::string> unused;
  std::string e;
  for (const auto& c : t.after->columns)
    if (c.added && c.up && Bind(*c.up, *t.before, "", &unused, &e).ok())
      ups.push_back({{"column", c.physical}, {"expression", e}});
  for (const auto& h : t.after->hidden)
    if (h.down && Bind(*h.down, *t.after, "", &unused, &e).ok())
      downs.push_back({{"column", h.physical}, {"expression", e}});
  return {{"table", t.after->physical}, {"ups", ups}, {"downs", downs}};
}

// A column whose default the migration changes in place (no shadow): the new
// version's view declares the new default (NULL when dropped) until complete.
// Wrapped in the writer marker, which also keeps a NULL default from being
// taken for no default (and the base default used).
void ViewDefaults(const Table& after, const Table& before, const std::string& state_schema, ViewSpec* views) {
  for (const auto& c : after.columns) {
    const Column* old = before.FindByPhysical(c.physical);
    if (c.added || !old || c.default_sql == old->default_sql || c.identity || c.generated) continue;
    views->tables[after.physical].defaults[c.physical] =
        Marker(state_schema, "new_writer_default", views->version_schema, c);
  }
}

}  // namespace

Status PlanSync(const schema::VirtualSchema& before, const schema::VirtualSchema& after,
                const std::string& state_schema, const SearchPathCheck& path, ViewSpec* new_views, SyncPlans* out) {
  for (const auto& table : after.tables()) {
    if (table.created) continue;
    const Table* old_table = before.FindByPhysical(table.physical);
    if (!old_table) continue;
    ViewDefaults(table, *old_table, state_schema, new_views);
    TableSync t;
    for (const auto& m : after.moves()) {
      if (m.target == table.physical) t.moved.insert(m.target_key);
      if (m.source != table.physical) continue;
      t.moved.insert(m.source_key);
      for (const auto& c : m.columns) t.moved.insert(c.from.physical);
    }
    Status s = Collect(table, *old_table, path, &t);
    if (!s.ok()) return s.WithContext("table \"" + table.name + "\"");
    if (t.ups.empty() && t.downs.empty()) continue;
    PlanTable(t, after.schema_name(), state_schema, new_views, out);
    if (!t.ups.empty()) out->backfill.push_back(BackfillSpec(t));
    if (!t.ups.empty() && !t.downs.empty()) out->verify.push_back(VerifySpec(t));
  }
  return Status::Ok();
}

}  // namespace pleat::planner

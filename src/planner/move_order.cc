#include "planner/move_order.h"

#include "pg/quote.h"

namespace pleat::planner {
namespace {

using schema::Move;
using schema::MovedColumn;

// Set to the target's name by the statements that write it, cleared after them.
constexpr const char* kWriting = "pleat.move_write";

// The names of the target's triggers: "moveorder" (row, and its function), "movebegin", "moveend".
std::string Name(const Move& m, const char* kind) { return pg::PleatName(kind, m.target, m.source); }

// PL/pgSQL that locks the source rows of target key `key`, as the UPDATE that
// the target's AFTER trigger runs next would lock them.
std::string LockSql(const Move& m, const std::string& schema, const std::string& key) {
  return "  PERFORM 1 FROM " + pg::QualifiedName(schema, m.source) + " s WHERE s." + pg::QuoteIdent(m.source_key) +
         " OPERATOR(pg_catalog.=) " + key + " FOR NO KEY UPDATE;\n";
}

// "setting `name` equals `value`" in PL/pgSQL (false when unset).
std::string SettingIs(const std::string& name, const std::string& value) {
  return "COALESCE(pg_catalog.current_setting(" + pg::QuoteLiteral(name) + ", true) OPERATOR(pg_catalog.=) " + value +
         ", false)";
}

// One function for the target's three triggers. Statement level: flag the
// statement that writes the target for the view's qual. Row level (BEFORE
// INSERT): lock the source rows, unless pleat's own triggers or backfill
// write (they hold the source rows already) or the old version inserts (its
// rows reach no source: default markers of sync_planner.cc tell it).
std::string OrderBody(const Move& m, const std::string& schema, const std::string& vs) {
  // An assignment, not a PERFORM: a PERFORM is a query of its own (state_store.cc).
  return "DECLARE\n  _pleat_flagged text;\nBEGIN\n  IF TG_LEVEL OPERATOR(pg_catalog.=) 'STATEMENT' THEN\n"
         "    _pleat_flagged := pg_catalog.set_config(" +
         pg::QuoteLiteral(kWriting) + ", CASE WHEN TG_WHEN OPERATOR(pg_catalog.=) 'BEFORE' THEN " +
         pg::QuoteLiteral(m.target) + " ELSE '' END, true);\n    RETURN NULL;\n  END IF;\n"
         "  IF " + SettingIs("pleat.moving", "'on'") + " OR " +
         SettingIs("pleat.old_insert", "pg_catalog.concat(" + pg::QuoteLiteral(vs + "@") +
                                           ", pg_catalog.statement_timestamp())") +
         " THEN\n    RETURN NEW;\n  END IF;\n" + LockSql(m, schema, "NEW." + pg::QuoteIdent(m.target_key)) +
         "  RETURN NEW;\nEND";
}

}  // namespace

std::vector<std::string> LockOrderDropSql(const Move& m, const std::string& schema) {
  std::string target = pg::QualifiedName(schema, m.target);
  std::vector<std::string> sql;
  for (const char* kind : {"moveorder", "movebegin", "moveend"})
    sql.push_back("DROP TRIGGER IF EXISTS " + pg::QuoteIdent(Name(m, kind)) + " ON " + target);
  sql.push_back("DROP FUNCTION IF EXISTS " + pg::QualifiedName(schema, Name(m, "moveorder")) + "()");
  return sql;
}

// The statement triggers fire for the writes the target's AFTER row trigger
// carries to the source: UPDATE OF its key and moved columns, and DELETE when
// the move creates target rows (planner/move_sync.cc).
std::vector<std::string> LockOrderStartSql(const Move& m, const std::string& schema, const std::string& vs) {
  std::string fn = pg::QualifiedName(schema, Name(m, "moveorder")), target = pg::QualifiedName(schema, m.target);
  std::string of = pg::QuoteIdent(m.target_key);
  for (const MovedColumn& c : m.columns) of += ", " + pg::QuoteIdent(c.to);
  std::string events = " UPDATE OF " + of + (m.create_rows ? " OR DELETE" : "") + " ON " + target;
  std::string run = " FOR EACH STATEMENT EXECUTE FUNCTION " + fn + "()";
  // The owner's rights: an INSERT into the target may come from a role with no
  // right to lock the source rows (see move_sync.cc).
  std::vector<std::string> sql =
      pg::OwnerRightsTriggerFunctionSql(fn, "pg_catalog, pg_temp", OrderBody(m, schema, vs));
  sql.push_back("CREATE TRIGGER " + pg::QuoteIdent(Name(m, "moveorder")) + " BEFORE INSERT ON " + target +
                " FOR EACH ROW EXECUTE FUNCTION " + fn + "()");
  sql.push_back("CREATE TRIGGER " + pg::QuoteIdent(Name(m, "movebegin")) + " BEFORE" + events + run);
  sql.push_back("CREATE TRIGGER " + pg::QuoteIdent(Name(m, "moveend")) + " AFTER" + events + run);
  return sql;
}

// The flag is read by an uncorrelated sub-SELECT, which PostgreSQL runs once
// per statement (an InitPlan, evaluated at the first row, after the statement
// triggers): a reading scan pays a parameter test per row, and only a
// statement that writes the target calls the function, once per row it scans.
void AddLockOrderQual(const Move& m, const std::string& key_column, ViewSpec* views) {
  std::string fn = pg::QualifiedName(views->version_schema, Name(m, "movelock"));
  views->functions.push_back(pg::PlpgsqlFunctionSql(
      fn, "anyelement", "boolean", "", "BEGIN\n" + LockSql(m, views->target_schema, "$1") + "  RETURN true;\nEND"));
  views->tables[m.target].quals.push_back("NOT (SELECT " + SettingIs(kWriting, pg::QuoteLiteral(m.target)) + ") OR " +
                                          fn + "(" + pg::QuoteIdent(key_column) + ")");
}

}  // namespace pleat::planner

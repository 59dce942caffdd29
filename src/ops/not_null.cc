#include "ops/not_null.h"

#include "pg/quote.h"

namespace pleat::ops {
namespace {

std::string Function(const NotNullGuard& g) {
  return pg::QualifiedName(g.schema, pg::PleatName("nn", g.physical_table, g.physical_column));
}

// '~' + '~' sorts after "~_pleat_sync_...": row triggers of an event fire in name order.
std::string Trigger(const NotNullGuard& g) {
  return pg::QuoteIdent(pg::FitIdentifier("~~" + pg::PleatName("nn", g.physical_table, g.physical_column)));
}

}  // namespace

std::vector<std::string> NotNullGuardSql(const NotNullGuard& g) {
  std::string message = "null value in column \"" + g.column + "\" of relation \"" + g.table +
                        "\" violates not-null constraint";  // PostgreSQL's own wording
  std::string body = "BEGIN\n  RAISE EXCEPTION USING ERRCODE = 'not_null_violation', MESSAGE = " +
                     pg::QuoteLiteral(message) + ", COLUMN = " + pg::QuoteLiteral(g.column) +
                     ", TABLE = " + pg::QuoteLiteral(g.table) + ", SCHEMA = " + pg::QuoteLiteral(g.schema) +
                     ";\nEND";
  std::string table = pg::QualifiedName(g.schema, g.physical_table);
  return {pg::PlpgsqlFunctionSql(Function(g), "", "trigger", "", body),
          "DROP TRIGGER IF EXISTS " + Trigger(g) + " ON " + table,
          "CREATE TRIGGER " + Trigger(g) + " BEFORE INSERT OR UPDATE ON " + table + " FOR EACH ROW WHEN (NEW." +
              pg::QuoteIdent(g.physical_column) + " IS NULL) EXECUTE FUNCTION " + Function(g) + "()"};
}

std::vector<std::string> DropNotNullGuardSql(const NotNullGuard& g) {
  return {"DROP TRIGGER IF EXISTS " + Trigger(g) + " ON " + pg::QualifiedName(g.schema, g.physical_table),
          "DROP FUNCTION IF EXISTS " + Function(g) + "()"};
}

std::string NotNullName(const std::string& table, const std::string& column) {
  return pg::FitIdentifier(table + "_" + column + "_not_null");
}

std::string ShadowNotNullName(const schema::Table& old, const schema::Shadow& sh) {
  for (const auto& k : old.constraints)
    if (k.type == 'n' && k.columns.size() == 1 && k.columns[0] == sh.original) return k.name;
  return sh.not_null_name.value_or(NotNullName(old.physical, sh.original));
}

std::string RenameNotNullSql(const std::string& table, const std::string& column, const std::string& name) {
  std::string rel = pg::QuoteLiteral(table) + "::pg_catalog.regclass", want = pg::QuoteLiteral(name);
  std::string body =
      "DECLARE c name;\nBEGIN\n"
      "  SELECT k.conname INTO c FROM pg_catalog.pg_constraint k JOIN pg_catalog.pg_attribute a ON a.attrelid "
      "OPERATOR(pg_catalog.=) k.conrelid AND a.attnum OPERATOR(pg_catalog.=) k.conkey[1]\n"
      "   WHERE k.conrelid OPERATOR(pg_catalog.=) " + rel + " AND k.contype OPERATOR(pg_catalog.=) 'n' AND a.attname "
      "OPERATOR(pg_catalog.=) " + pg::QuoteLiteral(column) + ";\n"
      "  IF c IS NOT NULL AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint WHERE conrelid OPERATOR(pg_catalog.=) " +
      rel + " AND conname OPERATOR(pg_catalog.=) " + want + ") THEN\n"
      "    EXECUTE pg_catalog.format('ALTER TABLE %s RENAME CONSTRAINT %I TO %I', " + pg::QuoteLiteral(table) + ", c, " +
      want + ");\n  END IF;\nEND";
  return pg::DoBlockSql(body);
}

}  // namespace pleat::ops

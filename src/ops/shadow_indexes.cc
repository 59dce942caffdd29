#include "ops/shadow_indexes.h"

#include "migration/expression.h"
#include "pg/quote.h"

namespace pleat::ops {
namespace {

std::string Mapped(const std::string& column, const std::map<std::string, std::string>& shadows) {
  auto it = shadows.find(column);
  return pg::QuoteIdent(it == shadows.end() ? column : it->second);
}

std::string KeySql(const schema::IndexKey& k, const std::string& method,
                   const std::map<std::string, std::string>& shadows) {
  std::string sql = Mapped(k.column, shadows);
  if (!k.collation.empty()) sql += " COLLATE " + k.collation;
  sql += " " + k.opclass;
  if (k.desc) sql += " DESC";
  // btree's defaults: NULLS LAST ascending, NULLS FIRST descending; other methods have no order.
  if (method == "btree" && k.nulls_first != k.desc) sql += k.nulls_first ? " NULLS FIRST" : " NULLS LAST";
  return sql;
}

// True when the index uses a replaced column as a key, an INCLUDE column or in its predicate.
bool UsesShadowed(const schema::Index& index, const std::map<std::string, std::string>& shadows,
                  migration::Expression* predicate) {
  bool uses = false;
  for (const auto& c : index.columns) uses = uses || shadows.count(c);
  for (const auto& c : index.include) uses = uses || shadows.count(c);
  if (!index.predicate.empty() && migration::Expression::Parse(index.predicate, predicate).ok())
    for (const auto& ref : predicate->column_refs()) uses = uses || shadows.count(ref.name);
  return uses;
}

std::string CreateSql(const schema::Index& index, const std::string& schema, const std::string& temp,
                      const std::map<std::string, std::string>& shadows, const migration::Expression& predicate) {
  std::string keys, include;
  for (const auto& k : index.keys) keys += (keys.empty() ? "" : ", ") + KeySql(k, index.method, shadows);
  for (const auto& c : index.include) include += (include.empty() ? "" : ", ") + Mapped(c, shadows);
  std::string sql = std::string("CREATE ") + (index.unique ? "UNIQUE " : "") + "INDEX CONCURRENTLY IF NOT EXISTS " +
                    pg::QuoteIdent(temp) + " ON " + pg::QualifiedName(schema, index.table) + " USING " + index.method +
                    " (" + keys + ")";
  if (!include.empty()) sql += " INCLUDE (" + include + ")";
  if (!index.storage.empty()) sql += " WITH (" + index.storage + ")";
  if (!index.predicate.empty()) {
    std::map<std::string, std::string> to_shadow;
    for (const auto& [original, shadow] : shadows) to_shadow[original] = pg::QuoteIdent(shadow);
    sql += " WHERE (" + predicate.RenameColumns(to_shadow, /*include_subqueries=*/true) + ")";
  }
  return sql;
}

}  // namespace

Status PlanShadowIndexes(const schema::VirtualSchema& before, const std::string& table,
                         const std::map<std::string, std::string>& shadows, engine::Plan* start,
                         engine::Plan* complete) {
  const std::string& schema = before.schema_name();
  for (const auto& index : before.indexes()) {
    migration::Expression predicate;
    if (index.table != table || index.backs_constraint || !UsesShadowed(index, shadows, &predicate)) continue;
    if (index.has_expressions)
      return Status::Invalid("index \"" + index.name + "\" on \"" + table +
                                 "\" uses an expression over a column this migration replaces, and pleat cannot "
                                 "rebuild such an index yet",
                             "drop the index in an earlier migration (drop_index) and create it again after complete");
    std::string temp = pg::PleatName("ix", table, index.name);
    engine::Step step;
    step.id = start->IdFor("shadow_index." + table + "." + index.name);
    step.description = "rebuild index \"" + index.name + "\" on the shadow columns of \"" + table + "\"";
    step.sql = {CreateSql(index, schema, temp, shadows, predicate)};
    step.transactional = false;
    step.payload = {{"invalid_index", pg::QualifiedName(schema, temp)}};
    start->Add(step);
    // The original index went with the original columns; the rebuilt one takes its name,
    // and its own column names follow the shadows' final names.
    std::vector<std::string> sql = {"ALTER INDEX " + pg::QualifiedName(schema, temp) + " RENAME TO " +
                                    pg::QuoteIdent(index.name)};
    for (const auto& [original, shadow] : shadows)
      sql.push_back("DO $pleat$ BEGIN IF EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = " +
                    pg::QuoteLiteral(pg::QualifiedName(schema, index.name)) + "::regclass AND attname = " +
                    pg::QuoteLiteral(shadow) + ") THEN ALTER TABLE " + pg::QualifiedName(schema, index.name) +
                    " RENAME COLUMN " + pg::QuoteIdent(shadow) + " TO " + pg::QuoteIdent(original) +
                    "; END IF; END $pleat$");
    complete->AddSql("shadow_index." + table + "." + index.name, "give the rebuilt index \"" + index.name +
                     "\" its name", sql);
  }
  return Status::Ok();
}

}  // namespace pleat::ops

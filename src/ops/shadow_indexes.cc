#include "ops/shadow_indexes.h"

#include <algorithm>

#include "ops/partitioned_index.h"
#include "parse/expression.h"
#include "pg/quote.h"

namespace pleat::ops {
namespace {

std::string Mapped(const std::string& column, const std::map<std::string, std::string>& shadows) {
  auto it = shadows.find(column);
  return pg::QuoteIdent(it == shadows.end() ? column : it->second);
}

// Each column reference of a parsed expression that `shadows` names, mapped to its quoted shadow.
std::map<std::string, std::string> ToShadow(const parse::Expression& e,
                                            const std::map<std::string, std::string>& shadows) {
  std::map<std::string, std::string> out;
  for (const auto& ref : e.column_refs())
    if (shadows.count(ref.name)) out[ref.name] = pg::QuoteIdent(shadows.at(ref.name));
  return out;
}

// A key: a column, or an expression with its column references moved to the
// shadows by their parse-tree locations (UsesShadowed found that it parses).
std::string KeySql(const schema::IndexKey& k, const std::string& method,
                   const std::map<std::string, std::string>& shadows) {
  parse::Expression e;
  std::string sql = k.expression.empty() || !parse::Expression::Parse(k.expression, &e).ok()
                        ? Mapped(k.column, shadows)
                        : "(" + e.RenameColumns(ToShadow(e, shadows), /*include_subqueries=*/true) + ")";
  if (!k.collation.empty()) sql += " COLLATE " + k.collation;
  if (!k.opclass.empty()) sql += " " + k.opclass;
  if (k.desc) sql += " DESC";
  // btree's defaults: NULLS LAST ascending, NULLS FIRST descending; other methods have no order.
  if (method == "btree" && k.nulls_first != k.desc) sql += k.nulls_first ? " NULLS FIRST" : " NULLS LAST";
  return sql;
}

bool NamesShadowed(const parse::Expression& e, const std::map<std::string, std::string>& shadows) {
  return !ToShadow(e, shadows).empty();
}

// Sets `uses` when the index uses a replaced column as a key, in a key
// expression, as an INCLUDE column or in its predicate. Fails on an expression
// that does not parse, which pleat could not rebuild.
Status UsesShadowed(const schema::Index& index, const std::map<std::string, std::string>& shadows,
                    parse::Expression* predicate, bool* uses) {
  *uses = false;
  for (const auto& c : index.columns) *uses = *uses || shadows.count(c);
  for (const auto& c : index.include) *uses = *uses || shadows.count(c);
  std::vector<std::string> expressions = {index.predicate};
  for (const auto& k : index.keys) expressions.push_back(k.expression);
  for (size_t i = 0; i < expressions.size(); ++i) {
    parse::Expression parsed;
    if (expressions[i].empty()) continue;
    Status s = parse::Expression::Parse(expressions[i], i == 0 ? predicate : &parsed);
    if (!s.ok()) return s.WithContext("index \"" + index.name + "\"");
    *uses = *uses || NamesShadowed(i == 0 ? *predicate : parsed, shadows);
  }
  return Status::Ok();
}

// The index rebuilt on the shadows as `temp`, on `on` (a table, or "ONLY" one).
std::string CreateSql(const schema::Index& index, const std::string& on, const std::string& temp, bool concurrently,
                      const std::map<std::string, std::string>& shadows, const parse::Expression& predicate) {
  std::string keys, include;
  for (const auto& k : index.keys) keys += (keys.empty() ? "" : ", ") + KeySql(k, index.method, shadows);
  for (const auto& c : index.include) include += (include.empty() ? "" : ", ") + Mapped(c, shadows);
  std::string sql = std::string("CREATE ") + (index.unique ? "UNIQUE " : "") + "INDEX " +
                    (concurrently ? "CONCURRENTLY " : "") + "IF NOT EXISTS " + pg::QuoteIdent(temp) + " ON " + on +
                    " USING " + index.method + " (" + keys + ")";
  if (!include.empty()) sql += " INCLUDE (" + include + ")";
  if (!index.storage.empty()) sql += " WITH (" + index.storage + ")";
  if (!index.predicate.empty())
    sql += " WHERE (" + predicate.RenameColumns(ToShadow(predicate, shadows), /*include_subqueries=*/true) + ")";
  return sql;
}

// The original index went with the original columns; the rebuilt one takes its
// name, and its own column names (an expression key's are not) follow the shadows' final names.
std::vector<std::string> RenameBackSql(const std::string& schema, const std::string& name, const std::string& temp,
                                       const std::map<std::string, std::string>& shadows) {
  std::vector<std::string> sql = {"ALTER INDEX " + pg::QualifiedName(schema, temp) + " RENAME TO " + pg::QuoteIdent(name)};
  for (const auto& [original, shadow] : shadows)
    sql.push_back("DO $pleat$ BEGIN IF EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = " +
                  pg::QuoteLiteral(pg::QualifiedName(schema, name)) + "::regclass AND attname = " +
                  pg::QuoteLiteral(shadow) + ") THEN ALTER TABLE " + pg::QualifiedName(schema, name) +
                  " RENAME COLUMN " + pg::QuoteIdent(shadow) + " TO " + pg::QuoteIdent(original) +
                  "; END IF; END $pleat$");
  return sql;
}

// An index the file builds on a shadow (after the operation that made it) keeps
// the shadow's column names: they follow the column to its final name.
void PlanShadowNamedIndexColumns(const schema::VirtualSchema& after, const std::string& table,
                                 const std::map<std::string, std::string>& shadows, plan::Plan* complete) {
  for (const auto& index : after.indexes()) {
    if (!index.created || index.table != table) continue;
    std::vector<std::string> sql;
    for (const auto& [original, shadow] : shadows)
      if (std::find(index.columns.begin(), index.columns.end(), shadow) != index.columns.end())
        sql.push_back("ALTER TABLE " + pg::QualifiedName(after.schema_name(), index.name) + " RENAME COLUMN " +
                      pg::QuoteIdent(shadow) + " TO " + pg::QuoteIdent(original));
    if (!sql.empty())
      complete->AddSql("index_columns." + table + "." + index.name,
                       "give the columns of index \"" + index.name + "\" their final names", sql);
  }
}

// The original index of each partition in the tree of partitioned index `root`, by partition name.
std::map<std::string, std::string> PartitionIndexes(const schema::VirtualSchema& before, const std::string& root) {
  std::map<std::string, std::string> out;
  std::vector<std::string> level = {root};
  while (!level.empty()) {
    std::vector<std::string> next;
    for (const auto& index : before.indexes())
      if (std::find(level.begin(), level.end(), index.parent) != level.end()) {
        out[index.table] = index.name;
        next.push_back(index.name);
      }
    level = next;
  }
  return out;
}

// A partitioned table's index: each partition's part is built CONCURRENTLY on
// the shadows, then attached to the new index ON ONLY the table
// (ops/partitioned_index.h); at complete, each takes its original's name.
void PlanPartitioned(const schema::VirtualSchema& before, const schema::Table& table, const schema::Index& index,
                     const std::map<std::string, std::string>& shadows, const parse::Expression& predicate,
                     plan::Plan* start, plan::Plan* complete) {
  const std::string& schema = before.schema_name();
  auto temp = [&](const schema::Partition& p) { return pg::PleatName("ix", p.name, index.name); };
  PlanPartitionedIndex(
      schema, table, pg::PleatName("ix", table.physical, index.name), temp,
      [&](const std::string& name, const std::string& on, bool concurrently) {
        return CreateSql(index, on, name, concurrently, shadows, predicate);
      },
      "shadow_index." + table.physical + "." + index.name,
      "index \"" + index.name + "\" on the shadow columns", start);
  std::vector<std::string> sql = RenameBackSql(schema, index.name, pg::PleatName("ix", table.physical, index.name), shadows);
  std::map<std::string, std::string> originals = PartitionIndexes(before, index.name);
  for (const auto& p : table.partitions)
    if (originals.count(p.name) && p.schema == schema)
      for (auto& statement : RenameBackSql(schema, originals[p.name], temp(p), shadows)) sql.push_back(statement);
  complete->AddSql("shadow_index." + table.physical + "." + index.name,
                   "give the rebuilt index \"" + index.name + "\" and its partitions' indexes their names", sql);
}

}  // namespace

bool IndexUses(const schema::Index& index, const std::string& column) {
  parse::Expression predicate;
  bool uses = false;
  return !UsesShadowed(index, {{column, column}}, &predicate, &uses).ok() || uses;
}

Status PlanShadowIndexes(const schema::VirtualSchema& before, const schema::VirtualSchema& after, const std::string& table,
                         const std::map<std::string, std::string>& shadows, plan::Plan* start,
                         plan::Plan* complete) {
  const std::string& schema = before.schema_name();
  std::vector<schema::Index> indexes;  // a drop_index of the file leaves one out: complete drops it anyway
  for (const auto& index : before.indexes())
    if (after.HasIndex(index.name)) indexes.push_back(index);
  for (const auto& index : after.indexes())
    if (index.created) indexes.push_back(index);
  for (const auto& index : indexes) {
    parse::Expression predicate;
    bool uses = false;
    // A partition's part of a partitioned index is rebuilt with that index.
    if (index.table != table || index.backs_constraint || !index.parent.empty()) continue;
    Status s = UsesShadowed(index, shadows, &predicate, &uses);
    if (!s.ok()) return s;
    if (!uses) continue;
    if (const schema::Table* t = before.FindByPhysical(table); index.partitioned && t) {
      PlanPartitioned(before, *t, index, shadows, predicate, start, complete);
      continue;
    }
    std::string temp = pg::PleatName("ix", table, index.name);
    plan::Step step;
    step.id = start->IdFor("shadow_index." + table + "." + index.name);
    step.description = "rebuild index \"" + index.name + "\" on the shadow columns of \"" + table + "\"";
    step.sql = {CreateSql(index, pg::QualifiedName(schema, index.table), temp, /*concurrently=*/true, shadows, predicate)};
    step.transactional = false;
    step.payload = {{"invalid_index", pg::QualifiedName(schema, temp)}};
    start->Add(step);
    complete->AddSql("shadow_index." + table + "." + index.name, "give the rebuilt index \"" + index.name +
                     "\" its name", RenameBackSql(schema, index.name, temp, shadows));
  }
  PlanShadowNamedIndexColumns(after, table, shadows, complete);
  return Status::Ok();
}

}  // namespace pleat::ops

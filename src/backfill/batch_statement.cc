#include "backfill/batch_statement.h"

#include "pg/quote.h"

namespace pleat::backfill {
namespace {

// Creates the child rows of the parent rows in `where`. The parent rows are
// locked FOR NO KEY UPDATE first, as an UPDATE backfill would: a parent deleted
// meanwhile is skipped instead of failing the foreign key, a parent updated
// meanwhile is read as committed, and an old writer's trigger (which locks the
// parent before any child) cannot deadlock with the batch. Child rows the sync
// triggers created first win (DO NOTHING). The guard keeps the child table's sync trigger from copying the
// values back onto the parent (planner/move_sync.h).
std::string ChildInsert(const nlohmann::json& child, const std::string& qualified_table, const std::string& where) {
  std::string key = pg::QuoteIdent(child.at("key").get<std::string>());
  std::string columns = key, values = "p." + pg::QuoteIdent(child.at("source_key").get<std::string>());
  for (const auto& c : child.at("columns")) {
    columns += ", " + pg::QuoteIdent(c.at("column").get<std::string>());
    values += ", " + c.at("expression").get<std::string>();
  }
  return "INSERT INTO " + child.at("into").get<std::string>() + " (" + columns +
         ") SELECT " + values + " FROM " + qualified_table + " p WHERE (SELECT set_config('pleat.moving', 'on', true))"
         " IS NOT NULL AND (" + where + ") FOR NO KEY UPDATE OF p ON CONFLICT (" + key + ") DO NOTHING";
}

}  // namespace

// The UPDATE writes only the added columns, which no sync trigger listens to,
// so the triggers do not run for the backfill's own writes. With both kinds of
// work, the child rows are created by statements of their own before the
// UPDATE: in one statement, a data-modifying CTE runs after the main UPDATE
// and its row lock skips the rows that UPDATE changed, so the children of
// every updated row went missing. The last statement's count is the rows updated.
std::string BatchSql(const nlohmann::json& spec, const std::string& qualified_table, const std::string& where) {
  std::vector<std::string> inserts;
  for (const auto& child : spec.value("children", nlohmann::json::array()))
    inserts.push_back(ChildInsert(child, qualified_table, where));
  std::string set;
  for (const auto& c : spec.at("set"))
    set += (set.empty() ? "" : ", ") + pg::QuoteIdent(c.at("column").get<std::string>()) + " = (" +
           c.at("expression").get<std::string>() + ")";
  if (!set.empty()) {
    std::string out;
    for (const auto& insert : inserts) out += insert + "; ";
    return out + "UPDATE " + qualified_table + " SET " + set + " WHERE " + where;
  }
  // Child inserts only: they lock the same rows without changing them, so one statement does.
  std::string with;
  for (size_t i = 1; i < inserts.size(); ++i)
    with += (with.empty() ? "WITH " : ", ") + std::string("c") + std::to_string(i) + " AS (" + inserts[i] + ") ";
  return with + inserts.front();
}

std::vector<std::pair<std::string, std::string>> BatchExpressions(const nlohmann::json& spec) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& c : spec.at("set"))
    out.emplace_back(c.at("name").get<std::string>(), c.at("expression").get<std::string>());
  for (const auto& child : spec.value("children", nlohmann::json::array()))
    for (const auto& c : child.at("columns"))
      out.emplace_back(c.at("name").get<std::string>(), c.at("expression").get<std::string>());
  return out;
}

}  // namespace pleat::backfill

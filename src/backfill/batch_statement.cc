#include "backfill/batch_statement.h"

#include "pg/quote.h"

namespace pleat::backfill {

// The UPDATE writes only the added columns, which no sync trigger listens to,
// so the triggers do not run for the backfill's own writes.
std::string BatchSql(const nlohmann::json& spec, const std::string& qualified_table, const std::string& where) {
  std::string set;
  for (const auto& c : spec.at("set"))
    set += (set.empty() ? "" : ", ") + pg::QuoteIdent(c.at("column").get<std::string>()) + " = (" +
           c.at("expression").get<std::string>() + ")";
  return "UPDATE " + qualified_table + " SET " + set + " WHERE " + where;
}

std::vector<std::pair<std::string, std::string>> BatchExpressions(const nlohmann::json& spec) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& c : spec.at("set"))
    out.emplace_back(c.at("name").get<std::string>(), c.at("expression").get<std::string>());
  return out;
}

}  // namespace pleat::backfill

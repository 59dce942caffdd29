#include "planner/view_spec.h"

#include <algorithm>

#include "pg/quote.h"

namespace pleat::planner {
namespace {

constexpr const char* kLiveColumnsSql = R"(
SELECT c.relname, a.attname
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND NOT c.relispartition
ORDER BY c.relname, a.attnum)";

// `columns` (the table's, in attnum order) in the order spec.column_order gives.
std::vector<std::string> Ordered(const ViewSpec& spec, const std::string& table, std::vector<std::string> columns) {
  auto order = spec.column_order.find(table);
  if (order == spec.column_order.end()) return columns;
  std::map<std::string, size_t> rank;
  for (size_t i = 0; i < order->second.size(); ++i) rank[order->second[i]] = i;
  auto at = [&](const std::string& c) { return rank.count(c) ? rank[c] : rank.size(); };
  std::stable_sort(columns.begin(), columns.end(), [&](const auto& a, const auto& b) { return at(a) < at(b); });
  return columns;
}

std::string ViewSql(const ViewSpec& spec, const std::string& table, const std::vector<std::string>& all) {
  std::vector<std::string> columns = Ordered(spec, table, all);
  auto it = spec.tables.find(table);
  const TableViewSpec* t = it == spec.tables.end() ? nullptr : &it->second;
  std::string name = t ? t->name : table;
  std::string select;
  for (const auto& col : columns) {
    if (t && t->hidden.count(col)) continue;
    auto renamed = t ? t->renamed.find(col) : std::map<std::string, std::string>::const_iterator();
    std::string visible = (t && renamed != t->renamed.end()) ? renamed->second : col;
    select += (select.empty() ? "" : ", ") + pg::QuoteIdent(col);
    if (visible != col) select += " AS " + pg::QuoteIdent(visible);
  }
  std::string sql = "CREATE VIEW " + pg::QualifiedName(spec.version_schema, name) +
                    " WITH (security_invoker = true) AS SELECT " + select + " FROM " +
                    pg::QualifiedName(spec.target_schema, table);
  if (spec.mark)
    sql += " WHERE " + pg::QualifiedName(spec.state_schema, "mark") + "(" + pg::QuoteLiteral(spec.version_schema) + ")";
  if (spec.mark && t)
    for (const auto& qual : t->quals) sql += " AND (" + qual + ")";
  if (spec.mark && t && t->check_option) sql += " WITH CASCADED CHECK OPTION";
  return sql;
}

}  // namespace

nlohmann::json ViewSpec::ToJson() const {
  nlohmann::json tables_json = nlohmann::json::object();
  for (const auto& [physical, t] : tables)
    tables_json[physical] = {{"name", t.name}, {"renamed", t.renamed}, {"hidden", t.hidden}, {"defaults", t.defaults},
                             {"check_option", t.check_option}, {"quals", t.quals}};
  return {{"version_schema", version_schema}, {"target_schema", target_schema}, {"state_schema", state_schema},
          {"mark", mark}, {"hidden_tables", hidden_tables}, {"tables", tables_json}, {"alter_sql", alter_sql},
          {"functions", functions}, {"column_order", column_order}};
}

ViewSpec ViewSpec::FromJson(const nlohmann::json& j) {
  ViewSpec s;
  s.version_schema = j.at("version_schema");
  s.target_schema = j.at("target_schema");
  s.state_schema = j.at("state_schema");
  s.mark = j.at("mark");
  s.hidden_tables = j.at("hidden_tables").get<std::set<std::string>>();
  s.alter_sql = j.value("alter_sql", std::vector<std::string>{});  // absent in plans stored before it existed
  s.functions = j.value("functions", std::vector<std::string>{});  // likewise
  s.column_order = j.value("column_order", std::map<std::string, std::vector<std::string>>{});  // likewise
  for (const auto& [physical, t] : j.at("tables").items()) {
    TableViewSpec& ts = s.tables[physical];
    ts.name = t.at("name");
    ts.renamed = t.at("renamed").get<std::map<std::string, std::string>>();
    ts.hidden = t.at("hidden").get<std::set<std::string>>();
    ts.defaults = t.at("defaults").get<std::map<std::string, std::string>>();
    ts.check_option = t.value("check_option", false);  // absent in plans stored before it existed
    ts.quals = t.value("quals", std::vector<std::string>{});
  }
  return s;
}

ViewSpec ViewSpec::FromSchema(const schema::VirtualSchema& after, const std::string& version_schema,
                              const std::string& state_schema, bool mark) {
  ViewSpec s;
  s.version_schema = version_schema;
  s.target_schema = after.schema_name();
  s.state_schema = state_schema;
  s.mark = mark;
  s.hidden_tables = after.hidden_tables();
  for (const auto& t : after.tables()) {
    TableViewSpec& ts = s.tables[t.physical];
    ts.name = t.name;
    for (const auto& c : t.columns)
      if (c.name != c.physical) ts.renamed[c.physical] = c.name;
    for (const auto& h : t.hidden) ts.hidden.insert(h.physical);
    for (const auto& c : t.columns) s.column_order[t.physical].push_back(c.physical);
  }
  return s;
}

std::map<std::string, std::vector<std::string>> ViewSpec::FinalColumnOrder(const schema::VirtualSchema& after) {
  std::map<std::string, std::vector<std::string>> order;
  for (const auto& t : after.tables())
    for (const auto& c : t.columns) order[t.name].push_back(c.name);
  return order;
}

Status BuildViewsSql(pg::Connection* conn, const ViewSpec& spec, std::vector<std::string>* sql) {
  pg::Result res;
  Status s = conn->ExecParams(kLiveColumnsSql, {spec.target_schema}, &res);
  if (!s.ok()) return s;
  std::string vs = pg::QuoteIdent(spec.version_schema);
  sql->push_back("DROP SCHEMA IF EXISTS " + vs + " CASCADE");
  sql->insert(sql->end(), spec.alter_sql.begin(), spec.alter_sql.end());
  sql->push_back("CREATE SCHEMA " + vs);
  sql->push_back("COMMENT ON SCHEMA " + vs + " IS " +
                 pg::QuoteLiteral("pleat version schema: one view per table of \"" + spec.target_schema + "\""));
  sql->insert(sql->end(), spec.functions.begin(), spec.functions.end());
  std::vector<std::string> columns;
  std::set<std::string> shown;
  for (int r = 0; r < res.rows(); ++r) {
    std::string table = res.Get(r, 0);
    columns.push_back(res.Get(r, 1));
    if (r + 1 < res.rows() && res.Get(r + 1, 0) == table) continue;
    if (!spec.hidden_tables.count(table)) {
      sql->push_back(ViewSql(spec, table, columns));
      shown.insert(table);
    }
    columns.clear();
  }
  for (const auto& [table, t] : spec.tables) {
    if (!shown.count(table)) continue;
    for (const auto& [col, def] : t.defaults) {
      auto renamed = t.renamed.find(col);
      std::string visible = renamed == t.renamed.end() ? col : renamed->second;
      sql->push_back("ALTER VIEW " + pg::QualifiedName(spec.version_schema, t.name) + " ALTER COLUMN " +
                     pg::QuoteIdent(visible) + " SET DEFAULT " + def);
    }
  }
  // security_invoker views check the caller's rights on the tables, so granting
  // the views to everyone gives nobody more than the tables already allow.
  sql->push_back("GRANT USAGE ON SCHEMA " + vs + " TO PUBLIC");
  sql->push_back("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA " + vs + " TO PUBLIC");
  return Status::Ok();
}

}  // namespace pleat::planner

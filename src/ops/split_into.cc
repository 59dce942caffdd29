#include "ops/split_into.h"

#include "parse/expression.h"
#include "parse/field_reader.h"
#include "pg/quote.h"

namespace pleat::ops {
namespace {

Status ParseColumn(const nlohmann::json& j, const std::string& where, SplitInto* out) {
  if (!j.is_object() || !j.contains("from"))
    return parse::ColumnDef::Parse(j, where, &out->extras.emplace_back());
  parse::FieldReader r(j, where);
  MovedFrom m;
  std::optional<std::string> name;
  Status s = r.String("from", &m.from);
  if (s.ok()) s = r.OptString("name", &name);
  if (s.ok()) s = r.OptString("down", &m.down);
  if (s.ok()) s = r.Finish();
  parse::Expression e;  // pasted into triggers and rollback as written
  if (s.ok() && m.down)
    s = parse::Expression::Parse(*m.down, &e).WithContext(where + " \"" + m.from + "\" down");
  m.name = name.value_or(m.from);
  out->moved.push_back(m);
  return s;
}

// The one-column checks of `from`, rewritten to `to`: "CHECK ((fee >= 0))" -> "(x >= 0)".
std::optional<std::string> MovedCheck(const schema::Table& parent, const std::string& from, const std::string& to) {
  for (const auto& k : parent.constraints) {
    if (k.type != 'c' || k.columns != std::vector<std::string>{from} || k.definition.rfind("CHECK ", 0) != 0) continue;
    std::string text = k.definition.substr(6);
    if (text.size() > 10 && text.compare(text.size() - 10, 10, " NOT VALID") == 0) text.resize(text.size() - 10);
    parse::Expression e;
    if (parse::Expression::Parse(text, &e).ok()) return e.RenameColumns({{from, pg::QuoteIdent(to)}});
  }
  return std::nullopt;
}

}  // namespace

Status SplitInto::Parse(const nlohmann::json& j, const std::string& where, SplitInto* out) {
  Status s = parse::FieldReader::RequireObject(j, where);
  if (!s.ok()) return s;
  parse::FieldReader r(j, where);
  const nlohmann::json* columns = nullptr;
  std::optional<std::string> primary_key;
  s = r.String("table", &out->table);
  if (s.ok()) s = r.String("key", &out->key);
  if (s.ok()) s = r.OptString("primary_key", &primary_key);
  if (s.ok()) s = r.OptArray("columns", &columns);
  if (s.ok()) s = r.Finish();
  if (s.ok() && primary_key && *primary_key != "key")
    return Status::Invalid(where + ": primary_key must be \"key\"", "write `primary_key: key` or leave it out");
  out->key_is_primary = primary_key.has_value();
  for (size_t i = 0; s.ok() && columns && i < columns->size(); ++i)
    s = ParseColumn((*columns)[i], where + " column " + std::to_string(i + 1), out);
  if (s.ok() && out->moved.empty())
    return Status::Invalid(where + ": table \"" + out->table + "\" moves no column",
                           "list at least one `- from: <column>` under `columns:`");
  return s;
}

std::vector<parse::ColumnDef> SplitInto::Columns(const schema::Table& parent) const {
  const schema::Column* pk = parent.FindColumn(parent.primary_key.at(0));
  std::vector<parse::ColumnDef> out;
  if (!key_is_primary) {
    out.emplace_back();
    out.back().name = "id", out.back().type = "bigint", out.back().pk = true, out.back().identity = "BY DEFAULT";
  }
  parse::ColumnDef k;
  k.name = key, k.type = pk->type, k.pk = key_is_primary, k.unique = !key_is_primary;
  k.references = parse::ReferencesDef{pg::FitIdentifier(table + "_" + key + "_fkey"), parent.physical,
                                          pk->physical, "CASCADE"};
  out.push_back(k);
  for (const auto& m : moved) {
    const schema::Column* c = parent.FindColumn(m.from);
    parse::ColumnDef d;
    d.name = m.name, d.type = c->type, d.nullable = c->nullable, d.default_sql = c->default_sql;
    if (auto check = MovedCheck(parent, c->physical, m.name))
      d.check = parse::CheckDef{pg::FitIdentifier(table + "_" + m.name + "_check"), *check};
    out.push_back(d);
  }
  out.insert(out.end(), extras.begin(), extras.end());
  return out;
}

std::string CreateTableSql(const std::string& schema, const std::string& table,
                           const std::vector<parse::ColumnDef>& columns) {
  std::string body, pk;
  for (const auto& c : columns) {
    body += (body.empty() ? "\n  " : ",\n  ") + c.CreateTableSql(schema);
    if (c.pk) pk += (pk.empty() ? "" : ", ") + pg::QuoteIdent(c.name);
  }
  if (!pk.empty()) body += ",\n  PRIMARY KEY (" + pk + ")";
  return "CREATE TABLE " + pg::QualifiedName(schema, table) + " (" + body + "\n)";
}

}  // namespace pleat::ops

#include "ops/index_column.h"

#include <algorithm>
#include <cctype>
#include <optional>

#include "parse/field_reader.h"
#include "pg/quote.h"

namespace pleat::ops {
namespace {

std::string Upper(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::toupper(c); });
  return text;
}

// Reads optional `key` into *out (upper-cased) and checks it is one of `a` or `b`.
Status ReadChoice(parse::FieldReader* r, const std::string& key, const char* a, const char* b, std::string* out) {
  std::optional<std::string> value;
  Status s = r->OptString(key, &value);
  if (!s.ok() || !value) return s;
  *out = Upper(*value);
  if (*out == a || *out == b) return Status::Ok();
  return Status::Invalid(r->where() + ": \"" + key + "\" must be " + a + " or " + b + ", not \"" + *value + "\"",
                         std::string("write ") + a + " or " + b);
}

Status ReadOpclass(const nlohmann::json& j, const std::string& where, IndexColumn* out) {
  Status s = parse::FieldReader::RequireObject(j, where);
  if (!s.ok()) return s;
  parse::FieldReader r(j, where);
  s = r.String("name", &out->opclass);
  if (s.ok()) s = r.OptStringList("params", &out->opclass_params);
  if (s.ok()) s = r.Finish();
  return s;
}

// The settings of one column; `column` is already known in the mapping form.
Status ReadSettings(const nlohmann::json& j, const std::string& where, bool with_column, IndexColumn* out) {
  if (j.is_null() && !with_column) return Status::Ok();  // `name:` with no settings
  Status s = parse::FieldReader::RequireObject(j, where);
  if (!s.ok()) return s;
  parse::FieldReader r(j, where);
  const nlohmann::json* opclass = nullptr;
  std::optional<std::string> collate;
  if (with_column) s = r.String("column", &out->column);
  if (s.ok()) s = r.OptString("collate", &collate);
  if (s.ok()) s = ReadChoice(&r, "sort", "ASC", "DESC", &out->sort);
  if (s.ok()) s = ReadChoice(&r, "nulls", "FIRST", "LAST", &out->nulls);
  if (s.ok()) s = r.OptObject("opclass", &opclass);
  if (s.ok()) s = r.Finish();
  if (s.ok() && opclass) s = ReadOpclass(*opclass, where + " opclass", out);
  out->collate = collate.value_or("");
  return s;
}

// A name as written when it carries quotes or a schema, else quoted as is.
std::string NameSql(const std::string& name) {
  return name.find_first_of("\".") == std::string::npos ? pg::QuoteIdent(name) : name;
}

}  // namespace

Status IndexColumn::ParseList(const nlohmann::json& columns, const std::string& where, std::vector<IndexColumn>* out) {
  if (columns.is_object()) {
    if (columns.size() != 1)
      return Status::Invalid(where + ": \"columns\" is a mapping of " + std::to_string(columns.size()) +
                                 " columns, which loses their order",
                             "write \"columns\" as a list: `- column: name`");
    out->push_back({columns.begin().key()});
    return ReadSettings(columns.begin().value(), where + " column \"" + out->back().column + "\"", false, &out->back());
  }
  if (!columns.is_array() || columns.empty())
    return Status::Invalid(where + ": \"columns\" must be a non-empty list", "list the columns to index");
  for (size_t i = 0; i < columns.size(); ++i) {
    out->emplace_back();
    if (columns[i].is_string()) {
      out->back().column = columns[i].get<std::string>();
      continue;
    }
    Status s = ReadSettings(columns[i], where + " column " + std::to_string(i + 1), true, &out->back());
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

std::string IndexColumn::Sql(const std::string& physical) const {
  std::string sql = pg::QuoteIdent(physical);
  if (!collate.empty()) sql += " COLLATE " + NameSql(collate);
  if (!opclass.empty()) sql += " " + NameSql(opclass);
  if (!opclass_params.empty()) {
    std::string params;
    for (const auto& p : opclass_params) params += (params.empty() ? "" : ", ") + p;
    sql += " (" + params + ")";
  }
  if (!sort.empty()) sql += " " + sort;
  if (!nulls.empty()) sql += " NULLS " + nulls;
  return sql;
}

schema::IndexKey IndexColumn::Key(const std::string& physical) const {
  schema::IndexKey k;
  k.column = physical;
  if (!collate.empty()) k.collation = NameSql(collate);
  if (!opclass.empty()) k.opclass = NameSql(opclass);
  std::string params;
  for (const auto& p : opclass_params) params += (params.empty() ? "" : ", ") + p;
  if (!params.empty()) k.opclass += " (" + params + ")";
  k.desc = sort == "DESC";
  k.nulls_first = nulls.empty() ? k.desc : nulls == "FIRST";  // btree's default follows the order
  return k;
}

}  // namespace pleat::ops

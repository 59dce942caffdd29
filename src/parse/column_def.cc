#include "parse/column_def.h"

#include <algorithm>

#include "parse/expression.h"
#include "parse/field_reader.h"
#include "parse/typed_text.h"
#include "pg/quote.h"

namespace pleat::parse {
namespace {

std::string Upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::toupper(c); });
  return s;
}

Status CheckExpression(const std::string& text, const std::string& where) {
  Expression e;
  Status s = Expression::Parse(text, &e);
  return s.WithContext(where).WithHint("write a single SQL expression");
}

Status ParseCheck(const nlohmann::json& j, const std::string& where, CheckDef* out) {
  FieldReader r(j, where);
  Status s = r.String("name", &out->name);
  if (s.ok()) s = r.String("constraint", &out->constraint);
  std::optional<bool> no_inherit;
  if (s.ok()) s = r.OptBool("no_inherit", &no_inherit);
  if (s.ok()) s = r.Finish();
  if (s.ok()) s = CheckExpression(out->constraint, where + " constraint");
  out->no_inherit = no_inherit.value_or(false);
  return s;
}

Status ParseReferences(const nlohmann::json& j, const std::string& where, ReferencesDef* out) {
  FieldReader r(j, where);
  std::optional<std::string> on_delete, on_update, match;
  std::optional<bool> deferrable, deferred;
  Status s = r.String("name", &out->name);
  if (s.ok()) s = r.String("table", &out->table);
  if (s.ok()) s = r.String("column", &out->column);
  if (s.ok()) s = r.OptString("on_delete", &on_delete);
  if (s.ok()) s = r.OptString("on_update", &on_update);
  if (s.ok()) s = r.OptString("match_type", &match);
  if (s.ok()) s = r.OptBool("deferrable", &deferrable);
  if (s.ok()) s = r.OptBool("initially_deferred", &deferred);
  if (s.ok()) s = r.Finish();
  if (s.ok() && on_delete) s = NormalizeReferentialAction(*on_delete, where + " on_delete", &out->on_delete);
  if (s.ok() && on_update) s = NormalizeReferentialAction(*on_update, where + " on_update", &out->on_update);
  if (s.ok() && match) {
    out->match_type = Upper(*match);
    if (out->match_type != "SIMPLE" && out->match_type != "FULL")
      return Status::Invalid(where + ": match_type must be SIMPLE or FULL", "fix match_type");
  }
  out->deferrable = deferrable.value_or(false);
  out->initially_deferred = deferred.value_or(false);
  return s;
}

Status ParseGenerated(const nlohmann::json& j, const std::string& where, ColumnDef* out) {
  FieldReader r(j, where);
  std::optional<std::string> expression;
  const nlohmann::json* identity = nullptr;
  Status s = r.OptString("expression", &expression);
  if (s.ok()) s = r.OptObject("identity", &identity);
  if (s.ok()) s = r.Finish();
  if (!s.ok()) return s;
  if (expression.has_value() == (identity != nullptr))
    return Status::Invalid(where + ": give exactly one of \"expression\" and \"identity\"",
                           "use generated.expression for a computed column, generated.identity for an identity");
  if (expression) {
    out->generated_expression = expression;
    return CheckExpression(*expression, where + " expression");
  }
  FieldReader ir(*identity, where + " identity");
  std::optional<std::string> mode, options;
  s = ir.OptString("user_specified_values", &mode);
  if (s.ok()) s = ir.OptString("sequence_options", &options);
  if (s.ok()) s = ir.Finish();
  std::string m = Upper(mode.value_or("BY DEFAULT"));
  if (s.ok() && m != "ALWAYS" && m != "BY DEFAULT")
    return Status::Invalid(where + ": user_specified_values must be ALWAYS or BY DEFAULT", "fix the value");
  out->identity = m;
  out->identity_options = options;
  if (s.ok() && options) s = ParseSequenceOptions(*options).WithContext(where + " identity sequence_options");
  return s;
}

}  // namespace

std::string ReferentialActionName(const std::string& code) {
  if (code == "r") return "RESTRICT";
  if (code == "c") return "CASCADE";
  if (code == "n") return "SET NULL";
  if (code == "d") return "SET DEFAULT";
  return "";
}

Status NormalizeReferentialAction(const std::string& action, const std::string& where, std::string* out) {
  std::string a = Upper(action);
  static const char* kActions[] = {"NO ACTION", "RESTRICT", "CASCADE", "SET NULL", "SET DEFAULT"};
  for (const char* k : kActions)
    if (a == k) {
      *out = a;
      return Status::Ok();
    }
  return Status::Invalid(where + ": unknown referential action \"" + action + "\"",
                         "use NO ACTION, RESTRICT, CASCADE, SET NULL or SET DEFAULT");
}

Status ColumnDef::Parse(const nlohmann::json& j, const std::string& where, ColumnDef* out) {
  Status s = FieldReader::RequireObject(j, where);
  if (!s.ok()) return s;
  FieldReader r(j, where);
  std::optional<bool> nullable, pk, unique;
  const nlohmann::json *check = nullptr, *references = nullptr, *generated = nullptr;
  s = r.String("name", &out->name);
  if (s.ok()) s = r.String("type", &out->type);
  if (s.ok()) s = r.OptBool("nullable", &nullable);
  if (s.ok()) s = r.OptBool("pk", &pk);
  if (s.ok()) s = r.OptBool("unique", &unique);
  if (s.ok()) s = r.OptString("default", &out->default_sql);
  if (s.ok()) s = r.OptObject("check", &check);
  if (s.ok()) s = r.OptObject("references", &references);
  if (s.ok()) s = r.OptString("comment", &out->comment);
  if (s.ok()) s = r.OptObject("generated", &generated);
  if (s.ok()) s = r.Finish();
  if (!s.ok()) return s;
  std::string col_where = where + " \"" + out->name + "\"";
  out->nullable = nullable.value_or(false);
  out->pk = pk.value_or(false);
  out->unique = unique.value_or(false);
  s = ParseTypeName(out->type).WithContext(col_where + " type");
  if (s.ok() && out->default_sql) s = CheckExpression(*out->default_sql, col_where + " default");
  if (s.ok() && check) s = ParseCheck(*check, col_where + " check", &out->check.emplace());
  if (s.ok() && references) s = ParseReferences(*references, col_where + " references", &out->references.emplace());
  if (s.ok() && generated) s = ParseGenerated(*generated, col_where + " generated", out);
  return s;
}

std::string ColumnDef::ReferencesSql(const std::string& schema) const {
  const ReferencesDef& ref = *references;
  std::string sql = "REFERENCES " + pg::QualifiedName(schema, ref.table) + " (" + pg::QuoteIdent(ref.column) + ")";
  if (!ref.match_type.empty()) sql += " MATCH " + ref.match_type;
  if (!ref.on_delete.empty()) sql += " ON DELETE " + ref.on_delete;
  if (!ref.on_update.empty()) sql += " ON UPDATE " + ref.on_update;
  if (ref.deferrable) sql += ref.initially_deferred ? " DEFERRABLE INITIALLY DEFERRED" : " DEFERRABLE";
  return sql;
}

std::string ColumnDef::CheckSql() const {
  return "CHECK (" + check->constraint + ")" + (check->no_inherit ? " NO INHERIT" : "");
}

std::string ColumnDef::CreateTableSql(const std::string& schema) const {
  std::string sql = pg::QuoteIdent(name) + " " + type;
  if (generated_expression) sql += " GENERATED ALWAYS AS (" + *generated_expression + ") STORED";
  if (identity) {
    sql += " GENERATED " + *identity + " AS IDENTITY";
    if (identity_options) sql += " (" + *identity_options + ")";
  }
  if (default_sql) sql += " DEFAULT " + *default_sql;
  if (!nullable || pk) sql += " NOT NULL";
  if (unique) sql += " UNIQUE";
  if (check) sql += " CONSTRAINT " + pg::QuoteIdent(check->name) + " " + CheckSql();
  if (references) sql += " CONSTRAINT " + pg::QuoteIdent(references->name) + " " + ReferencesSql(schema);
  return sql;
}

}  // namespace pleat::parse

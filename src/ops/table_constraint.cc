#include "ops/table_constraint.h"

#include "ops/common.h"
#include "parse/column_def.h"
#include "parse/expression.h"
#include "parse/field_reader.h"
#include "parse/statements.h"
#include "parse/typed_text.h"
#include "pg/quote.h"

namespace pleat::ops {
namespace {

using parse::FieldReader;

std::string IdentList(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + pg::QuoteIdent(n);
  return "(" + out + ")";
}

Status ParseReferences(const nlohmann::json& j, const std::string& where, TableConstraint* out) {
  FieldReader r(j, where);
  std::optional<std::string> match, on_delete, on_update;
  Status s = r.String("table", &out->ref_table);
  if (s.ok()) s = r.OptStringList("columns", &out->ref_columns);
  if (s.ok()) s = r.OptString("match_type", &match);
  if (s.ok()) s = r.OptString("on_delete", &on_delete);
  if (s.ok()) s = r.OptString("on_update", &on_update);
  if (s.ok()) s = r.OptStringList("on_delete_set_columns", &out->on_delete_set_columns);
  if (s.ok()) s = r.Finish();
  if (s.ok() && on_delete) s = parse::NormalizeReferentialAction(*on_delete, where + " on_delete", &out->on_delete);
  if (s.ok() && on_update) s = parse::NormalizeReferentialAction(*on_update, where + " on_update", &out->on_update);
  if (s.ok() && match) {
    out->match_type = *match == "full" || *match == "FULL" ? "FULL" : *match == "simple" || *match == "SIMPLE" ? "SIMPLE" : "";
    if (out->match_type.empty()) return Status::Invalid(where + ": match_type must be SIMPLE or FULL", "fix match_type");
  }
  return s;
}

Status ParseIndexParameters(const nlohmann::json& j, const std::string& where, TableConstraint* out) {
  FieldReader r(j, where);
  std::optional<std::string> tablespace, storage;
  Status s = r.OptString("tablespace", &tablespace);
  if (s.ok()) s = r.OptString("storage_parameters", &storage);
  if (s.ok()) s = r.OptStringList("include_columns", &out->include_columns);
  if (s.ok()) s = r.Finish();
  out->tablespace = tablespace.value_or("");
  out->storage_parameters = storage.value_or("");
  return s;
}

Status ParseExclude(const nlohmann::json& j, const std::string& where, TableConstraint* out) {
  FieldReader r(j, where);
  std::optional<std::string> method, elements, predicate;
  Status s = r.OptString("index_method", &method);
  if (s.ok()) s = r.OptString("elements", &elements);
  if (s.ok()) s = r.OptString("predicate", &predicate);
  if (s.ok()) s = r.Finish();
  out->exclude_method = method.value_or("");
  out->exclude_elements = elements.value_or("");
  out->exclude_predicate = predicate.value_or("");
  if (s.ok() && out->exclude_elements.empty())
    return Status::Invalid(where + ": an exclude constraint needs `elements`", "list the elements, e.g. `title WITH =`");
  return s;
}

// storage_parameters and the exclude fields are pasted into the DDL as
// written, so the constraint they make must parse as one ADD CONSTRAINT:
// `fillfactor = 70); DROP TABLE x; --` is refused before anything runs.
Status CheckPastedFields(const TableConstraint& k, const std::string& where) {
  if (k.storage_parameters.empty() && k.type != "exclude") return Status::Ok();
  std::string with = k.storage_parameters.empty() ? "" : " WITH (" + k.storage_parameters + ")";
  std::string sql = "ALTER TABLE t ADD CONSTRAINT c ";
  if (k.type == "exclude") {
    sql += "EXCLUDE" + (k.exclude_method.empty() ? "" : " USING " + k.exclude_method) + " (" + k.exclude_elements + ")" + with;
    if (!k.exclude_predicate.empty()) sql += " WHERE (" + k.exclude_predicate + ")";
  } else {
    sql += "UNIQUE (c)" + with;
  }
  parse::Statements parsed;
  Status s = parse::Statements::Parse(sql, &parsed);
  if (s.ok() && (parsed.statements().size() != 1 || parsed.statements()[0].kind != "AlterTableStmt"))
    s = Status::Invalid("the fields make more than one statement");
  if (s.ok()) s = parse::CheckNoOpenLineComment(sql);
  parse::Expression e;
  if (s.ok() && !k.exclude_predicate.empty()) s = parse::Expression::Parse(k.exclude_predicate, &e);
  if (s.ok()) return s;
  return s.WithContext(where + ": storage_parameters, index_method, elements and predicate do not make one constraint")
      .WithHint("write storage_parameters as `fillfactor = 70`, elements as `col WITH =`, predicate as one expression");
}

Status ParseTyped(FieldReader* r, const std::string& where, TableConstraint* out) {
  const nlohmann::json *references = nullptr, *exclude = nullptr, *index = nullptr;
  std::optional<std::string> check;
  Status s = r->OptString("check", &check);
  if (s.ok()) s = r->OptObject("references", &references);
  if (s.ok()) s = r->OptObject("exclude", &exclude);
  if (s.ok()) s = r->OptObject("index_parameters", &index);
  if (!s.ok()) return s;
  out->check = check.value_or("");
  const std::string& t = out->type;
  if (t == "check" && out->check.empty()) return Status::Invalid(where + ": a check constraint needs `check`", "add the expression");
  if (t == "foreign_key" && !references)
    return Status::Invalid(where + ": a foreign_key constraint needs `references`", "add references: {table, columns}");
  if (t == "exclude" && !exclude) return Status::Invalid(where + ": an exclude constraint needs `exclude`", "add it");
  if ((t == "unique" || t == "primary_key" || t == "foreign_key") && out->columns.empty())
    return Status::Invalid(where + ": a " + t + " constraint needs `columns`", "list the constrained columns");
  if (!out->check.empty()) {
    parse::Expression e;
    s = parse::Expression::Parse(out->check, &e);
    if (!s.ok()) return s.WithContext(where + " check");
  }
  if (references) s = ParseReferences(*references, where + " references", out);
  if (s.ok() && exclude) s = ParseExclude(*exclude, where + " exclude", out);
  if (s.ok() && index) s = ParseIndexParameters(*index, where + " index_parameters", out);
  if (s.ok()) s = CheckPastedFields(*out, where);
  return s;
}

}  // namespace

Status TableConstraint::Parse(const nlohmann::json& j, const std::string& where, TableConstraint* out) {
  Status s = FieldReader::RequireObject(j, where);
  if (!s.ok()) return s;
  FieldReader r(j, where);
  std::optional<bool> deferrable, deferred, nnd, no_inherit;
  s = r.String("name", &out->name);
  std::string w = where + " \"" + out->name + "\"";
  if (s.ok()) s = r.String("type", &out->type);
  if (s.ok() && out->type != "check" && out->type != "unique" && out->type != "primary_key" &&
      out->type != "foreign_key" && out->type != "exclude")
    return Status::Invalid(w + ": unknown constraint type \"" + out->type + "\"",
                           "use check, unique, primary_key, foreign_key or exclude");
  if (s.ok()) s = r.OptStringList("columns", &out->columns);
  if (s.ok()) s = r.OptBool("deferrable", &deferrable);
  if (s.ok()) s = r.OptBool("initially_deferred", &deferred);
  if (s.ok()) s = r.OptBool("nulls_not_distinct", &nnd);
  if (s.ok()) s = r.OptBool("no_inherit", &no_inherit);
  if (s.ok()) s = ParseTyped(&r, w, out);
  if (s.ok()) s = r.Finish();
  out->deferrable = deferrable.value_or(false);
  out->initially_deferred = deferred.value_or(false);
  out->nulls_not_distinct = nnd.value_or(false);
  out->no_inherit = no_inherit.value_or(false);
  return s;
}

Status TableConstraint::Validate(const schema::VirtualSchema& schema, const schema::Table& table) const {
  for (const auto* list : {&columns, &include_columns})
    for (const auto& c : *list)
      if (!table.FindColumn(c))
        return Status::NotFound("constraint \"" + name + "\" names column \"" + c + "\", which table \"" + table.name +
                                    "\" does not have",
                                list == &columns ? "fix the column list" : "fix index_parameters.include_columns");
  if (type == "check") return CheckExpressionColumns(check, table, "check of constraint \"" + name + "\"");
  if (type != "foreign_key" || ref_table == table.name) return Status::Ok();
  const schema::Table* ref = nullptr;
  return FindTable(schema, ref_table, &ref).WithContext("constraint \"" + name + "\" references");
}

std::string TableConstraint::Sql(const schema::VirtualSchema& schema) const {
  std::string sql = "CONSTRAINT " + pg::QuoteIdent(name) + " ";
  std::string index;
  if (!include_columns.empty()) index += " INCLUDE " + IdentList(include_columns);
  if (!storage_parameters.empty()) index += " WITH (" + storage_parameters + ")";
  if (!tablespace.empty()) index += " USING INDEX TABLESPACE " + pg::QuoteIdent(tablespace);
  if (type == "check") return sql + "CHECK (" + check + ")" + (no_inherit ? " NO INHERIT" : "");
  if (type == "primary_key") sql += "PRIMARY KEY " + IdentList(columns) + index;
  if (type == "unique") sql += std::string("UNIQUE") + (nulls_not_distinct ? " NULLS NOT DISTINCT " : " ") + IdentList(columns) + index;
  if (type == "exclude") {
    sql += "EXCLUDE" + (exclude_method.empty() ? "" : " USING " + exclude_method) + " (" + exclude_elements + ")" + index;
    if (!exclude_predicate.empty()) sql += " WHERE (" + exclude_predicate + ")";
  }
  if (type == "foreign_key") {
    sql += "FOREIGN KEY " + IdentList(columns) + " REFERENCES " + PhysicalTable(schema, ref_table);
    if (!ref_columns.empty()) sql += " " + IdentList(ref_columns);
    if (!match_type.empty()) sql += " MATCH " + match_type;
    if (!on_delete.empty()) sql += " ON DELETE " + on_delete;
    if (!on_delete_set_columns.empty()) sql += " " + IdentList(on_delete_set_columns);
    if (!on_update.empty()) sql += " ON UPDATE " + on_update;
  }
  if (deferrable) sql += initially_deferred ? " DEFERRABLE INITIALLY DEFERRED" : " DEFERRABLE";
  return sql;
}

}  // namespace pleat::ops

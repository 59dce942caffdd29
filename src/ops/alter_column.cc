#include "ops/alter_column.h"

#include <algorithm>
#include <cctype>

#include "migration/expression.h"
#include "migration/field_reader.h"
#include "ops/common.h"
#include "ops/rename_column.h"
#include "ops/shadow_column.h"
#include "pg/quote.h"

namespace pleat::ops {
namespace {

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), ::tolower);
  return s;
}

// pgroll accepts `up: SELECT <expression>`; the expression is what counts.
void StripSelect(std::optional<std::string>* text) {
  migration::Expression e;
  if (!*text || migration::Expression::Parse(**text, &e).ok() || Lower((*text)->substr(0, 7)) != "select ") return;
  if (migration::Expression::Parse((*text)->substr(7), &e).ok()) *text = (*text)->substr(7);
}

}  // namespace

Status AlterColumn::Parse(const nlohmann::json& body, const std::string& where, std::unique_ptr<Operation>* out) {
  auto op = std::make_unique<AlterColumn>();
  Status s = migration::FieldReader::RequireObject(body, where);
  if (s.ok()) s = op->ParseBody(body, where);
  if (s.ok()) *out = std::move(op);
  return s;
}

Status AlterColumn::ParseBody(const nlohmann::json& body, const std::string& where) {
  migration::FieldReader r(body, where);
  std::optional<std::string>& name = name_;
  const nlohmann::json *check = nullptr, *unique = nullptr, *references = nullptr;
  Status s = r.String("table", &table_);
  if (s.ok()) s = r.String("column", &column_);
  if (s.ok()) s = r.OptString("name", &name);
  if (s.ok()) s = r.OptString("type", &type_);
  if (s.ok()) s = r.OptBool("nullable", &nullable_);
  if (s.ok()) s = r.NullableString("default", &has_default_, &default_);
  if (s.ok()) s = r.NullableString("comment", &has_comment_, &comment_);
  if (s.ok()) s = r.OptObject("check", &check);
  if (s.ok()) s = r.OptObject("unique", &unique);
  if (s.ok()) s = r.OptObject("references", &references);
  if (s.ok()) s = r.OptString("up", &up_);
  if (s.ok()) s = r.OptString("down", &down_);
  if (s.ok()) s = r.Finish();
  if (!s.ok()) return s;
  for (auto* text : {&up_, &down_}) {
    if (*text && (*text)->empty()) text->reset();
    StripSelect(text);
  }
  if (unique) {
    migration::FieldReader u(*unique, where + " unique");
    s = u.OptString("name", &unique_);
    if (s.ok()) s = u.Finish();
    if (s.ok() && !unique_) return Status::Invalid(where + ": unique needs a name", "add `name:` to `unique`");
  }
  nlohmann::json column = {{"name", column_}, {"type", "text"}, {"nullable", true}};
  if (check) column["check"] = *check;
  if (references) column["references"] = *references;
  if (s.ok()) s = migration::ColumnDef::Parse(column, where, &constraints_);
  if (s.ok() && name) s = RenameColumn::Parse({{"table", table_}, {"from", column_}, {"to", *name}}, where, &rename_);
  return s;
}

bool AlterColumn::ChangesType(const schema::Column& column) const {
  return type_ && Lower(*type_) != Lower(column.type);
}

bool AlterColumn::UsesShadow(const schema::Table& table) const {
  const schema::Column* c = table.FindColumn(column_);
  if (!c) return false;
  for (const auto& sh : table.shadows)
    if (sh.physical == c->physical) return true;  // an earlier operation shadowed it
  return ChangesType(*c) || (nullable_ && *nullable_ != c->nullable) || constraints_.check ||
         constraints_.references || unique_;
}

Status AlterColumn::Validate(schema::VirtualSchema* schema) const {
  schema::Table* table = nullptr;
  schema::Column* column = nullptr;
  Status s = FindTable(schema, table_, &table);
  if (s.ok()) s = FindColumn(table, column_, &column);
  if (!s.ok()) return s;
  if (nullable_ == false && column->nullable && !up_)
    return Status::Invalid("making column \"" + column_ + "\" of table \"" + table_ +
                               "\" NOT NULL needs `up` to give existing NULLs a value",
                           "add `up: <expression over the old columns>`, e.g. coalesce(" + column_ + ", ...)");
  if (UsesShadow(*table)) s = ApplyToShadow(schema, table);
  else if (has_default_) column->default_sql = default_;
  if (s.ok() && has_comment_ && !FindShadow(table, column_)) table->FindColumn(column_)->comment = comment_;
  if (s.ok() && rename_) s = rename_->Validate(schema);
  return s;
}

// Every change of this operation lands on the column's one shadow.
Status AlterColumn::ApplyToShadow(schema::VirtualSchema* schema, schema::Table* table) const {
  std::string what = " of column \"" + column_ + "\"";
  Status s = up_ ? CheckExpressionColumns(*up_, *table, "up" + what) : Status::Ok();
  schema::Shadow* shadow = nullptr;
  if (s.ok()) s = ShadowFor(table, column_, &shadow);
  if (!s.ok()) return s;
  schema::Column* column = table->FindColumn(column_);
  std::string self = pg::QuoteIdent(column_);
  bool retype = ChangesType(*column);
  ComposeUp(table, column_, up_.value_or(retype ? self + "::" + *type_ : self));
  std::string down = down_.value_or(retype ? self + "::" + column->type : self);
  migration::Expression e;  // `down` may name the column by its new `name`
  if (name_ && migration::Expression::Parse(down, &e).ok()) down = e.RenameColumns({{*name_, self}});
  // Only the form of `down` is checked, not its column names: pgroll accepts a
  // `down` naming a column the table lacks (its example 35 does) and fails only
  // the new-version writes that evaluate it; files must run here unchanged.
  s = migration::Expression::Parse(down, &e).WithContext("down" + what);
  if (!s.ok()) return s;
  ComposeDown(table, column_, down);
  if (type_) column->type = *type_;
  if (nullable_) column->nullable = *nullable_;
  if (has_default_) column->default_sql = default_;
  else if (retype && column->default_sql) column->default_sql = "(" + *column->default_sql + ")::" + *type_;
  if (has_comment_) shadow->comment = comment_;
  if (constraints_.check) s = CheckExpressionColumns(constraints_.check->constraint, *table, "check" + what);
  if (s.ok() && constraints_.references) {
    const schema::Table* ref = schema->FindTable(constraints_.references->table);
    if (!ref) return Status::NotFound("references names table \"" + constraints_.references->table + "\", which does not exist",
                                      "fix the table name in `references`");
  }
  if (s.ok()) AddConstraints(*schema, table, shadow);
  return s;
}

void AlterColumn::AddConstraints(const schema::VirtualSchema& schema, schema::Table* table,
                                 schema::Shadow* shadow) const {
  std::string col = pg::QuoteIdent(shadow->physical);
  if (constraints_.check) {
    migration::ColumnDef physical = constraints_;
    physical.check->constraint = OnPhysicalColumns(constraints_.check->constraint, *table);
    shadow->constraints.push_back({constraints_.check->name, 'c', {shadow->physical}, physical.CheckSql()});
  }
  if (constraints_.references) {
    migration::ColumnDef physical = constraints_;
    physical.references->table = schema.FindTable(constraints_.references->table)->physical;
    shadow->constraints.push_back({constraints_.references->name, 'f', {shadow->physical},
                                   "FOREIGN KEY (" + col + ") " + physical.ReferencesSql(schema.schema_name())});
  }
  if (unique_) shadow->constraints.push_back({*unique_, 'u', {shadow->physical}, ""});
}

// Metadata only: COMMENT changes the catalog; no lock beyond an instant, no row touched.
Status AlterColumn::Start(const schema::VirtualSchema& before, engine::Plan* plan) const {
  const schema::Table* table = before.FindTable(table_);
  if (UsesShadow(*table) || !has_comment_) return Status::Ok();
  plan->AddSql("comment", "comment on column \"" + table_ + "\".\"" + column_ + "\"",
               {"COMMENT ON COLUMN " + PhysicalTable(before, table_) + "." +
                pg::QuoteIdent(table->FindColumn(column_)->physical) + " IS " +
                (comment_ ? pg::QuoteLiteral(*comment_) : "NULL")});
  return Status::Ok();
}

// Runs with the renames (RenamesOnComplete), when the table and column carry
// the names `before` shows. SET DEFAULT changes only the catalog.
Status AlterColumn::Complete(const schema::VirtualSchema& before, engine::Plan* plan) const {
  if (has_default_ && !UsesShadow(*before.FindTable(table_)))
    plan->AddSql("default", "set the default of \"" + table_ + "\".\"" + column_ + "\"",
                 {"ALTER TABLE " + pg::QualifiedName(before.schema_name(), table_) + " ALTER COLUMN " +
                  pg::QuoteIdent(column_) + (default_ ? " SET DEFAULT " + *default_ : " DROP DEFAULT")});
  return rename_ ? rename_->Complete(before, plan) : Status::Ok();
}

// The shadow goes with the engine's rollback (PlanShadows); a comment set in place is restored.
Status AlterColumn::Rollback(const schema::VirtualSchema& before, engine::Plan* plan) const {
  const schema::Table* table = before.FindTable(table_);
  if (UsesShadow(*table) || !has_comment_) return Status::Ok();
  const schema::Column* column = table->FindColumn(column_);
  plan->AddSql("comment", "restore the comment on \"" + table_ + "\".\"" + column_ + "\"",
               {"COMMENT ON COLUMN " + PhysicalTable(before, table_) + "." + pg::QuoteIdent(column->physical) +
                " IS " + (column->comment ? pg::QuoteLiteral(*column->comment) : "NULL")});
  return Status::Ok();
}

}  // namespace pleat::ops

#include "ops/add_column.h"

#include "ops/common.h"
#include "ops/constraint_support.h"
#include "ops/shadow_column.h"
#include "parse/expression.h"
#include "parse/field_reader.h"
#include "pg/quote.h"

namespace pleat::ops {

Status AddColumn::Parse(const nlohmann::json& body, const std::string& where, std::unique_ptr<Operation>* out) {
  auto op = std::make_unique<AddColumn>();
  Status s = parse::FieldReader::RequireObject(body, where);
  if (!s.ok()) return s;
  parse::FieldReader r(body, where);
  const nlohmann::json* column = nullptr;
  s = r.String("table", &op->table_);
  if (s.ok()) s = r.OptString("up", &op->up_);
  if (s.ok()) s = r.OptObject("column", &column);
  if (s.ok()) s = r.Finish();
  if (s.ok() && !column) return Status::Invalid(where + ": \"column\" is required", "describe the new column");
  if (s.ok()) s = parse::ColumnDef::Parse(*column, where + " column", &op->column_);
  if (s.ok() && op->up_ && op->up_->empty()) op->up_.reset();
  if (s.ok()) *out = std::move(op);
  return s;
}

bool AddColumn::VolatileDefault(const schema::VirtualSchema& schema) const {
  parse::Expression e;
  if (!column_.default_sql || !parse::Expression::Parse(*column_.default_sql, &e).ok()) return false;
  for (const auto& fn : e.FunctionNames())
    if (schema.IsVolatileFunction(fn)) return true;
  return false;
}

bool AddColumn::NeedsNotNullCheck(const schema::VirtualSchema& schema) const {
  return !column_.nullable && (up_ || !column_.default_sql || VolatileDefault(schema));
}

std::string AddColumn::NotNullCheckName(const std::string& physical_table) const {
  return pg::PleatName("nn", physical_table, column_.name);
}

NotNullGuard AddColumn::Guard(const schema::VirtualSchema& before) const {
  return {before.schema_name(), before.FindTable(table_)->physical, column_.name, table_, column_.name};
}

std::string AddColumn::UniqueName() const { return pg::FitIdentifier(table_ + "_" + column_.name + "_key"); }

Status AddColumn::Validate(schema::VirtualSchema* schema) const {
  schema::Table* table = nullptr;
  Status s = FindTable(schema, table_, &table);
  if (!s.ok()) return s;
  const std::string& name = column_.name;
  if (table->FindColumn(name) || table->FindByPhysical(name))
    return Status::Invalid("column \"" + name + "\" already exists in table \"" + table_ + "\"",
                           "choose another name, or drop the column in an earlier migration");
  if (column_.pk)
    return Status::Invalid("add_column cannot make column \"" + name + "\" a primary key",
                           "create the table with its primary key, or add it with a separate constraint");
  if (!column_.nullable && !column_.default_sql && !up_)
    return Status::Invalid("column \"" + name + "\" is NOT NULL without a default, so existing rows have no value for it",
                           "add `up: <expression over the old columns>` or a default, or make it nullable");
  s = RequireFreePhysicalColumn(*table, name);
  // `up` reads the old version, which still has the columns the file drops or moves.
  if (s.ok() && up_) s = CheckExpressionColumns(*up_, WithOldColumns(*table), "up of column \"" + name + "\"");
  if (s.ok() && column_.check) s = ClaimConstraintName(schema, *table, column_.check->name, false);
  if (s.ok() && column_.references) s = ClaimConstraintName(schema, *table, column_.references->name, false);
  if (s.ok() && column_.unique) s = ClaimConstraintName(schema, *table, UniqueName(), true);
  if (!s.ok()) return s;
  schema::Column col{name, name, column_.type, column_.nullable, column_.default_sql, column_.identity.has_value(),
                     column_.generated_expression.has_value(), /*added=*/true, up_};
  if (!col.up && VolatileDefault(*schema)) col.up = column_.default_sql;  // each existing row gets its own value
  table->columns.push_back(col);
  // Over the old version: a column an earlier operation rebuilt or added reads as its `up`.
  if (up_) ComposeUp(table, name, *up_);
  return Status::Ok();
}

// ADD COLUMN with no default or a non-volatile one changes only the catalog
// (PostgreSQL 11+); a volatile default is set after the column exists, so no
// statement rewrites the table. Constraints that existing rows must pass are
// added NOT VALID: they hold for new writes at once and are validated at complete.
Status AddColumn::Start(const schema::VirtualSchema& before, plan::Plan* plan) const {
  const schema::Table* t = before.FindTable(table_);
  std::string table = PhysicalTable(before, table_);
  std::string col = pg::QuoteIdent(column_.name);
  bool volatile_default = VolatileDefault(before);
  std::string def = col + " " + column_.type;
  if (column_.identity) def += " GENERATED " + *column_.identity + " AS IDENTITY";
  if (column_.generated_expression) def += " GENERATED ALWAYS AS (" + *column_.generated_expression + ") STORED";
  if (column_.default_sql && !volatile_default) def += " DEFAULT " + *column_.default_sql;
  // PostgreSQL 18 names a NOT NULL after the table: as this operation names it.
  if (!column_.nullable && !NeedsNotNullCheck(before))
    def += (table_ == t->physical ? "" : " CONSTRAINT " + pg::QuoteIdent(NotNullName(table_, column_.name))) + " NOT NULL";
  std::vector<std::string> sql = {"ALTER TABLE " + table + " ADD COLUMN " + def};
  if (volatile_default) sql.push_back("ALTER TABLE " + table + " ALTER COLUMN " + col + " SET DEFAULT " + *column_.default_sql);
  if (column_.check) {
    parse::ColumnDef physical = column_;  // the check may name columns an earlier operation renamed
    physical.check->constraint = OnPhysicalColumns(column_.check->constraint, *t);
    sql.push_back("ALTER TABLE " + table + " ADD CONSTRAINT " + pg::QuoteIdent(column_.check->name) + " " +
                  physical.CheckSql() + " NOT VALID");
  }
  if (column_.references) {
    parse::ColumnDef physical = column_;
    if (const schema::Table* ref = before.FindTable(column_.references->table)) physical.references->table = ref->physical;
    sql.push_back("ALTER TABLE " + table + " ADD CONSTRAINT " + pg::QuoteIdent(column_.references->name) +
                  " FOREIGN KEY (" + col + ") " + physical.ReferencesSql(before.schema_name()) + " NOT VALID");
  }
  if (column_.comment) sql.push_back("COMMENT ON COLUMN " + table + "." + col + " IS " + pg::QuoteLiteral(*column_.comment));
  plan->AddSql("add", "add column \"" + table_ + "\".\"" + column_.name + "\"", sql);
  // Old writers that update other columns of a row the backfill has not reached
  // yet would fail a NOT NULL check on it: it is added once every row has a value.
  if (NeedsNotNullCheck(before)) {
    std::string check = pg::QuoteIdent(NotNullCheckName(t->physical));
    std::vector<std::string> add = {"ALTER TABLE " + table + " ADD CONSTRAINT " + check + " CHECK (" + col +
                                    " IS NOT NULL) NOT VALID"};
    for (auto& statement : NotNullGuardSql(Guard(before))) add.push_back(std::move(statement));
    std::vector<std::string> undo = DropNotNullGuardSql(Guard(before));
    undo.push_back("ALTER TABLE IF EXISTS " + table + " DROP CONSTRAINT IF EXISTS " + check);
    plan->AddAfterBackfill("not_null", "enforce NOT NULL on new writes to \"" + table_ + "\".\"" + column_.name + "\"",
                           add, undo);
  }
  if (column_.unique) {  // under its final name (claimed at validation), so a duplicate is reported under it
    // a build that failed leaves an invalid index, dropped before the retry
    plan->Add(ConcurrentIndexStep(*plan, "unique", "build unique index on \"" + table_ + "\".\"" + column_.name + "\"",
                                  "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS " + pg::QuoteIdent(UniqueName()) +
                                      " ON " + table + " (" + col + ")",
                                  pg::QualifiedName(before.schema_name(), UniqueName())));
  }
  return Status::Ok();
}

Status AddColumn::Complete(const schema::VirtualSchema& before, plan::Plan* plan) const {
  const schema::Table* t = before.FindTable(table_);
  std::string table = PhysicalTable(before, table_);
  std::string col = pg::QuoteIdent(column_.name);
  std::vector<std::string> validate, constrain;
  if (NeedsNotNullCheck(before)) {
    // VALIDATE scans without blocking writes; SET NOT NULL then trusts the valid
    // CHECK and skips its own scan, so its ACCESS EXCLUSIVE lock is brief.
    std::string check = pg::QuoteIdent(NotNullCheckName(t->physical));
    validate.push_back("ALTER TABLE " + table + " VALIDATE CONSTRAINT " + check);
    constrain = DropNotNullGuardSql(Guard(before));
    constrain.push_back("ALTER TABLE " + table + " ALTER COLUMN " + col + " SET NOT NULL");
    constrain.push_back("ALTER TABLE " + table + " DROP CONSTRAINT " + check);
    // PostgreSQL 18 names it after the table as it is now, before this file's renames run.
    if (table_ != t->physical) constrain.push_back(RenameNotNullSql(table, column_.name, NotNullName(table_, column_.name)));
  }
  if (column_.check) validate.push_back("ALTER TABLE " + table + " VALIDATE CONSTRAINT " + pg::QuoteIdent(column_.check->name));
  if (column_.references)
    validate.push_back("ALTER TABLE " + table + " VALIDATE CONSTRAINT " + pg::QuoteIdent(column_.references->name));
  if (column_.unique)
    constrain.push_back("ALTER TABLE " + table + " ADD CONSTRAINT " + pg::QuoteIdent(UniqueName()) +
                        " UNIQUE USING INDEX " + pg::QuoteIdent(UniqueName()));
  std::string what = "\"" + table_ + "\".\"" + column_.name + "\"";
  if (!validate.empty()) plan->AddValidate("validate", "validate constraints of " + what, validate);
  if (!constrain.empty()) plan->AddSql("constrain", "make the constraints of " + what + " final", constrain);
  return Status::Ok();
}

Status AddColumn::Rollback(const schema::VirtualSchema& before, plan::Plan* plan) const {
  // Dropping the column drops its constraints and index with it; the data was never anyone's but this migration's.
  plan->AddSql("drop", "drop column \"" + table_ + "\".\"" + column_.name + "\"",
               {"ALTER TABLE IF EXISTS " + PhysicalTable(before, table_) + " DROP COLUMN IF EXISTS " + pg::QuoteIdent(column_.name)});
  return Status::Ok();
}

}  // namespace pleat::ops

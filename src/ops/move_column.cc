#include "ops/move_column.h"

#include "ops/common.h"
#include "ops/grants.h"
#include "parse/field_reader.h"
#include "pg/quote.h"

namespace pleat::ops {
namespace {

// An identifier as pg_get_constraintdef prints it: `name`, `"Name"`, `schema.name`; the last part, unquoted.
std::string LastName(const std::string& text) {
  std::string part;
  bool quoted = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char ch = text[i];
    if (ch == '"' && quoted && i + 1 < text.size() && text[i + 1] == '"') part += text[++i];
    else if (ch == '"') quoted = !quoted;
    else if (ch == '.' && !quoted) part.clear();
    else part += ch;
  }
  return part;
}

// "FOREIGN KEY (user_id) REFERENCES users(id) ..." -> users, id. False unless one column.
bool Referenced(const schema::Constraint& k, std::string* table, std::string* column) {
  size_t at = k.definition.find(" REFERENCES ");
  size_t open = k.definition.find('(', at);
  size_t close = k.definition.find(')', open);
  if (k.type != 'f' || k.columns.size() != 1 || at == std::string::npos || close == std::string::npos) return false;
  *table = LastName(k.definition.substr(at + 12, open - at - 12));
  *column = LastName(k.definition.substr(open + 1, close - open - 1));
  return column->find(',') == std::string::npos;
}

}  // namespace

Status MoveColumn::Parse(const nlohmann::json& body, const std::string& where, std::unique_ptr<Operation>* out) {
  auto op = std::make_unique<MoveColumn>();
  Status s = parse::FieldReader::RequireObject(body, where);
  if (!s.ok()) return s;
  parse::FieldReader r(body, where);
  s = r.String("table", &op->table_);
  if (s.ok()) s = r.String("column", &op->column_);
  if (s.ok()) s = r.String("to", &op->to_);
  if (s.ok()) s = r.OptString("name", &op->name_);
  if (s.ok()) s = r.Finish();
  if (s.ok()) *out = std::move(op);
  return s;
}

// The foreign key between the two tables, either way: the target's key
// referencing the source, or the source's referencing the target.
Status MoveColumn::Link(const schema::Table& source, const schema::Table& target, schema::Move* move) const {
  std::string table, column;
  for (const auto& k : target.constraints)
    if (Referenced(k, &table, &column) && table == source.physical) {
      *move = {source.physical, column, target.physical, k.columns[0]};
      return Status::Ok();
    }
  for (const auto& k : source.constraints)
    if (Referenced(k, &table, &column) && table == target.physical) {
      *move = {source.physical, k.columns[0], target.physical, column};
      return Status::Ok();
    }
  return Status::Invalid("no one-column foreign key relates table \"" + table_ + "\" and table \"" + to_ + "\"",
                         "add a foreign key between them in an earlier migration, or move the column elsewhere");
}

Status MoveColumn::CheckColumn(const schema::Table& source, const schema::Table& target,
                               const schema::Column* column) const {
  std::string what = "column \"" + column_ + "\" of table \"" + table_ + "\"";
  if (!column) return Status::NotFound(what + " does not exist", "fix the column name");
  if (source.created || target.created)
    return Status::Invalid("cannot move " + what + " to \"" + to_ + "\": this migration creates one of the tables",
                           "move it in a later migration");
  if (column->name != column->physical || column->added || column->identity || column->generated)
    return Status::Invalid("cannot move " + what + ": this migration adds or renames it, or it is generated",
                           "move it in a later migration");
  for (const auto& pk : source.primary_key)
    if (pk == column_) return Status::Invalid("cannot move " + what + ": it is part of the primary key", "leave it in place");
  if (target.FindColumn(name_.value_or(column_)))
    return Status::Invalid("table \"" + to_ + "\" already has a column \"" + name_.value_or(column_) + "\"",
                           "give the moved column another `name`");
  return RequireFreePhysicalColumn(target, name_.value_or(column_));
}

Status MoveColumn::Validate(schema::VirtualSchema* schema) const {
  schema::Table *source = nullptr, *target = nullptr;
  Status s = FindTable(schema, table_, &source);
  if (s.ok()) s = FindTable(schema, to_, &target);
  if (s.ok()) s = CheckColumn(*source, *target, source->FindColumn(column_));
  schema::Move move;
  if (s.ok()) s = Link(*source, *target, &move);
  if (!s.ok()) return s;
  if (schema->LinksOtherwise(move))
    return Status::Invalid("this migration already moves columns between \"" + table_ + "\" and \"" + to_ +
                               "\" by another key",
                           "move this column in a migration of its own");
  const schema::Column from = *source->FindColumn(column_);
  std::string name = name_.value_or(column_);
  // The source row's value, by a sub-SELECT whose one unqualified name is the
  // target's key: the sync trigger binds it to NEW, the backfill to the row
  // being updated. One of several rows when the source side is the "many".
  const schema::Column* key = target->FindByPhysical(move.target_key);
  for (const auto& sh : target->shadows)  // a key an earlier operation rebuilds: its name stays
    if (!key && sh.original == move.target_key) key = target->FindByPhysical(sh.physical);
  if (!key)
    return Status::Invalid("cannot move " + column_ + " to \"" + to_ + "\": the new version does not show its key \"" +
                               move.target_key + "\"",
                           "move the column in a migration of its own");
  schema::Column added{name, name, from.type, true, from.default_sql};
  added.added = true;
  added.up = "(SELECT s." + pg::QuoteIdent(from.physical) + " FROM (SELECT " + pg::QuoteIdent(key->name) +
             " AS k) o, " + pg::QualifiedName(schema->schema_name(), source->physical) + " s WHERE s." +
             pg::QuoteIdent(move.source_key) + " = o.k LIMIT 1)";
  target->columns.push_back(added);
  move.columns.push_back({from, name, std::nullopt});
  source->hidden.push_back({from.physical, std::nullopt});
  source->columns.erase(source->columns.IndexOf(column_));
  schema->AddMove(move);
  return Status::Ok();
}

// ADD COLUMN with the source's (non-volatile) default or none changes only the
// catalog; the engine's backfill fills existing rows from `up` in batches.
Status MoveColumn::Start(const schema::VirtualSchema& before, plan::Plan* plan) const {
  const schema::Column* from = before.FindTable(table_)->FindColumn(column_);
  std::string name = name_.value_or(column_);
  std::string target = PhysicalTable(before, to_);
  // The column keeps its column-level grants in its new home.
  plan->AddSql("add", "add column \"" + to_ + "\".\"" + name + "\"",
               {"ALTER TABLE " + target + " ADD COLUMN IF NOT EXISTS " + pg::QuoteIdent(name) + " " + from->type +
                    (from->default_sql ? " DEFAULT " + *from->default_sql : ""),
                CopyColumnGrantsSql(PhysicalTable(before, table_), {from->physical}, target, name)});
  return Status::Ok();
}

// The engine's move sync drops the source column with its triggers (planner/move_sync.h).
Status MoveColumn::Complete(const schema::VirtualSchema&, plan::Plan*) const { return Status::Ok(); }

Status MoveColumn::Rollback(const schema::VirtualSchema& before, plan::Plan* plan) const {
  std::string name = name_.value_or(column_);
  plan->AddSql("drop", "drop column \"" + to_ + "\".\"" + name + "\"",
               {"ALTER TABLE " + PhysicalTable(before, to_) + " DROP COLUMN IF EXISTS " + pg::QuoteIdent(name)});
  return Status::Ok();
}

}  // namespace pleat::ops

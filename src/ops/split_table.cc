#include "ops/split_table.h"

#include <algorithm>

#include "ops/common.h"
#include "ops/grants.h"
#include "parse/field_reader.h"
#include "pg/quote.h"

namespace pleat::ops {

Status SplitTable::Parse(const nlohmann::json& body, const std::string& where, std::unique_ptr<Operation>* out) {
  auto op = std::make_unique<SplitTable>();
  Status s = parse::FieldReader::RequireObject(body, where);
  if (!s.ok()) return s;
  parse::FieldReader r(body, where);
  const nlohmann::json* into = nullptr;
  s = r.String("table", &op->table_);
  if (s.ok()) s = r.OptArray("into", &into);
  if (s.ok()) s = r.Finish();
  if (s.ok() && (!into || into->empty()))
    return Status::Invalid(where + ": table \"" + op->table_ + "\" is split into nothing",
                           "add an `into:` list of new tables");
  for (size_t i = 0; s.ok() && i < into->size(); ++i)
    s = SplitInto::Parse((*into)[i], where + " into " + std::to_string(i + 1), &op->into_.emplace_back());
  if (s.ok()) *out = std::move(op);
  return s;
}

Status SplitTable::CheckParent(const schema::Table& parent) const {
  std::string what = "table \"" + table_ + "\"";
  if (parent.created)
    return Status::Invalid("cannot split " + what + ": this migration creates it", "create the new tables instead");
  if (parent.primary_key.size() != 1)
    return Status::Invalid("cannot split " + what + ": it needs a primary key of one column for the new tables to reference",
                           "give it a one-column primary key in an earlier migration");
  // The new tables reference the key the old version writes; a key an earlier
  // operation rebuilds (a shadow) is filled only by the backfill this split shares.
  if (parent.FindColumn(parent.primary_key[0])->added)
    return Status::Invalid("cannot split " + what + ": an earlier operation of this file rebuilds its primary key \"" +
                               parent.primary_key[0] + "\"",
                           "put the split_table before the operation that changes the primary key");
  return Status::Ok();
}

Status SplitTable::CheckInto(const schema::VirtualSchema& schema, const schema::Table& parent, const SplitInto& into,
                             std::vector<std::string>* moved) const {
  Status s = RequireFreeRelationName(schema, into.table);
  std::string where = "new table \"" + into.table + "\"";
  std::vector<std::string> names = {into.key};
  if (!into.key_is_primary) names.push_back("id");
  for (const auto& m : into.moved) {
    const schema::Column* c = parent.FindColumn(m.from);
    std::string what = "column \"" + m.from + "\" of table \"" + table_ + "\"";
    if (!s.ok()) break;
    if (!c) s = Status::NotFound(what + " does not exist", "fix the `from:` name");
    else if (c->name != c->physical || c->added || c->identity || c->generated)
      s = Status::Invalid("cannot move " + what + ": this migration adds or renames it, or it is generated",
                          "move it in a later migration");
    else if (m.from == parent.primary_key[0])
      s = Status::Invalid("cannot move " + what + ": it is the primary key", "leave the primary key in place");
    else if (std::find(moved->begin(), moved->end(), m.from) != moved->end())
      s = Status::Invalid(what + " is moved twice", "move each column into one table only");
    moved->push_back(m.from);
    names.push_back(m.name);
  }
  for (const auto& e : into.extras) {
    if (s.ok() && !e.nullable && !e.default_sql && !e.identity && !e.generated_expression)
      s = Status::Invalid(where + ": column \"" + e.name + "\" is NOT NULL without a default, so the rows the old "
                          "version's writes create would have no value for it", "make it nullable or give it a default");
    names.push_back(e.name);
  }
  std::sort(names.begin(), names.end());
  if (s.ok() && std::adjacent_find(names.begin(), names.end()) != names.end())
    return Status::Invalid(where + " has two columns named \"" + *std::adjacent_find(names.begin(), names.end()) + "\"",
                           "rename the key or a column (`name:`)");
  return s.ok() ? s : s.WithContext(where);
}

Status SplitTable::Validate(schema::VirtualSchema* schema) const {
  schema::Table* parent = nullptr;
  Status s = FindTable(schema, table_, &parent);
  if (s.ok()) s = CheckParent(*parent);
  std::vector<std::string> moved;
  for (size_t i = 0; s.ok() && i < into_.size(); ++i) {
    s = CheckInto(*schema, *parent, into_[i], &moved);
    for (size_t j = 0; s.ok() && j < i; ++j)
      if (into_[j].table == into_[i].table) s = Status::Invalid("new table \"" + into_[i].table + "\" is listed twice", "give each new table its own name");
  }
  if (!s.ok()) return s;
  std::vector<schema::Table> children;
  std::vector<schema::Move> moves;
  for (const auto& into : into_) {
    schema::Table child{into.table, into.table, /*created=*/true};
    schema::Move move{parent->physical, parent->FindColumn(parent->primary_key[0])->physical, into.table, into.key, true};
    for (const auto& c : into.Columns(*parent)) {
      child.columns.push_back({c.name, c.name, c.type, c.nullable && !c.pk, c.default_sql, c.identity.has_value()});
      if (c.pk) child.primary_key.push_back(c.name);
    }
    for (const auto& m : into.moved) move.columns.push_back({*parent->FindColumn(m.from), m.name, m.down});
    children.push_back(child);
    moves.push_back(move);
  }
  for (const auto& name : moved) {
    size_t c = parent->columns.IndexOf(name);
    parent->hidden.push_back({parent->columns[c].physical, std::nullopt});
    parent->columns.erase(c);
  }
  for (auto& child : children) schema->AddTable(std::move(child));
  for (auto& move : moves) schema->AddMove(std::move(move));
  return Status::Ok();
}

// Each new table is empty and only the sync triggers (installed after it) and
// the new version use it, so it is created with all its constraints at once;
// the foreign key takes a SHARE ROW EXCLUSIVE lock on the split table for an
// instant (nothing to validate in an empty table).
Status SplitTable::Start(const schema::VirtualSchema& before, plan::Plan* plan) const {
  const schema::Table* parent = before.FindTable(table_);
  std::string source = pg::QualifiedName(before.schema_name(), parent->physical);
  for (const auto& into : into_) {
    std::string target = pg::QualifiedName(before.schema_name(), into.table);
    // The new table's rights are the split table's: its grants, and each
    // column's grants on the column it moves to (any of them on the key).
    std::vector<std::string> sql = {CreateTableSql(before.schema_name(), into.table, into.Columns(*parent)),
                                    CopyTableGrantsSql(source, target)};
    std::vector<std::string> key_sources = {parent->FindColumn(parent->primary_key.at(0))->physical};
    for (const auto& m : into.moved) {
      std::string from = parent->FindColumn(m.from)->physical;
      key_sources.push_back(from);
      sql.push_back(CopyColumnGrantsSql(source, {from}, target, m.name));
    }
    sql.push_back(CopyColumnGrantsSql(source, key_sources, target, into.key));
    sql.push_back(FollowRowSecuritySql(source, key_sources.front(), target, into.key,
                                       pg::FitIdentifier(into.table + "_rows_of_" + parent->physical)));
    plan->AddSql("create." + into.table, "create table \"" + into.table + "\" from columns of \"" + table_ + "\"",
                 sql);
  }
  return Status::Ok();
}

// The engine's move sync drops the moved columns with their triggers
// (planner/move_sync.h); the new tables are already final.
Status SplitTable::Complete(const schema::VirtualSchema&, plan::Plan*) const { return Status::Ok(); }

// The sync's rollback restores the split table first; the new tables then go.
Status SplitTable::Rollback(const schema::VirtualSchema& before, plan::Plan* plan) const {
  for (auto it = into_.rbegin(); it != into_.rend(); ++it)
    plan->AddSql("drop." + it->table, "drop table \"" + it->table + "\"",
                 {"DROP TABLE IF EXISTS " + pg::QualifiedName(before.schema_name(), it->table)});
  return Status::Ok();
}

}  // namespace pleat::ops

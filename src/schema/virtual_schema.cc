#include "schema/virtual_schema.h"

#include <algorithm>

namespace pleat::schema {

const Column* Table::FindColumn(const std::string& name) const {
  size_t i = columns.IndexOf(name);
  return i == columns.npos ? nullptr : &columns[i];
}

Column* Table::MutableColumn(const std::string& name) {
  size_t i = columns.IndexOf(name);
  return i == columns.npos ? nullptr : &columns.at(i);
}

const Column* Table::FindByPhysical(const std::string& physical) const {
  size_t i = columns.IndexOfPhysical(physical);
  return i == columns.npos ? nullptr : &columns[i];
}

Table* VirtualSchema::FindTable(const std::string& name) {
  const uint64_t* seq = table_names_.Find(name);
  if (!seq) return nullptr;
  std::shared_ptr<Table>* t = tables_.FindMutable(*seq);
  if (t->use_count() > 1) *t = std::make_shared<Table>(**t);  // a copy shares it: clone before a change
  NoteChange(*seq, (*t)->physical);
  return t->get();
}

const Table* VirtualSchema::FindTable(const std::string& name) const {
  const uint64_t* seq = table_names_.Find(name);
  return seq ? tables_.Find(*seq)->get() : nullptr;
}

const Table* VirtualSchema::FindByPhysical(const std::string& physical) const {
  const uint64_t* seq = table_physicals_.Find(physical);
  return seq ? tables_.Find(*seq)->get() : nullptr;
}

void VirtualSchema::AddTable(Table table) {
  uint64_t seq = next_seq_++;
  table_names_.Insert(table.name, seq);
  table_physicals_.Insert(table.physical, seq);
  NoteChange(seq, table.physical);
  tables_.Insert(seq, std::make_shared<Table>(std::move(table)));
}

void VirtualSchema::RenameTable(const std::string& from, const std::string& to) {
  const uint64_t* found = table_names_.Find(from);
  if (!found) return;
  uint64_t seq = *found;
  FindTable(from)->name = to;
  table_names_.Erase(from);
  table_names_.Insert(to, seq);
}

void VirtualSchema::RemoveTable(const std::string& name) {
  const uint64_t* found = table_names_.Find(name);
  if (!found) return;
  uint64_t seq = *found;
  std::shared_ptr<Table> t = *tables_.Find(seq);
  if (!t->created) hidden_tables_.insert(t->physical);
  NoteChange(seq, t->physical);
  table_names_.Erase(name);
  if (const uint64_t* p = table_physicals_.Find(t->physical); p && *p == seq) table_physicals_.Erase(t->physical);
  tables_.Erase(seq);
}

std::set<std::string> VirtualSchema::hidden_tables() const {
  std::set<std::string> out;
  hidden_tables_.ForEach([&](const std::string& t) { out.insert(t); });
  return out;
}

bool VirtualSchema::HasIndex(const std::string& name) const { return FindIndex(name) != nullptr; }

const Index* VirtualSchema::FindIndex(const std::string& name) const {
  const uint64_t* seq = index_names_.Find(name);
  return seq ? indexes_.Find(*seq)->get() : nullptr;
}

void VirtualSchema::AddIndex(Index index) {
  relation_names_.insert(index.name);
  if (const uint64_t* t = table_physicals_.Find(index.table)) NoteChange(*t, index.table);
  uint64_t seq = next_seq_++;
  index_names_.Insert(index.name, seq);
  indexes_.Insert(seq, std::make_shared<const Index>(std::move(index)));
}

void VirtualSchema::RemoveIndex(const std::string& name) {
  const uint64_t* found = index_names_.Find(name);
  if (!found) return;
  uint64_t seq = *found;
  const std::string& table = (*indexes_.Find(seq))->table;
  if (const uint64_t* t = table_physicals_.Find(table)) NoteChange(*t, table);
  index_names_.Erase(name);
  indexes_.Erase(seq);
}

bool VirtualSchema::HasRelationName(const std::string& name) const {
  return relation_names_.count(name) > 0 || table_names_.contains(name);
}

void VirtualSchema::AddVolatileFunction(const std::string& name) {
  if (volatile_functions_.use_count() > 1) volatile_functions_ = std::make_shared<std::set<std::string>>(*volatile_functions_);
  volatile_functions_->insert(name);
}

std::vector<std::string> VirtualSchema::ChangedTables() const {
  std::vector<std::string> out;
  for (auto it = changed_.begin(); it != changed_.end(); ++it) out.push_back(*it);
  return out;
}

std::string StorageType(const std::string& type) {
  std::string t = type;
  std::transform(t.begin(), t.end(), t.begin(), ::tolower);
  if (t == "serial" || t == "serial4") return "integer";
  if (t == "bigserial" || t == "serial8") return "bigint";
  if (t == "smallserial" || t == "serial2") return "smallint";
  return type;
}

void VirtualSchema::AddMove(Move move) {
  auto moves = std::make_shared<std::vector<Move>>(*moves_);  // moves are few: copied whole
  auto joins = std::find_if(moves->begin(), moves->end(),
                            [&](const Move& m) { return m.source == move.source && m.target == move.target; });
  if (joins == moves->end()) {
    moves->push_back(std::move(move));
  } else {
    joins->columns.insert(joins->columns.end(), move.columns.begin(), move.columns.end());
  }
  moves_ = std::move(moves);
}

bool VirtualSchema::LinksOtherwise(const Move& move) const {
  return std::any_of(moves_->begin(), moves_->end(), [&](const Move& m) {
    return m.source == move.source && m.target == move.target &&
           (m.source_key != move.source_key || m.target_key != move.target_key || m.create_rows != move.create_rows);
  });
}

}  // namespace pleat::schema

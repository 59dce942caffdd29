#include "schema/virtual_schema.h"

#include <algorithm>

namespace pleat::schema {

Column* Table::FindColumn(const std::string& name) {
  for (auto& c : columns)
    if (c.name == name) return &c;
  return nullptr;
}

const Column* Table::FindColumn(const std::string& name) const {
  return const_cast<Table*>(this)->FindColumn(name);
}

const Column* Table::FindByPhysical(const std::string& physical) const {
  for (const auto& c : columns)
    if (c.physical == physical) return &c;
  return nullptr;
}

Table* VirtualSchema::FindTable(const std::string& name) {
  for (auto& t : tables_) {
    if (t->name != name) continue;
    if (t.use_count() > 1) t = std::make_shared<Table>(*t);  // a copy shares it: clone before a change
    return t.get();
  }
  return nullptr;
}

const Table* VirtualSchema::FindTable(const std::string& name) const {
  for (const auto& t : tables_)
    if (t->name == name) return t.get();
  return nullptr;
}

const Table* VirtualSchema::FindByPhysical(const std::string& physical) const {
  for (const auto& t : tables_)
    if (t->physical == physical) return t.get();
  return nullptr;
}

void VirtualSchema::RemoveTable(const std::string& name) {
  auto it = std::find_if(tables_.begin(), tables_.end(), [&](const auto& t) { return t->name == name; });
  if (it == tables_.end()) return;
  if (!(*it)->created) hidden_tables_.insert((*it)->physical);
  tables_.erase(it);
}

bool VirtualSchema::HasIndex(const std::string& name) const { return FindIndex(name) != nullptr; }

const Index* VirtualSchema::FindIndex(const std::string& name) const {
  for (const auto& i : indexes_)
    if (i->name == name) return i.get();
  return nullptr;
}

void VirtualSchema::AddIndex(Index index) {
  relation_names_.insert(index.name);
  indexes_.push_back(std::make_shared<const Index>(std::move(index)));
}

void VirtualSchema::RemoveIndex(const std::string& name) {
  indexes_.erase(std::remove_if(indexes_.begin(), indexes_.end(), [&](const auto& i) { return i->name == name; }),
                 indexes_.end());
}

bool VirtualSchema::HasRelationName(const std::string& name) const {
  return relation_names_.count(name) > 0 ||
         std::any_of(tables_.begin(), tables_.end(), [&](const auto& t) { return t->name == name; });
}

void VirtualSchema::AddVolatileFunction(const std::string& name) {
  if (volatile_functions_.use_count() > 1) volatile_functions_ = std::make_shared<std::set<std::string>>(*volatile_functions_);
  volatile_functions_->insert(name);
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
  for (Move& m : moves_) {
    if (m.source != move.source || m.target != move.target) continue;
    m.columns.insert(m.columns.end(), move.columns.begin(), move.columns.end());
    return;
  }
  moves_.push_back(std::move(move));
}

bool VirtualSchema::LinksOtherwise(const Move& move) const {
  return std::any_of(moves_.begin(), moves_.end(), [&](const Move& m) {
    return m.source == move.source && m.target == move.target &&
           (m.source_key != move.source_key || m.target_key != move.target_key || m.create_rows != move.create_rows);
  });
}

}  // namespace pleat::schema

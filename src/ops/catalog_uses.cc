#include "ops/catalog_uses.h"

namespace pleat::ops {

IndexUse UniqueOn(const std::string& kind, const std::string& name, const schema::Table& table,
                  const std::vector<std::string>& columns) {
  IndexUse u{0, kind + " \"" + name + "\" of table \"" + table.name + "\"", table.physical};
  for (const auto& c : columns)
    if (const schema::Column* col = table.FindColumn(c)) u.keys.push_back({col->name, col->physical, col->type});
  return u;
}

ForeignKeyUse ForeignKeyTo(const std::string& name, const std::vector<std::string>& types,
                           const schema::VirtualSchema& after, const std::string& ref_table,
                           std::vector<std::string> ref_columns) {
  ForeignKeyUse fk{0, "foreign key \"" + name + "\"", types};
  const schema::Table* ref = after.FindTable(ref_table);
  if (!ref) return fk;
  fk.ref_table = ref->physical;
  if (ref_columns.empty()) ref_columns = ref->primary_key;
  for (const auto& c : ref_columns) {
    const schema::Column* col = ref->FindColumn(c);
    if (!col) return ForeignKeyUse{0, fk.what, types};  // Validate reports it
    fk.ref_columns.push_back(col->physical);
    fk.ref_types.push_back(col->type);
  }
  return fk;
}

}  // namespace pleat::ops

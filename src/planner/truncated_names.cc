#include "planner/truncated_names.h"

#include <map>

#include "migration/window.h"

namespace pleat::planner {
namespace {

constexpr size_t kNameBytes = 63;  // NAMEDATALEN - 1

// As the server truncates: whole UTF-8 characters only.
std::string Truncated(const std::string& name) {
  if (name.size() <= kNameBytes) return name;
  size_t n = kNameBytes;
  while (n > 0 && (static_cast<unsigned char>(name[n]) & 0xC0) == 0x80) --n;
  return name.substr(0, n);
}

// The first pair of physical names of one table (columns, kept originals
// included) or of the schema's tables that truncate alike; "" when none.
std::string Clash(const schema::VirtualSchema& s) {
  std::map<std::string, std::string> tables;
  for (const auto& t : s.tables()) {
    auto [it, fresh] = tables.emplace(Truncated(t.physical), t.physical);
    if (!fresh && it->second != t.physical) return "table \"" + it->second + "\" and table \"" + t.physical + "\"";
    if (t.physical.size() > kNameBytes && s.HasRelationName(Truncated(t.physical)))
      return "table \"" + t.physical + "\" and the relation \"" + Truncated(t.physical) + "\"";
    std::map<std::string, std::string> columns;
    auto clash = [&](const std::string& physical) {
      auto [c, added] = columns.emplace(Truncated(physical), physical);
      return !added && c->second != physical ? "columns \"" + c->second + "\" and \"" + physical + "\" of table \"" +
                                                   t.name + "\""
                                             : std::string();
    };
    for (const auto& c : t.columns)
      if (std::string found = clash(c.physical); !found.empty()) return found;
    for (const auto& h : t.hidden)
      if (std::string found = clash(h.physical); !found.empty()) return found;
  }
  return "";
}

}  // namespace

Status CheckTruncatedNames(const migration::Migration& m, const schema::VirtualSchema& catalog,
                           const schema::VirtualSchema& after) {
  std::string clash = Clash(after);
  if (clash.empty()) return Status::Ok();
  schema::VirtualSchema s = catalog;  // the operation that made the pair: validate again (on failure only)
  size_t op = 0;
  while (op + 1 < m.operations.size() && m.operations[op]->Validate(&s).ok() && Clash(s).empty()) ++op;
  return Status::Invalid(clash + " are one name to PostgreSQL, which keeps only the first 63 bytes of a name",
                         "shorten the names to at most 63 bytes")
      .WithContext(migration::OperationWhere(m, op));
}

}  // namespace pleat::planner

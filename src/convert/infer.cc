#include "convert/infer.h"

#include "convert/sql_text.h"
#include "convert/widening.h"

namespace pleat::convert {
namespace {

bool IsPlaceholder(const nlohmann::ordered_json& v) {
  return v.is_string() && v.get<std::string>().rfind(kPlaceholder, 0) == 0;
}

}  // namespace

int InferTypeChanges(const ColumnTypes& live_types, std::vector<ConvertedMigration>* parts) {
  int filled = 0;
  for (auto& part : *parts)
    for (auto& op : part) {
      auto& b = op.body;
      if (op.key != "alter_column" || !b.contains("type") || !IsPlaceholder(b.value("up", nlohmann::ordered_json())))
        continue;
      std::string table = b["table"], column = b["column"], type = b["type"];
      auto live = live_types.find({table, column});
      if (live == live_types.end() || !IsWidening(live->second, type)) continue;
      b["up"] = SqlName(column) + "::" + type;
      b["down"] = SqlName(column) + "::" + live->second;
      op.notes.erase("up");
      op.notes["down"] = "inferred from the database: " + live->second + " to " + type +
                         " keeps every value;\nthis down fails for values the new version writes that " + live->second +
                         " cannot hold\n(a length limit cuts them instead)";
      ++filled;
    }
  return filled;
}

}  // namespace pleat::convert

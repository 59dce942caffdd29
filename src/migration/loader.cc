#include <filesystem>
#include <fstream>
#include <sstream>

#include "migration/document.h"
#include "migration/field_reader.h"
#include "migration/migration.h"
#include "ops/registry.h"

namespace pleat::migration {
namespace {

Status ParseOperations(const nlohmann::json& list, Migration* out) {
  for (size_t i = 0; i < list.size(); ++i) {
    const nlohmann::json& item = list[i];
    std::string where = "operation " + std::to_string(i + 1);
    if (!item.is_object() || item.size() != 1)
      return Status::Invalid(where + ": must be an object with exactly one key, the operation's name",
                             "write each operation as `- add_column: {...}`; split combined operations");
    const std::string& key = item.begin().key();
    std::unique_ptr<ops::Operation> op;
    Status s = ops::ParseOperation(key, item.begin().value(), where + " (" + key + ")", &op);
    if (!s.ok()) return s;
    out->operations.push_back(std::move(op));
  }
  for (const auto& op : out->operations)
    if (op->IsIsolated() && out->operations.size() > 1)
      return Status::Invalid("a \"" + std::string(op->Key()) + "\" operation must be alone in its migration",
                             "move the raw SQL into a migration file of its own");
  return Status::Ok();
}

}  // namespace

Status LoadMigrationText(const std::string& path, const std::string& text, Migration* out) {
  namespace fs = std::filesystem;
  out->path = path;
  out->name = fs::path(path).stem().string();
  out->text = text;
  nlohmann::json doc;
  Status s = ParseDocument(path, text, &doc);
  if (s.ok()) s = FieldReader::RequireObject(doc, "the file");
  if (!s.ok()) return s.WithContext("file " + path);
  FieldReader r(doc, "the file");
  const nlohmann::json* operations = nullptr;
  std::optional<std::string> version_schema, ignored_name;
  s = r.OptArray("operations", &operations);
  if (s.ok()) s = r.OptString("version_schema", &version_schema);
  if (s.ok()) s = r.OptString("name", &ignored_name);  // older pgroll files carry it; the file name wins
  if (s.ok()) s = r.Finish();
  if (s.ok() && (!operations || operations->empty()))
    s = Status::Invalid("the file has no operations", "add an `operations:` list with at least one operation");
  if (s.ok()) s = ParseOperations(*operations, out);
  if (!s.ok()) return s.WithContext("file " + path);
  out->version_suffix = version_schema.value_or(out->name);
  if (out->name.empty())
    return Status::Invalid("file " + path + ": cannot take a migration name from the file name",
                           "name the file after the migration, e.g. 01_create_users.yaml");
  return Status::Ok();
}

Status LoadMigrationFile(const std::string& path, Migration* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return Status::NotFound("file " + path + ": cannot be read", "check the path and its permissions");
  std::stringstream ss;
  ss << in.rdbuf();
  return LoadMigrationText(path, ss.str(), out);
}

}  // namespace pleat::migration

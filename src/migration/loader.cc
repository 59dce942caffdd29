#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "migration/migration.h"
#include "ops/registry.h"
#include "parse/document.h"
#include "parse/field_reader.h"

namespace pleat::migration {
namespace {

std::string QuotedList(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "\"" : ", \"") + n + "\"";
  return out;
}

// An item of `operations:` that is not a mapping with one key. The usual causes are
// two operations under one `-`, or an operation's fields not indented under its name.
Status MalformedItem(const nlohmann::json& item, const std::string& where) {
  if (!item.is_object() || item.empty()) {
    std::string name = item.is_string() ? item.get<std::string>() : "add_column";
    return Status::Invalid(where + ": must be a mapping with one key, the operation's name",
                           "write the operation as `- " + name + ": {...}` with its fields inside");
  }
  std::vector<std::string> known = ops::KnownOperationKeys(), all_keys, op_keys, other_keys;
  for (auto it = item.begin(); it != item.end(); ++it) {
    all_keys.push_back(it.key());
    (std::count(known.begin(), known.end(), it.key()) ? op_keys : other_keys).push_back(it.key());
  }
  std::string msg = where + " has " + std::to_string(item.size()) + " keys (" + QuotedList(all_keys) +
                    "); an operation has exactly one key, its name";
  if (op_keys.size() > 1)
    return Status::Invalid(msg, "give each operation its own list item: `- " + op_keys[0] + ": {...}` then `- " +
                                    op_keys[1] + ": {...}`");
  if (op_keys.size() == 1)
    return Status::Invalid(msg, "indent " + QuotedList(other_keys) + " under `" + op_keys[0] + ":`");
  return Status::Invalid(msg, "start the item with the operation's name, e.g. `- add_column:`");
}

// `pleat_lint_ignore`, beside an operation's key, lists the lint rules not to
// report for that operation (docs/lint.md). Lint reads it; here its form is
// checked and it is taken out, so the item holds only the operation.
Status TakeLintIgnore(nlohmann::json* item, const std::string& where) {
  auto it = item->find("pleat_lint_ignore");
  if (it == item->end()) return Status::Ok();
  if (!it->is_array() || !std::all_of(it->begin(), it->end(), [](const nlohmann::json& v) { return v.is_string(); }))
    return Status::Invalid(where + ": \"pleat_lint_ignore\" must be a list of lint rule ids",
                           "write it beside the operation's key as `pleat_lint_ignore: [set-not-null]`");
  item->erase(it);
  return Status::Ok();
}

Status ParseOperations(const nlohmann::json& list, Migration* out) {
  for (size_t i = 0; i < list.size(); ++i) {
    nlohmann::json item = list[i];
    std::string where = "operation " + std::to_string(i + 1);
    if (item.is_object()) {
      Status s = TakeLintIgnore(&item, where);
      if (!s.ok()) return s;
    }
    if (!item.is_object() || item.size() != 1) return MalformedItem(item, where);
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

Status TooBig(const std::string& path, uintmax_t bytes) {
  return Status::Invalid("file " + path + " is " + std::to_string(bytes) + " bytes, more than the " +
                             std::to_string(kMaxFileBytes >> 20) + " MiB a migration file may hold",
                         "split it into several migrations");
}

}  // namespace

Status LoadMigrationText(const std::string& path, const std::string& text, Migration* out) {
  namespace fs = std::filesystem;
  if (text.size() > kMaxFileBytes) return TooBig(path, text.size());
  out->path = path;
  out->name = fs::path(path).stem().string();
  out->text = text;
  nlohmann::json doc;
  Status s = parse::ParseDocument(path, text, &doc);  // its errors already name the file
  if (!s.ok()) return s;
  if (doc.is_null())
    return Status::Invalid("file " + path + " is empty", "add an `operations:` list with at least one operation");
  s = parse::FieldReader::RequireObject(doc, "");
  if (!s.ok()) return s.WithContext("file " + path);
  parse::FieldReader r(doc, "the file");
  const nlohmann::json* operations = nullptr;
  std::optional<std::string> version_schema, ignored_name;
  s = r.OptArray("operations", &operations);
  if (s.ok()) s = r.OptString("version_schema", &version_schema);
  if (s.ok()) s = r.OptString("name", &ignored_name);  // older pgroll files carry it; the file name wins
  if (s.ok()) s = r.Finish();
  if (s.ok() && (!operations || operations->empty()))
    s = Status::Invalid("the file has no operations", "add an `operations:` list with at least one operation");
  if (s.ok() && operations->size() > kMaxOperations)
    s = Status::Invalid("the file has " + std::to_string(operations->size()) + " operations, more than the " +
                            std::to_string(kMaxOperations) + " a migration may hold",
                        "split it into several migrations");
  if (s.ok()) s = ParseOperations(*operations, out);
  if (!s.ok()) return s.WithContext("file " + path);
  out->version_suffix = version_schema.value_or(out->name);
  if (out->name.empty())
    return Status::Invalid("file " + path + ": cannot take a migration name from the file name",
                           "name the file after the migration, e.g. 01_create_users.yaml");
  return Status::Ok();
}

Status LoadMigrationFile(const std::string& path, Migration* out) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    return Status::Usage(path + " is a directory, not a migration file",
                         "pass one file, or run every file of the directory with `pleat migrate " + path + "`");
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return Status::NotFound("file " + path + ": cannot be read", "check the path and its permissions");
  auto size = std::filesystem::file_size(path, ec);
  if (!ec && size > kMaxFileBytes) return TooBig(path, size);  // before reading it into memory
  std::stringstream ss;
  ss << in.rdbuf();
  return LoadMigrationText(path, ss.str(), out);
}

}  // namespace pleat::migration

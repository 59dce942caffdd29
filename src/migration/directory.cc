#include "migration/directory.h"

#include <algorithm>
#include <filesystem>

namespace pleat::migration {

Status ListMigrationFiles(const std::string& dir, std::vector<std::string>* out) {
  namespace fs = std::filesystem;
  std::vector<std::string> files;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    std::string ext = e.path().extension().string();
    if (e.is_regular_file() && (ext == ".yaml" || ext == ".yml" || ext == ".json")) files.push_back(e.path().string());
  }
  if (ec) return Status::NotFound("directory " + dir + ": " + ec.message(), "check the path");
  if (files.empty())
    return Status::NotFound("directory " + dir + " holds no migration file (.yaml, .yml or .json)",
                            "check the path; name files in the order they run, e.g. 01_create_users.yaml");
  std::sort(files.begin(), files.end());
  *out = files;
  return Status::Ok();
}

}  // namespace pleat::migration

#include "support/migration_file.h"

#include <unistd.h>

#include <atomic>
#include <fstream>

#include "engine/lifecycle.h"

namespace pleat::testing {

namespace fs = std::filesystem;

MigrationFile::MigrationFile(const std::string& name, const std::string& yaml) {
  static std::atomic<int> counter{0};
  dir_ = fs::temp_directory_path() /
         ("pleat-test-" + std::to_string(getpid()) + "-" + std::to_string(++counter) + "-" + name);
  fs::create_directories(dir_);
  path_ = (dir_ / (name + ".yaml")).string();
  std::ofstream(path_) << yaml;
}

MigrationFile::~MigrationFile() {
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

Options OptionsFor(const std::string& url, std::vector<std::string>* log) {
  Options o;
  o.conninfo = url;
  o.log = [log](const std::string& line) {
    if (log) log->push_back(line);
  };
  return o;
}

bool Logged(const std::vector<std::string>& log, const std::string& text) {
  for (const auto& line : log)
    if (line.find(text) != std::string::npos) return true;
  return false;
}

Status StartYaml(const std::string& url, const std::string& name, const std::string& yaml, bool complete,
                 std::string* vs) {
  MigrationFile file(name, yaml);
  return engine::Lifecycle(OptionsFor(url)).Start(file.path(), complete, vs);
}

}  // namespace pleat::testing

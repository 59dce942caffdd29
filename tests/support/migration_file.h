#ifndef PLEAT_TESTS_SUPPORT_MIGRATION_FILE_H_
#define PLEAT_TESTS_SUPPORT_MIGRATION_FILE_H_
// Test support for driving the engine directly: a migration file written to a
// directory of its own (removed with the object), and engine Options for a
// test database that optionally collect the engine's log lines.

#include <filesystem>
#include <string>
#include <vector>

#include "options.h"
#include "status.h"

namespace pleat::testing {

class MigrationFile {
 public:
  // Writes `yaml` to <temp>/<unique dir>/<name>.yaml; the migration is named `name`.
  MigrationFile(const std::string& name, const std::string& yaml);
  ~MigrationFile();
  MigrationFile(const MigrationFile&) = delete;
  MigrationFile& operator=(const MigrationFile&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::filesystem::path dir_;
  std::string path_;
};

// Options for `url`; with `log`, every log line is appended to it, else dropped.
Options OptionsFor(const std::string& url, std::vector<std::string>* log = nullptr);
// Writes `yaml` as migration `name` and runs `pleat start` (with --complete when
// `complete`) on `url` with OptionsFor(url); *vs gets the version schema.
Status StartYaml(const std::string& url, const std::string& name, const std::string& yaml, bool complete,
                 std::string* vs);
// True when some line of a log OptionsFor collected contains `text`.
bool Logged(const std::vector<std::string>& log, const std::string& text);

}  // namespace pleat::testing

#endif  // PLEAT_TESTS_SUPPORT_MIGRATION_FILE_H_

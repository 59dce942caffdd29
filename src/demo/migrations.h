#ifndef PLEAT_DEMO_MIGRATIONS_H_
#define PLEAT_DEMO_MIGRATIONS_H_
// The two migration files of `pleat demo`, written to a temporary directory
// that the destructor deletes: 01_create_users creates users(id, name, email);
// 02_split_name splits `name` into `first_name` and `last_name`. The `up` and
// `down` expressions are exported so the demo checks the data with the very
// expressions the migration uses. Not copyable.

#include <string>

#include "status.h"

namespace pleat::demo {

inline constexpr const char* kCreateUsers = "01_create_users";
inline constexpr const char* kSplitName = "02_split_name";
// up of first_name and last_name (over the old columns), down of name (over the new).
inline constexpr const char* kFirstNameUp = "split_part(name, ' ', 1)";
inline constexpr const char* kLastNameUp = "substr(name, length(split_part(name, ' ', 1)) + 2)";
inline constexpr const char* kNameDown = "first_name || ' ' || last_name";

class MigrationFiles {
 public:
  MigrationFiles() = default;
  ~MigrationFiles();
  MigrationFiles(const MigrationFiles&) = delete;
  MigrationFiles& operator=(const MigrationFiles&) = delete;

  // Creates the directory and writes both files.
  Status Write();
  // The path of migration `name` (kCreateUsers or kSplitName).
  std::string Path(const std::string& name) const;
  // The text of migration `name`, as written.
  static std::string Text(const std::string& name);

 private:
  std::string dir_;
};

}  // namespace pleat::demo

#endif  // PLEAT_DEMO_MIGRATIONS_H_

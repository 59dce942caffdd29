#ifndef PLEAT_DEMO_MIGRATIONS_H_
#define PLEAT_DEMO_MIGRATIONS_H_
// The two migration files of `pleat demo`, written to a temporary directory
// that the destructor deletes: 01_create_contracts creates contracts with the
// client's and the worker's commission fee in one row; 02_split_contracts
// splits them into contract_clients and contract_workers. The texts are those
// of examples/contracts/, compiled in (demo/example_files.h). Not copyable.

#include <string>

#include "status.h"

namespace pleat::demo {

inline constexpr const char* kCreateContracts = "01_create_contracts";
inline constexpr const char* kSplitContracts = "02_split_contracts";

class MigrationFiles {
 public:
  MigrationFiles() = default;
  ~MigrationFiles();
  MigrationFiles(const MigrationFiles&) = delete;
  MigrationFiles& operator=(const MigrationFiles&) = delete;

  // Creates the directory and writes both files.
  Status Write();
  // The path of migration `name` (kCreateContracts or kSplitContracts).
  std::string Path(const std::string& name) const;
  // The text of migration `name`, as written.
  static std::string Text(const std::string& name);

 private:
  std::string dir_;
};

}  // namespace pleat::demo

#endif  // PLEAT_DEMO_MIGRATIONS_H_

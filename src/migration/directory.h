#ifndef PLEAT_MIGRATION_DIRECTORY_H_
#define PLEAT_MIGRATION_DIRECTORY_H_
// ListMigrationFiles: the migration files of a directory (.yaml, .yml, .json),
// sorted by name, which is the order `migrate` applies them in. Fails naming
// the directory when it cannot be read or holds no migration file.

#include <string>
#include <vector>

#include "status.h"

namespace pleat::migration {

Status ListMigrationFiles(const std::string& dir, std::vector<std::string>* out);

}  // namespace pleat::migration

#endif  // PLEAT_MIGRATION_DIRECTORY_H_

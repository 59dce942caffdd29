#ifndef PLEAT_MIGRATION_WINDOW_H_
#define PLEAT_MIGRATION_WINDOW_H_
// A window: several migration files started as one migration (`pleat migrate
// DIR --together`), so one expand/contract cycle serves them all. Their
// operations are joined in file order into one Migration named after the last
// file, with its version schema suffix; each file stays a Member, so errors and
// step ids name the file an operation came from.

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "migration/migration.h"
#include "status.h"

namespace pleat::migration {

// Joins `files` (loaded, in order; at least two) into *out. Refuses a file
// with an operation that must be alone in its migration (raw SQL).
Status JoinWindow(std::vector<Migration> files, Migration* out);

// The member that operation `index` of `m` came from; nullptr for one file.
const Member* MemberOf(const Migration& m, size_t index);

// "operation 3 (add_column)", or in a window "file 02_b, operation 1 (add_column)".
std::string OperationWhere(const Migration& m, size_t index);

// The parsed document of `m` (ParseDocument); for a window, the last file's
// with the operations lists of all its files joined in order.
Status ParseJoinedDocument(const Migration& m, nlohmann::json* out);

// The joined text stored for a window: each member's text after a comment line naming it.
std::string WindowText(const std::vector<Member>& members);

}  // namespace pleat::migration

#endif  // PLEAT_MIGRATION_WINDOW_H_

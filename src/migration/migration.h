#ifndef PLEAT_MIGRATION_MIGRATION_H_
#define PLEAT_MIGRATION_MIGRATION_H_
// Migration: one migration file, loaded and checked for form (not yet against
// a database). The name is the file name without its extension; the version
// schema suffix is the name unless the file sets `version_schema`.
// Owns its operations; move-only. A window (`migrate --together`, window.h)
// joins several files into one Migration and lists them as its members.

#include <memory>
#include <string>
#include <vector>

#include "ops/operation.h"
#include "status.h"

namespace pleat::migration {

// One file of a window: its name, its text, and where its operations begin in
// the window's list of operations.
struct Member {
  std::string name;
  std::string text;
  size_t first_operation = 0;
};

struct Migration {
  std::string path;            // as given on the command line
  std::string name;            // file name without extension
  std::string version_suffix;  // `version_schema`, else `name`
  std::string text;            // the file's contents, kept in the state schema
  std::vector<std::unique_ptr<ops::Operation>> operations;
  std::vector<Member> members;  // a window's files in order; empty for one file
};

// Limits of one migration file (docs/operations.md), refused on load.
constexpr size_t kMaxFileBytes = size_t{16} << 20;
constexpr size_t kMaxOperations = 50'000;

// Reads and parses `path` (.json, .yaml or .yml). Strict: unknown keys, an
// operation object with more than one key, or an unknown operation are errors
// naming the file and the operation's index (counted from 1).
Status LoadMigrationFile(const std::string& path, Migration* out);
// Same, from text already read (`path` only names it in errors and gives the name).
Status LoadMigrationText(const std::string& path, const std::string& text, Migration* out);

}  // namespace pleat::migration

#endif  // PLEAT_MIGRATION_MIGRATION_H_

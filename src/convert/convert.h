#ifndef PLEAT_CONVERT_CONVERT_H_
#define PLEAT_CONVERT_CONVERT_H_
// Convert: plain DDL (what `prisma migrate diff`, Django, Rails or a person
// writes) into pleat migrations. Each statement becomes pleat operations when
// pleat has them, else a `sql` operation. A `sql` operation must be alone in
// its migration, so the result is a list of migrations: each run of
// convertible statements is one, each run of other statements another.
// Where an operation needs an `up` or `down` that the DDL does not say, the
// field holds a placeholder beginning "TODO:" (not an expression, so start
// refuses it when it validates the operations) and a comment above it says
// what to write.
// Pure: needs no database; fails only on SQL that does not parse.

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "status.h"

namespace pleat::convert {

struct ConvertedOperation {
  std::string key;                           // "add_column"
  nlohmann::ordered_json body;               // the operation's fields, in the order they are written
  std::map<std::string, std::string> notes;  // field of `body` -> comment written above it
  std::string source;                        // the statement it came from
};

// One migration file's operations.
using ConvertedMigration = std::vector<ConvertedOperation>;

// Converts `sql`. On a syntax error the Status says where; callers add the file.
Status Convert(const std::string& sql, std::vector<ConvertedMigration>* out);

// The migration as a YAML migration file.
std::string ToYaml(const ConvertedMigration& migration);

// The file name of part `index` (0-based) of `count` parts written to `path`:
// the path itself for the first, else "<stem>_<index + 1><ext>" beside it, so
// parts sort in order ("05_x.yaml", "05_x_2.yaml").
std::string PartPath(const std::string& path, size_t index);

// The text that marks a field the user must write; start refuses it.
constexpr char kPlaceholder[] = "TODO: ";

}  // namespace pleat::convert

#endif  // PLEAT_CONVERT_CONVERT_H_

#ifndef PLEAT_FINDING_H_
#define PLEAT_FINDING_H_
// Finding: one thing `pleat check` (and the preflight `pleat start` runs) found
// wrong or risky in a migration, from the data-aware preflight or from a lint
// rule. Plain data; the CLI prints it as text or JSON. A finding with
// severity kError blocks `start` (preflight) and makes `check` exit 1.

#include <string>
#include <vector>

namespace pleat {

enum class Severity { kWarning, kError };

struct Finding {
  Severity severity = Severity::kError;
  std::string rule;          // stable id: "not-null-violation", "non-concurrent-index", ...
  std::string file;          // in a window of files (migrate --together): the file of the operation
  int operation = 0;         // 1-based index in the file; 0 for the file as a whole
  std::string operation_key; // "alter_column"
  std::string object;        // "table \"users\" column \"email\""
  std::string message;       // what is wrong, lower-case, quoting identifiers
  long long count = -1;      // offending rows (or groups); -1 when not a data finding
  std::vector<std::string> examples;  // up to five offending keys with their values
  std::string fix;           // what to change in the file
};

}  // namespace pleat

#endif  // PLEAT_FINDING_H_

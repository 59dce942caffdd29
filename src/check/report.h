#ifndef PLEAT_CHECK_REPORT_H_
#define PLEAT_CHECK_REPORT_H_
// Report: how findings read, for people (a few indented lines each) and for CI
// (one JSON object each). Shared by `pleat check` and by `pleat start`, which
// logs them before it refuses or goes on. Pure functions.

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "finding.h"

namespace pleat::check {

// "error: operation 2 (alter_column), table \"users\" column \"email\": 3 rows would ...\n"
// followed by the examples and "  fix: ..." lines; no trailing newline.
std::string FormatFinding(const Finding& f);
// {"severity", "rule", "operation", "operation_key", "object", "message", "count", "examples", "fix"}.
nlohmann::json FindingJson(const Finding& f);
// "2 errors, 1 warning"
std::string Summary(const std::vector<Finding>& findings);

}  // namespace pleat::check

#endif  // PLEAT_CHECK_REPORT_H_

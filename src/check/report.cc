#include "check/report.h"

namespace pleat::check {
namespace {

std::string Plural(size_t n, const std::string& word) { return std::to_string(n) + " " + word + (n == 1 ? "" : "s"); }

}  // namespace

std::string FormatFinding(const Finding& f) {
  std::string where;
  if (!f.file.empty()) where = "file " + f.file;
  if (f.operation > 0)
    where += std::string(where.empty() ? "" : ", ") + "operation " + std::to_string(f.operation) + " (" + f.operation_key + ")";
  if (!f.object.empty()) where += (where.empty() ? "" : ", ") + f.object;
  std::string text = std::string(f.severity == Severity::kError ? "error" : "warning") + " [" + f.rule + "]: " +
                     (where.empty() ? "" : where + ": ") + f.message + "\n";
  for (const auto& e : f.examples) text += "    " + e + "\n";
  if (f.count > static_cast<long long>(f.examples.size()) && !f.examples.empty())
    text += "    ... and " + std::to_string(f.count - static_cast<long long>(f.examples.size())) + " more\n";
  if (!f.fix.empty()) text += "  fix: " + f.fix + "\n";
  text.pop_back();
  return text;
}

nlohmann::json FindingJson(const Finding& f) {
  return {{"severity", f.severity == Severity::kError ? "error" : "warning"},
          {"rule", f.rule},
          {"file", f.file},
          {"operation", f.operation},
          {"operation_key", f.operation_key},
          {"object", f.object},
          {"message", f.message},
          {"count", f.count},
          {"examples", f.examples},
          {"fix", f.fix}};
}

std::string Summary(const std::vector<Finding>& findings) {
  size_t errors = 0;
  for (const auto& f : findings) errors += f.severity == Severity::kError;
  return Plural(errors, "error") + ", " + Plural(findings.size() - errors, "warning");
}

}  // namespace pleat::check

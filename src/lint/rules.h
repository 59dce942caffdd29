#ifndef PLEAT_LINT_RULES_H_
#define PLEAT_LINT_RULES_H_
// The rule families behind lint::Lint, one file each: raw SQL of `sql`
// operations (sql_rules.cc), the bodies of pleat operations (op_rules.cc), and
// identifiers anywhere (identifier_rules.cc). Each family appends findings for
// one operation; Lint() then drops those the operation silences. The rule
// catalogue (rules.cc) holds each rule's id and its safe alternative, so the
// families only say what they found. Internal to src/lint.

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "finding.h"
#include "lint/lint.h"
#include "ops/operation.h"
#include "parse/statements.h"

namespace pleat::lint {

// One operation of the file, as the families see it.
struct OpInput {
  int index = 0;                        // 1-based
  std::string key;                      // "add_column"
  const nlohmann::json* body = nullptr; // the operation's fields
  const LintContext* context = nullptr;
  const ops::Operation* operation = nullptr;  // as loaded; null only if the loader and the file disagree
};

struct RuleInfo {
  const char* id;
  const char* fix;  // the safe alternative, as the finding's `fix`
};

// Every rule, in the order docs/lint.md lists them.
const std::vector<RuleInfo>& AllRules();
// True when `id` names a rule.
bool IsKnownRule(const std::string& id);
// A finding of rule `id` (REQUIRES: IsKnownRule(id)) on `op`, with the rule's fix.
Finding MakeFinding(const OpInput& op, Severity severity, const std::string& id,
                           const std::string& object, const std::string& message);

// Type classification by the type's last name as written or as libpg_query
// spells it ("integer" and pg_catalog.int4 are both 4-byte integers).
bool IsSmallIntegerType(const std::string& type);  // int2/int4 and their serials
bool IsJsonType(const std::string& type);          // json (not jsonb)
// The type name a libpg_query TypeName node spells, as "int4" or "varchar".
std::string TypeNameOf(const nlohmann::json& type_name);

// Table row count at which an int primary key is an error rather than a warning.
constexpr long long kLargeTableRows = 10'000'000;
// The int-primary-key finding for a column `column` of `table`; `is_new` when
// the migration creates the table.
Finding IntPrimaryKeyFinding(const OpInput& op, const std::string& table, const std::string& column,
                                    const std::string& type, bool is_new);

void LintRawSql(const OpInput& op, const parse::Statements& up, std::vector<Finding>* out);
void LintWrittenColumns(const OpInput& op, std::vector<Finding>* out);
// `up` is the parsed SQL of a `sql` operation, else null.
void LintIdentifiers(const OpInput& op, const parse::Statements* up, std::vector<Finding>* out);

}  // namespace pleat::lint

#endif  // PLEAT_LINT_RULES_H_

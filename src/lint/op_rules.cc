// Rules over pleat's own operations. pleat already takes the safe path for
// locks and rewrites, so what is left to catch is the schema design a file
// asks for: json columns and int primary keys. Each operation reports the
// columns it creates or retypes (ops::Operation::AddWrittenColumns), so a new
// operation that adds columns is linted without a change here.
#include "lint/rules.h"

namespace pleat::lint {

void LintWrittenColumns(const OpInput& op, std::vector<Finding>* out) {
  if (!op.operation) return;
  std::vector<ops::WrittenColumn> columns;
  op.operation->AddWrittenColumns(&columns);
  for (const auto& c : columns) {
    if (IsJsonType(c.type))
      out->push_back(MakeFinding(op, Severity::kWarning, "json-column",
                                 "table \"" + c.table + "\" column \"" + c.column + "\"",
                                 "column \"" + c.column + "\" " + (c.retyped ? "becomes" : "is") + " json"));
    if (c.primary_key && IsSmallIntegerType(c.type))
      out->push_back(IntPrimaryKeyFinding(op, c.table, c.column, c.type, c.new_table));
  }
}

}  // namespace pleat::lint

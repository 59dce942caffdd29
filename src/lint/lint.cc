#include "lint/lint.h"

#include <algorithm>

#include "lint/rules.h"
#include "migration/window.h"
#include "parse/document.h"

namespace pleat::lint {
namespace {

using nlohmann::json;

// The list-item key, beside the operation's key, that silences rules for that
// operation (the loader accepts it and nothing else beside the operation).
constexpr char kIgnoreKey[] = "pleat_lint_ignore";

// The rule ids the item silences. An unknown id is reported, so a typo cannot
// leave a rule firing while the author believes it silenced.
std::vector<std::string> IgnoredRules(const json& item, const OpInput& op, std::vector<Finding>* out) {
  std::vector<std::string> ids;
  auto it = item.find(kIgnoreKey);
  if (it == item.end()) return ids;
  for (const json& id : it->is_array() ? *it : json::array({*it})) {
    std::string text = id.is_string() ? id.get<std::string>() : id.dump();
    if (!IsKnownRule(text))
      out->push_back(MakeFinding(op, Severity::kWarning, "unknown-lint-rule", "",
                                 std::string(kIgnoreKey) + " names \"" + text + "\", which is not a lint rule"));
    ids.push_back(text);
  }
  return ids;
}

void LintOperation(const OpInput& op, std::vector<Finding>* out) {
  if (op.key != "sql") {
    LintWrittenColumns(op, out);
    LintIdentifiers(op, nullptr, out);
    return;
  }
  // Only `up`: `down` undoes what `up` did (a DROP of the table `up` created).
  parse::Statements up;
  if (!parse::Statements::Parse(op.body->value("up", ""), &up).ok()) return;  // the loader reports it
  auto down = op.body->find("down"), on_complete = op.body->find("onComplete");
  bool undone = down != op.body->end() && down->is_string() && !down->get<std::string>().empty();
  bool at_complete = on_complete != op.body->end() && on_complete->is_boolean() && on_complete->get<bool>();
  if (!undone && !at_complete)
    out->push_back(MakeFinding(op, Severity::kWarning, "sql-without-down", "",
                               "`up` has no `down`: rollback cannot undo it and leaves what it made"));
  LintRawSql(op, up, out);
  LintIdentifiers(op, &up, out);
}

// The operation's key in a list item: the one key that is not kIgnoreKey.
std::string OperationKey(const json& item) {
  for (auto it = item.begin(); it != item.end(); ++it)
    if (it.key() != kIgnoreKey) return it.key();
  return "";
}

}  // namespace

Status Lint(const migration::Migration& migration, const LintContext& context, std::vector<Finding>* out) {
  json doc;
  Status s = migration::ParseJoinedDocument(migration, &doc);
  if (!s.ok()) return s;
  auto list = doc.is_object() ? doc.find("operations") : doc.end();
  if (!doc.is_object() || list == doc.end() || !list->is_array())
    return Status::Invalid("file " + migration.path + " has no operations list", "load the file before linting it");
  for (size_t i = 0; i < list->size(); ++i) {
    const json& item = (*list)[i];
    if (!item.is_object()) continue;  // the loader refuses such items
    std::string key = OperationKey(item);
    if (key.empty()) continue;
    const ops::Operation* operation = i < migration.operations.size() ? migration.operations[i].get() : nullptr;
    OpInput op{static_cast<int>(i + 1), key, &item[key], &context, operation};
    std::vector<Finding> found;
    std::vector<std::string> ignored = IgnoredRules(item, op, out);
    LintOperation(op, &found);
    for (Finding& f : found)
      if (std::find(ignored.begin(), ignored.end(), f.rule) == ignored.end()) out->push_back(std::move(f));
  }
  return Status::Ok();
}

}  // namespace pleat::lint

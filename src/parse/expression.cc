#include "parse/expression.h"
#include "parse/identifier_text.h"
#include "parse/parse_result.h"
#include "parse/typed_text.h"

#include <pg_query.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <string_view>
#include <utility>

#include <nlohmann/json.hpp>

namespace pleat::parse {
namespace {

using nlohmann::json;

// The text is parsed as the target list of a SELECT; locations in the parse
// tree count from the start of this prefix.
constexpr std::string_view kPrefix = "SELECT ";

// libpg_query recurses once per chained operator and overflows an 8 MB stack
// near 60,000 of them (about 120 KB of `a+a+...`). Expressions in migration
// files are a few hundred bytes, so refuse long texts before they can crash us.
constexpr size_t kMaxTextBytes = 32 * 1024;

constexpr char kShapeHint[] =
    "write one SQL expression, as it would appear in a SELECT list or a CHECK (...)";

// Child `key` of an object node, or null. Never throws, whatever shape the tree has.
const json& Field(const json& node, const char* key) {
  static const json kNull;
  if (!node.is_object()) return kNull;
  auto it = node.find(key);
  return it == node.end() ? kNull : *it;
}

int IntField(const json& node, const char* key) {
  const json& value = Field(node, key);
  return value.is_number_integer() ? value.get<int>() : -1;
}

// The sval of a {"String": {"sval": ...}} node, or "" for any other node.
std::string StringNode(const json& node) {
  const json& value = Field(Field(node, "String"), "sval");
  return value.is_string() ? value.get<std::string>() : "";
}

// A byte that may continue a keyword or an unquoted identifier.
bool IsWordByte(char c) {
  unsigned char u = static_cast<unsigned char>(c);
  return std::isalnum(u) || u == '_' || u == '$' || u >= 0x80;
}

Status NotAnExpression(const std::string& why) {
  return Status::Invalid("not a single SQL expression: " + why, kShapeHint);
}

// The parser's cursor is a 1-based character position in the SELECT text;
// users wrote only the part after the prefix.
Status ParseError(const PgQueryError& error) {
  std::string msg = error.message != nullptr ? error.message : "cannot parse";
  if (error.cursorpos > 0) {
    int pos = std::max(1, error.cursorpos - static_cast<int>(kPrefix.size()));
    msg += " at position " + std::to_string(pos);
  }
  return Status::Invalid(msg, "fix the SQL expression");
}

// Fails unless `select` is a plain SELECT of one target with no clauses.
Status CheckSelectShape(const json& select) {
  // SQL words for the SelectStmt fields that make the text more than an expression.
  static const std::map<std::string, std::string> kClauses = {
      {"fromClause", "FROM"},         {"whereClause", "WHERE"},   {"groupClause", "GROUP BY"},
      {"havingClause", "HAVING"},     {"windowClause", "WINDOW"}, {"sortClause", "ORDER BY"},
      {"limitCount", "LIMIT"},        {"limitOffset", "OFFSET"},  {"limitOption", "LIMIT"},
      {"lockingClause", "FOR UPDATE"}, {"intoClause", "INTO"},    {"distinctClause", "DISTINCT"},
      {"withClause", "WITH"},         {"larg", "UNION, INTERSECT or EXCEPT"}};
  for (auto it = select.begin(); it != select.end(); ++it) {
    const std::string& key = it.key();
    if (key == "targetList") continue;
    if (key == "op") continue;  // a set operation also has larg, which is reported
    if (key == "limitOption" && it.value() == "LIMIT_OPTION_DEFAULT") continue;
    auto clause = kClauses.find(key);
    return NotAnExpression("unexpected " + (clause != kClauses.end() ? clause->second : key));
  }
  return Status::Ok();
}

// Fails unless the target list holds exactly one unnamed, non-star expression.
Status CheckTargets(const json& select) {
  const json& list = Field(select, "targetList");
  if (!list.is_array() || list.empty()) {
    return Status::Invalid("the expression is empty", kShapeHint);
  }
  if (list.size() > 1) {
    return NotAnExpression("found " + std::to_string(list.size()) +
                           " comma-separated expressions");
  }
  const json& target = Field(list.front(), "ResTarget");
  const json& name = Field(target, "name");
  if (name.is_string()) {
    return NotAnExpression("unexpected name \"" + name.get<std::string>() +
                           "\" after the expression");
  }
  const json& fields = Field(Field(Field(target, "val"), "ColumnRef"), "fields");
  if (fields.is_array() && !fields.empty() && fields.back().contains("A_Star")) {
    return NotAnExpression("\"*\" selects columns, it is not an expression");
  }
  return Status::Ok();
}

// Runs libpg_query on `text` as a SELECT list and reads its JSON parse tree.
Status ParseTree(const std::string& text, json* tree) {
  if (text.find('\0') != std::string::npos) {
    return Status::Invalid("the expression contains a NUL byte", "remove the NUL byte");
  }
  if (text.size() > kMaxTextBytes) {
    return Status::Invalid("the expression is longer than " + std::to_string(kMaxTextBytes) +
                           " bytes", "split the work into smaller expressions or a function");
  }
  ParseResult result(std::string(kPrefix) + text);
  if (result.get().error != nullptr) return ParseError(*result.get().error);
  *tree = json::parse(result.get().parse_tree, nullptr, /*allow_exceptions=*/false);
  // libpg_query copies identifiers and literals byte for byte into its JSON, so
  // the JSON is unreadable exactly when the expression is not valid UTF-8.
  if (tree->is_discarded()) {
    return Status::Invalid("the expression is not valid UTF-8", "write the expression in UTF-8");
  }
  return Status::Ok();
}

// Fails unless the tree is exactly one SELECT statement of one expression.
Status CheckShape(const json& tree) {
  const json& stmts = Field(tree, "stmts");
  size_t count = stmts.is_array() ? stmts.size() : 0;
  if (count != 1) return NotAnExpression("found " + std::to_string(count) + " statements");
  // stmt_len is set only when a ";" ended the statement.
  if (IntField(stmts.front(), "stmt_len") > 0) return NotAnExpression("unexpected \";\"");
  const json& select = Field(Field(stmts.front(), "stmt"), "SelectStmt");
  if (!select.is_object()) return NotAnExpression("not a SELECT list");
  Status s = CheckSelectShape(select);
  if (!s.ok()) return s;
  return CheckTargets(select);
}

// What a walk over the parse tree found.
struct Found {
  std::vector<Expression::ColumnRef> refs;
  std::vector<std::pair<int, std::string>> calls;  // location, function name
  Expression::UnqualifiedNames names;
  bool constant = true;  // no column, call, operator, sub-SELECT or table met
};

Status AddColumnRef(const std::string& text, const json& ref, bool in_subquery, Found* found) {
  const json& fields = Field(ref, "fields");
  if (!fields.is_array() || fields.size() != 1) return Status::Ok();  // t.c, NEW.c
  std::string name = StringNode(fields.front());
  if (name.empty()) return Status::Ok();  // a star
  int location = IntField(ref, "location");
  size_t offset = location - static_cast<int>(kPrefix.size());
  if (location < static_cast<int>(kPrefix.size()) || offset >= text.size()) {
    return Status::Invalid("cannot locate column reference \"" + name + "\"");
  }
  found->refs.push_back({name, offset, WrittenIdentifierLength(text, offset), in_subquery});
  return Status::Ok();
}

void AddCall(const json& call, Found* found) {
  const json& names = Field(call, "funcname");
  if (!names.is_array() || names.empty()) return;
  std::string name = StringNode(names.back());
  if (!name.empty()) found->calls.push_back({IntField(call, "location"), name});
}

// The name in a one-element name list (an unqualified name), else "".
std::string UnqualifiedName(const json& names) {
  return names.is_array() && names.size() == 1 ? StringNode(names.front()) : "";
}

void AddIfUnqualified(const json& names, std::set<std::string>* into) {
  std::string name = UnqualifiedName(names);
  if (!name.empty()) into->insert(name);
}

// The operators an A_Expr looks up: its own name, or for BETWEEN the
// comparisons it expands to (the others' names are already operators: IN and
// NULLIF and IS DISTINCT FROM carry `=`, LIKE `~~`).
void AddOperators(const json& a_expr, Expression::UnqualifiedNames* names) {
  const json& kind = Field(a_expr, "kind");
  if (kind.is_string() && kind.get<std::string>().find("BETWEEN") != std::string::npos) {
    names->operators.insert({"<", "<=", ">", ">="});
    return;
  }
  AddIfUnqualified(Field(a_expr, "name"), &names->operators);
}

// Records the names node `key` looks up through the search_path.
void AddNames(const std::string& key, const json& node, Expression::UnqualifiedNames* names) {
  if (key == "FuncCall") AddIfUnqualified(Field(node, "funcname"), &names->functions);
  if (key == "A_Expr") AddOperators(node, names);
  if (key == "SubLink") AddIfUnqualified(Field(node, "operName"), &names->operators);
  if (key == "CaseExpr" && Field(node, "arg").is_object()) names->operators.insert("=");
  if (key == "TypeName" || key == "typeName") AddIfUnqualified(Field(node, "names"), &names->types);
  if (key == "CollateClause") AddIfUnqualified(Field(node, "collname"), &names->collations);
  if (key == "RangeVar" && !Field(node, "schemaname").is_string()) names->table = true;
}

// Iterative, because the tree is as deep as the longest operator chain.
// Visits nodes in no particular order; callers sort by location.
Status Walk(const std::string& text, const json& root, Found* found) {
  std::vector<std::pair<const json*, bool>> stack = {{&root, false}};  // node, in sub-SELECT
  while (!stack.empty()) {
    auto [node, in_subquery] = stack.back();
    stack.pop_back();
    if (node->is_array()) {
      for (const json& child : *node) stack.push_back({&child, in_subquery});
    }
    if (!node->is_object()) continue;
    for (auto it = node->begin(); it != node->end(); ++it) {
      if (it.key() == "ColumnRef") {
        Status s = AddColumnRef(text, it.value(), in_subquery, found);
        if (!s.ok()) return s;
      }
      if (it.key() == "FuncCall") AddCall(it.value(), found);
      if (it.key() == "ColumnRef" || it.key() == "FuncCall" || it.key() == "A_Expr" || it.key() == "SubLink" ||
          it.key() == "RangeVar")
        found->constant = false;
      AddNames(it.key(), it.value(), &found->names);
      // Only the subselect of a SubLink is a subquery; its testexpr (`x` in
      // `x IN (SELECT ...)`) belongs to the outer expression.
      stack.push_back({&it.value(), in_subquery || it.key() == "subselect"});
    }
  }
  return Status::Ok();
}

// Appends `name` unless `seen` already holds it: keeps order of first use.
void AppendOnce(const std::string& name, std::set<std::string>* seen,
                std::vector<std::string>* names) {
  if (seen->insert(name).second) names->push_back(name);
}

}  // namespace

Status Expression::Parse(const std::string& text, Expression* out) {
  json tree;
  Status s = ParseTree(text, &tree);
  if (s.ok()) s = CheckShape(tree);
  if (s.ok()) s = CheckNoOpenLineComment(std::string(kPrefix) + text);
  Found found;
  if (s.ok()) s = Walk(text, tree, &found);
  if (!s.ok()) return s;
  std::sort(found.refs.begin(), found.refs.end(),
            [](const ColumnRef& a, const ColumnRef& b) { return a.offset < b.offset; });
  std::sort(found.calls.begin(), found.calls.end());
  out->text_ = text;
  out->refs_ = std::move(found.refs);
  out->names_ = std::move(found.names);
  out->constant_ = found.constant;
  out->functions_.clear();
  std::set<std::string> seen;
  for (const auto& [location, name] : found.calls) AppendOnce(name, &seen, &out->functions_);
  return Status::Ok();
}

std::vector<std::string> Expression::ReferencedColumns() const {
  std::vector<std::string> names;
  std::set<std::string> seen;
  for (const ColumnRef& ref : refs_) {
    if (!ref.in_subquery) AppendOnce(ref.name, &seen, &names);
  }
  return names;
}

std::string Expression::RenameColumns(const std::map<std::string, std::string>& replacements,
                                      bool include_subqueries) const {
  std::string result = text_;
  // Back to front, so each replacement leaves the earlier offsets valid.
  for (auto ref = refs_.rbegin(); ref != refs_.rend(); ++ref) {
    if (ref->in_subquery && !include_subqueries) continue;
    auto replacement = replacements.find(ref->name);
    if (replacement != replacements.end()) {
      // `else"a"` lexes as two tokens; `elseNEW."a"` would be one: keep them apart.
      const std::string& with = replacement->second;
      size_t end = ref->offset + ref->length;
      bool glued_before =
          ref->offset > 0 && IsWordByte(result[ref->offset - 1]) && !with.empty() && IsWordByte(with.front());
      bool glued_after = end < result.size() && IsWordByte(result[end]) && !with.empty() && IsWordByte(with.back());
      result.replace(ref->offset, ref->length, (glued_before ? " " : "") + with + (glued_after ? " " : ""));
    }
  }
  return result;
}

}  // namespace pleat::parse

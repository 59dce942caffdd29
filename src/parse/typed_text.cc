#include "parse/typed_text.h"
#include "parse/parse_result.h"

#include <pg_query.h>

#include <nlohmann/json.hpp>

namespace pleat::parse {
namespace {

using nlohmann::json;

// A type name or a list of sequence options is a few dozen bytes; the bound
// keeps the parser's recursion far from the stack's end.
constexpr size_t kMaxFieldBytes = 4096;

const json& Field(const json& node, const char* key) {
  static const json kNull;
  if (!node.is_object()) return kNull;
  auto it = node.find(key);
  return it == node.end() ? kNull : *it;
}

// Parses `prefix + text` and returns its one statement node (e.g. {"SelectStmt": {...}}).
Status ParseOne(const std::string& prefix, const std::string& text, json* stmt) {
  if (text.find('\0') != std::string::npos) return Status::Invalid("it contains a NUL byte", "remove the NUL byte");
  if (text.size() > kMaxFieldBytes)
    return Status::Invalid("it is longer than " + std::to_string(kMaxFieldBytes) + " bytes", "shorten it");
  ParseResult result(prefix + text);
  if (result.get().error != nullptr) {
    std::string msg = result.get().error->message != nullptr ? result.get().error->message : "cannot parse";
    return Status::Invalid(msg);
  }
  json tree = json::parse(result.get().parse_tree, nullptr, /*allow_exceptions=*/false);
  if (tree.is_discarded()) return Status::Invalid("it is not valid UTF-8", "write it in UTF-8");
  const json& stmts = Field(tree, "stmts");
  size_t count = stmts.is_array() ? stmts.size() : 0;
  if (count != 1) return Status::Invalid("it makes " + std::to_string(count) + " statements");
  // stmt_len is set only when a ";" ended the statement.
  if (Field(stmts.front(), "stmt_len").is_number_integer() && Field(stmts.front(), "stmt_len").get<int>() > 0)
    return Status::Invalid("it holds a \";\"");
  *stmt = Field(stmts.front(), "stmt");
  return CheckNoOpenLineComment(prefix + text);
}

// True when every key of `node` is in `allowed`.
bool OnlyKeys(const json& node, std::initializer_list<const char*> allowed) {
  if (!node.is_object()) return false;
  for (auto it = node.begin(); it != node.end(); ++it) {
    bool known = false;
    for (const char* key : allowed) known = known || it.key() == key;
    if (!known) return false;
  }
  return true;
}

// Type modifiers are constants (`varchar(255)`) or bare words; PostgreSQL
// evaluates nothing else there, but an expression has no business in a type.
bool ConstantModifiers(const json& type_name) {
  const json& mods = Field(type_name, "typmods");
  if (mods.is_null()) return true;
  if (!mods.is_array()) return false;
  for (const json& mod : mods) {
    const json& ref = Field(mod, "ColumnRef");
    bool word = ref.is_object() && Field(ref, "fields").is_array() && Field(ref, "fields").size() == 1;
    if (!Field(mod, "A_Const").is_object() && !word) return false;
  }
  return true;
}

Status CheckTypeCast(const json& select) {
  const json& targets = Field(select, "targetList");
  if (!OnlyKeys(select, {"targetList", "limitOption", "op"}) || Field(select, "op") != "SETOP_NONE" ||
      Field(select, "limitOption") != "LIMIT_OPTION_DEFAULT")
    return Status::Invalid("SQL follows the type name");
  if (!targets.is_array() || targets.size() != 1) return Status::Invalid("a \",\" follows the type name");
  const json& target = Field(targets.front(), "ResTarget");
  const json& cast = Field(Field(target, "val"), "TypeCast");
  if (!OnlyKeys(target, {"val", "location"}) || !OnlyKeys(cast, {"arg", "typeName", "location"}))
    return Status::Invalid("SQL follows the type name");
  const json& arg = Field(Field(cast, "arg"), "A_Const");
  if (!OnlyKeys(arg, {"isnull", "location"}) || Field(arg, "isnull") != true)
    return Status::Invalid("SQL follows the type name");
  const json& type_name = Field(cast, "typeName");
  if (!OnlyKeys(type_name, {"names", "typmods", "typemod", "arrayBounds", "location"}))
    return Status::Invalid("SETOF or %TYPE is not a column type");
  if (!ConstantModifiers(type_name)) return Status::Invalid("a type modifier must be a constant");
  return Status::Ok();
}

}  // namespace

Status CheckNoOpenLineComment(const std::string& sql) {
  if (sql.find("--") == std::string::npos) return Status::Ok();
  // Text that ends inside a `--` comment swallows the statement added after it.
  ParseResult result(sql + " ;SELECT 1");
  const char* tree = result.get().parse_tree;
  json parsed = result.get().error == nullptr && tree ? json::parse(tree, nullptr, false) : json();
  const json& stmts = Field(parsed, "stmts");
  if (stmts.is_array() && stmts.size() == 2) return Status::Ok();
  return Status::Invalid("it ends in a `--` comment, which would hide the SQL pleat writes after it",
                         "remove the comment, or end it with a line break");
}

Status ParseTypeName(const std::string& text) {
  json stmt;
  Status s = ParseOne("SELECT NULL::", text, &stmt);
  if (s.ok()) s = CheckTypeCast(Field(stmt, "SelectStmt"));
  if (s.ok()) return s;
  return Status::Invalid("\"" + text + "\" is not a single type name: " + s.message(),
                         s.hint().empty() ? "write one type, e.g. varchar(255), numeric(10,2), text[] or "
                                            "myschema.mytype; run other SQL in a `sql` operation"
                                          : s.hint());
}

Status ParseSequenceOptions(const std::string& text) {
  json stmt;
  Status s = ParseOne("CREATE SEQUENCE s ", text, &stmt);
  if (s.ok() && !Field(stmt, "CreateSeqStmt").is_object()) s = Status::Invalid("not a CREATE SEQUENCE");
  if (s.ok()) return s;
  return Status::Invalid("\"" + text + "\" is not a list of sequence options: " + s.message(),
                         s.hint().empty() ? "write options as CREATE SEQUENCE takes them, e.g. `START WITH 10 "
                                            "INCREMENT BY 5`; run other SQL in a `sql` operation"
                                          : s.hint());
}

}  // namespace pleat::parse

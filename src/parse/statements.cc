#include "parse/statements.h"
#include "parse/parse_result.h"

#include <pg_query.h>

#include <cctype>

namespace pleat::parse {
namespace {

using nlohmann::json;

// libpg_query recurses once per operator of a chain like `1+1+...` and
// overflows an 8 MB stack near 64,000 of them (128 KB of text). A statement
// is refused past half that length; a text of many statements may be longer.
constexpr size_t kMaxStatementBytes = 64 * 1024;

// Owns the result of pg_query_split_with_scanner, which splits without
// building parse trees, so it cannot recurse deeply.
class SplitResult {
 public:
  explicit SplitResult(const std::string& sql) : result_(pg_query_split_with_scanner(sql.c_str())) {}
  ~SplitResult() { pg_query_free_split_result(result_); }
  SplitResult(const SplitResult&) = delete;
  SplitResult& operator=(const SplitResult&) = delete;
  const PgQuerySplitResult& get() const { return result_; }

 private:
  PgQuerySplitResult result_;
};

// Fails when a statement is too long to parse safely. Text the scanner cannot
// split is left to the parser, which reports the error without building a tree.
Status CheckLengths(const std::string& text) {
  SplitResult split(text);
  if (split.get().error != nullptr) return Status::Ok();
  for (int i = 0; i < split.get().n_stmts; ++i) {
    if (static_cast<size_t>(split.get().stmts[i]->stmt_len) <= kMaxStatementBytes) continue;
    return Status::Invalid("statement " + std::to_string(i + 1) + " is longer than " +
                               std::to_string(kMaxStatementBytes) + " bytes",
                           "split it into smaller statements, or load large data outside the migration");
  }
  return Status::Ok();
}

// The 1-based line of the 1-based character position `cursor` (characters, not bytes).
int LineOf(const std::string& text, int cursor) {
  int line = 1, chars = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    bool lead = (static_cast<unsigned char>(text[i]) & 0xC0) != 0x80;
    if (lead && ++chars >= cursor) break;
    if (text[i] == '\n') ++line;
  }
  return line;
}

Status ParseError(const std::string& text, const PgQueryError& error) {
  std::string msg = error.message != nullptr ? error.message : "cannot parse";
  if (error.cursorpos > 0) msg += " at line " + std::to_string(LineOf(text, error.cursorpos));
  return Status::Invalid(msg, "fix the SQL");
}

std::string Trim(const std::string& text) {
  size_t begin = 0, end = text.size();
  while (begin < end && std::isspace(static_cast<unsigned char>(text[begin]))) ++begin;
  while (end > begin && std::isspace(static_cast<unsigned char>(text[end - 1]))) --end;
  return text.substr(begin, end - begin);
}

int IntField(const json& node, const char* key) {
  auto it = node.find(key);
  return it != node.end() && it->is_number_integer() ? it->get<int>() : 0;
}

// One entry of the tree's "stmts" list; stmt_len 0 means "to the end of the text".
Status ReadStatement(const std::string& text, const json& raw, Statements::Statement* out) {
  auto stmt = raw.find("stmt");
  if (!raw.is_object() || stmt == raw.end() || !stmt->is_object() || stmt->size() != 1)
    return Status::Invalid("cannot read the parse tree of the SQL", "fix the SQL");
  size_t location = static_cast<size_t>(IntField(raw, "stmt_location"));
  size_t length = static_cast<size_t>(IntField(raw, "stmt_len"));
  if (location > text.size()) return Status::Invalid("cannot locate a statement in the SQL", "fix the SQL");
  out->kind = stmt->begin().key();
  out->tree = stmt->begin().value();
  out->text = Trim(text.substr(location, length == 0 ? std::string::npos : length));
  return Status::Ok();
}

}  // namespace

Status Statements::Parse(const std::string& text, Statements* out) {
  if (text.find('\0') != std::string::npos) return Status::Invalid("the SQL contains a NUL byte", "remove the NUL byte");
  Status s = CheckLengths(text);
  if (!s.ok()) return s;
  ParseResult result(text);
  if (result.get().error != nullptr) return ParseError(text, *result.get().error);
  // libpg_query copies identifiers and literals byte for byte into its JSON, so
  // the JSON is unreadable exactly when the SQL is not valid UTF-8.
  json tree = json::parse(result.get().parse_tree, nullptr, /*allow_exceptions=*/false);
  if (tree.is_discarded()) return Status::Invalid("the SQL is not valid UTF-8", "write the SQL in UTF-8");
  auto stmts = tree.find("stmts");
  if (stmts == tree.end() || !stmts->is_array() || stmts->empty())
    return Status::Invalid("the SQL holds no statement", "write at least one SQL statement");
  std::vector<Statement> list(stmts->size());
  for (size_t i = 0; i < list.size(); ++i) {
    s = ReadStatement(text, (*stmts)[i], &list[i]);
    if (!s.ok()) return s;
  }
  out->statements_ = std::move(list);
  return Status::Ok();
}

}  // namespace pleat::parse

// long-identifier: PostgreSQL keeps the first 63 bytes of a name (NAMEDATALEN
// - 1) and drops the rest with only a NOTICE, so the object in the database is
// not named what the file says, and two long names can collide.
#include <algorithm>
#include <cctype>
#include <set>

#include "lint/rules.h"

namespace pleat::lint {
namespace {

using nlohmann::json;

constexpr size_t kMaxIdentifierBytes = 63;

// Keys of operation bodies whose string values (or lists of strings) name
// objects. Expressions (`up`, `check`, defaults) are not names and are left out.
const std::set<std::string>& NameKeys() {
  static const std::set<std::string> kKeys = {"name", "table", "column", "from", "to", "columns", "include_columns"};
  return kKeys;
}

void CollectFromBody(const nlohmann::json& node, bool is_name, std::set<std::string>* out) {
  if (node.is_string()) {
    if (is_name && node.get<std::string>().size() > kMaxIdentifierBytes) out->insert(node.get<std::string>());
  } else if (node.is_array()) {
    for (const nlohmann::json& child : node) CollectFromBody(child, is_name, out);
  } else if (node.is_object()) {
    for (auto it = node.begin(); it != node.end(); ++it) CollectFromBody(it.value(), NameKeys().count(it.key()) > 0, out);
  }
}

// Index just past the end of the quoted token that opens at `i` with `quote`
// (a doubled quote inside is part of it); the token's text goes to *text.
size_t QuotedEnd(const std::string& sql, size_t i, const std::string& quote, std::string* text) {
  size_t j = i + quote.size();
  for (size_t close; (close = sql.find(quote, j)) != std::string::npos; j = close + 2 * quote.size()) {
    text->append(sql, j, close - j);
    if (quote.size() > 1 || sql.compare(close + 1, 1, quote) != 0) return close + quote.size();
    text->append(quote);
  }
  text->append(sql, j, std::string::npos);
  return sql.size();
}

bool IsWordByte(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$' || static_cast<unsigned char>(c) >= 0x80;
}

// Identifiers as written in raw SQL. The parser truncates long names before
// they reach the parse tree, so the text is read: quoted names, and bare
// words (keywords are short), skipping literals, comments and dollar quotes.
void CollectFromSql(const std::string& sql, std::set<std::string>* out) {
  size_t i = 0;
  while (i < sql.size()) {
    std::string token, dollar_tag;
    char c = sql[i];
    if (c == '"' || c == '\'') {
      i = QuotedEnd(sql, i, std::string(1, c), &token);
      if (c == '\'') token.clear();
    } else if (sql.compare(i, 2, "--") == 0 || sql.compare(i, 2, "/*") == 0) {
      size_t close = sql.find(c == '-' ? "\n" : "*/", i + 2);
      i = close == std::string::npos ? sql.size() : close + 2;
    } else if (c == '$' && (dollar_tag = sql.substr(i, sql.find('$', i + 1) - i + 1)).size() > 1 &&
               dollar_tag.back() == '$' && std::all_of(dollar_tag.begin() + 1, dollar_tag.end() - 1, IsWordByte)) {
      i = QuotedEnd(sql, i, dollar_tag, &token);
      token.clear();
    } else if (IsWordByte(c) && !std::isdigit(static_cast<unsigned char>(c))) {
      while (i < sql.size() && IsWordByte(sql[i])) token += sql[i++];
    } else {
      ++i;
    }
    if (token.size() > kMaxIdentifierBytes) out->insert(token);
  }
}

}  // namespace

void LintIdentifiers(const OpInput& op, const parse::Statements* up, std::vector<Finding>* out) {
  std::set<std::string> names;
  if (up == nullptr) CollectFromBody(*op.body, false, &names);
  else
    for (const auto& st : up->statements()) CollectFromSql(st.text, &names);
  for (const std::string& name : names)
    out->push_back(MakeFinding(op, Severity::kError, "long-identifier", "\"" + name + "\"",
                               "the name is " + std::to_string(name.size()) + " bytes; PostgreSQL keeps only the first " +
                                   std::to_string(kMaxIdentifierBytes) + ": \"" + name.substr(0, kMaxIdentifierBytes) +
                                   "\""));
}

}  // namespace pleat::lint

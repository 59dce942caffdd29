#include "convert/sql_text.h"

#include <algorithm>
#include <cctype>
#include <limits>

#include "parse/expression.h"
#include "parse/statements.h"
#include "pg/quote.h"

namespace pleat::convert {
namespace {

using nlohmann::json;

// pg_catalog names that read better (and mean the same) as their SQL spelling.
std::string CatalogTypeName(const std::string& name) {
  static const std::pair<const char*, const char*> kNames[] = {
      {"int2", "smallint"}, {"int4", "integer"}, {"int8", "bigint"},    {"float4", "real"},
      {"float8", "double precision"}, {"bool", "boolean"}, {"bpchar", "char"}, {"varbit", "bit varying"}};
  for (const auto& [internal, sql] : kNames)
    if (name == internal) return sql;
  return name;
}

bool Typmods(const json& type_name, std::string* out) {
  auto mods = type_name.find("typmods");
  if (mods == type_name.end()) return true;
  std::string list;
  for (const json& m : *mods) {
    const json& c = m.value("A_Const", json::object());
    if (!c.contains("ival")) return false;  // interval fields and the like: keep the SQL as written
    list += (list.empty() ? "" : ",") + std::to_string(c["ival"].value("ival", 0));
  }
  *out += "(" + list + ")";
  return true;
}

// The smallest "location" in a subtree: where its first token starts.
size_t FirstLocation(const json& node) {
  size_t best = std::numeric_limits<size_t>::max();
  if (!node.is_structured()) return best;
  if (node.is_object()) {
    auto loc = node.find("location");
    if (loc != node.end() && loc->is_number_integer() && loc->get<long long>() >= 0) best = loc->get<size_t>();
  }
  for (const json& child : node) best = std::min(best, FirstLocation(child));
  return best;
}

// Index just past the quoted token or comment starting at `i`, or `i` when none starts there.
size_t SkipQuoted(const std::string& t, size_t i) {
  if (t[i] == '\'' || t[i] == '"') {
    size_t j = i + 1;
    while (j < t.size() && !(t[j] == t[i] && (j + 1 >= t.size() || t[j + 1] != t[i]))) j += t[j] == t[i] ? 2 : 1;
    return std::min(j + 1, t.size());
  }
  if (t.compare(i, 2, "--") == 0) return std::min(t.find('\n', i), t.size());
  if (t.compare(i, 2, "/*") == 0) return std::min(t.find("*/", i), t.size() - 2) + 2;
  if (t[i] == '$') {
    size_t close = t.find('$', i + 1);
    std::string tag = close == std::string::npos ? "" : t.substr(i, close - i + 1);
    bool is_tag = !tag.empty() && std::all_of(tag.begin() + 1, tag.end() - 1, [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
    });
    if (!is_tag) return i;
    size_t end = t.find(tag, close + 1);
    return end == std::string::npos ? t.size() : end + tag.size();
  }
  return i;
}

// From `begin`, the end of an expression: a ',' or ';' outside parentheses, a
// ')' that closes a parenthesis opened before `begin`, or `bound`.
size_t ExpressionEnd(const std::string& t, size_t begin, size_t bound) {
  int depth = 0;
  size_t i = begin, end = std::min(bound, t.size());
  while (i < end) {
    size_t skipped = SkipQuoted(t, i);
    if (skipped != i) {
      i = skipped;
      continue;
    }
    char c = t[i];
    if (c == '(') ++depth;
    if (c == ')' && --depth < 0) break;
    if ((c == ',' || c == ';') && depth == 0) break;
    ++i;
  }
  return std::min(i, end);
}

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r\n"), e = s.find_last_not_of(" \t\r\n");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

bool IsExpression(const std::string& text) {
  parse::Expression e;
  return !text.empty() && parse::Expression::Parse(text, &e).ok();
}

}  // namespace

std::string SqlName(const std::string& name) {
  bool plain = !name.empty() && (std::islower(static_cast<unsigned char>(name[0])) || name[0] == '_') &&
               std::all_of(name.begin(), name.end(), [](char c) {
                 return std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) ||
                        c == '_';
               });
  parse::Statements probe;  // a reserved word ("user", "order") must be quoted
  if (plain && parse::Statements::Parse("SELECT NULL::" + name, &probe).ok()) return name;
  return pg::QuoteIdent(name);
}

bool TypeText(const json& type_name, std::string* out) {
  if (type_name.value("setof", false) || type_name.value("pct_type", false)) return false;
  std::vector<std::string> names = Names(type_name.value("names", json::array()));
  if (names.empty()) return false;
  std::string text;
  if (names.size() == 2 && names[0] == "pg_catalog") {
    text = CatalogTypeName(names[1]);
  } else {
    for (const auto& n : names) text += (text.empty() ? "" : ".") + SqlName(n);
  }
  if (!Typmods(type_name, &text)) return false;
  for (size_t i = 0; i < type_name.value("arrayBounds", json::array()).size(); ++i) text += "[]";
  *out = text;
  return true;
}

bool ExpressionText(const std::string& text, const json& node, size_t bound, std::string* out) {
  size_t begin = FirstLocation(node);
  if (begin >= text.size()) return false;
  // An expression that starts with '(' has its first location inside it.
  while (begin > 0 && (text[begin - 1] == '(' || std::isspace(static_cast<unsigned char>(text[begin - 1])))) --begin;
  while (begin < text.size() && std::isspace(static_cast<unsigned char>(text[begin]))) ++begin;
  std::string expr = Trim(text.substr(begin, ExpressionEnd(text, begin, bound) - begin));
  if (!IsExpression(expr)) return false;
  *out = expr;
  return true;
}

bool CheckText(const std::string& text, const json& node, std::string* out) {
  size_t first = FirstLocation(node);
  if (first >= text.size()) return false;
  std::string upper = text.substr(0, first);
  std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char c) { return std::toupper(c); });
  size_t keyword = upper.rfind("CHECK");
  size_t open = keyword == std::string::npos ? std::string::npos : text.find('(', keyword);
  if (open == std::string::npos || open >= first) return false;
  std::string expr = Trim(text.substr(open + 1, ExpressionEnd(text, open + 1, text.size()) - open - 1));
  if (!IsExpression(expr)) return false;
  *out = expr;
  return true;
}

std::string LastName(const json& list) {
  std::vector<std::string> names = Names(list);
  return names.empty() ? "" : names.back();
}

std::vector<std::string> Names(const json& list) {
  std::vector<std::string> names;
  if (!list.is_array()) return names;
  for (const json& n : list) names.push_back(n.value("String", json::object()).value("sval", ""));
  return names;
}

}  // namespace pleat::convert

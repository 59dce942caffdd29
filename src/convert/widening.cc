#include "convert/widening.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <vector>

namespace pleat::convert {
namespace {

struct Type {
  std::string base;       // canonical name
  std::vector<int> args;  // typmod numbers; empty: unconstrained
  bool ok = false;
};

Type Parse(const std::string& text) {
  static const std::map<std::string, std::string> kAliases = {
      {"int2", "smallint"},         {"int", "integer"},        {"int4", "integer"},
      {"int8", "bigint"},           {"float4", "real"},        {"float8", "double precision"},
      {"float", "double precision"}, {"varchar", "character varying"}, {"decimal", "numeric"}};
  std::string s;
  for (char c : text) s += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  Type t;
  size_t open = s.find('(');
  t.base = s.substr(0, open);
  while (!t.base.empty() && t.base.back() == ' ') t.base.pop_back();
  if (auto a = kAliases.find(t.base); a != kAliases.end()) t.base = a->second;
  if (open != std::string::npos) {
    size_t close = s.find(')', open);
    if (close == std::string::npos || close + 1 != s.size()) return t;
    std::string inside = s.substr(open + 1, close - open - 1);
    for (size_t start = 0; start <= inside.size();) {
      size_t comma = inside.find(',', start);
      std::string num = inside.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      num.erase(std::remove(num.begin(), num.end(), ' '), num.end());
      if (num.empty() || !std::all_of(num.begin(), num.end(), ::isdigit)) return t;
      t.args.push_back(std::stoi(num));
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  }
  t.ok = true;
  return t;
}

// Integer and floating types each `from` fits into exactly.
bool NumericWidens(const std::string& from, const std::string& to) {
  static const std::map<std::string, std::vector<std::string>> kInto = {
      {"smallint", {"integer", "bigint", "real", "double precision"}},
      {"integer", {"bigint", "double precision"}},
      {"real", {"double precision"}}};
  auto it = kInto.find(from);
  return it != kInto.end() && std::count(it->second.begin(), it->second.end(), to);
}

}  // namespace

bool IsWidening(const std::string& from_text, const std::string& to_text) {
  Type from = Parse(from_text), to = Parse(to_text);
  if (!from.ok || !to.ok) return false;
  if (from.base == to.base && from.args == to.args) return true;
  bool from_int = from.base == "smallint" || from.base == "integer" || from.base == "bigint";
  if (from.args.empty() && to.args.empty() && NumericWidens(from.base, to.base)) return true;
  if (from_int && to.base == "numeric" && to.args.empty()) return true;
  if (from.base == "numeric" && to.base == "numeric") {
    if (to.args.empty()) return true;
    int fs = from.args.size() > 1 ? from.args[1] : 0, ts = to.args.size() > 1 ? to.args[1] : 0;
    return !from.args.empty() && ts >= fs && to.args[0] - ts >= from.args[0] - fs;
  }
  bool from_text_like = from.base == "character varying" || from.base == "text";
  if (from_text_like && (to.base == "text" || (to.base == "character varying" && to.args.empty()))) return true;
  if (from.base == "character varying" && to.base == "character varying")
    return !from.args.empty() && to.args[0] >= from.args[0];
  return false;
}

}  // namespace pleat::convert

#include "pg/quote.h"

#include <cstdint>
#include <cstdio>

namespace pleat::pg {
namespace {

constexpr size_t kMaxIdentifierBytes = 63;

std::string Fnv1aHex(std::string_view text) {
  uint32_t h = 2166136261u;
  for (unsigned char c : text) h = (h ^ c) * 16777619u;
  char buf[9];
  std::snprintf(buf, sizeof buf, "%08x", h);
  return buf;
}

}  // namespace

std::string QuoteIdent(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string QualifiedName(std::string_view schema, std::string_view name) {
  return QuoteIdent(schema) + "." + QuoteIdent(name);
}

std::string QuoteLiteral(std::string_view value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

std::string FitIdentifier(std::string_view name) {
  if (name.size() <= kMaxIdentifierBytes) return std::string(name);
  std::string hash = Fnv1aHex(name);
  size_t keep = kMaxIdentifierBytes - hash.size() - 1;
  // Do not cut a UTF-8 sequence in half.
  while (keep > 0 && (static_cast<unsigned char>(name[keep]) & 0xC0) == 0x80) --keep;
  return std::string(name.substr(0, keep)) + "_" + hash;
}

std::string PleatName(std::string_view kind, std::string_view a, std::string_view b) {
  std::string name = "_pleat_" + std::string(kind) + "_" + std::string(a);
  if (!b.empty()) name += "_" + std::string(b);
  return FitIdentifier(name);
}

namespace {

// A dollar-quote tag that `body` does not contain.
std::string DollarTag(std::string_view body) {
  std::string tag = "$pleat$";
  while (body.find(tag) != std::string_view::npos) tag.insert(tag.size() - 1, "_");
  return tag;
}

std::string FunctionSql(std::string_view fn, std::string_view params, std::string_view returns,
                        std::string_view attributes, std::string_view search_path, std::string_view body) {
  std::string tag = DollarTag(body);
  std::string pin = search_path.empty() ? "" : " SET search_path = " + std::string(search_path);
  return "CREATE OR REPLACE FUNCTION " + std::string(fn) + "(" + std::string(params) + ") RETURNS " +
         std::string(returns) + " LANGUAGE plpgsql" + std::string(attributes) + pin + " AS " + tag + "\n" +
         std::string(body) + "\n" + tag;
}

}  // namespace

std::string PlpgsqlFunctionSql(std::string_view fn, std::string_view params, std::string_view returns,
                               std::string_view search_path, std::string_view body) {
  return FunctionSql(fn, params, returns, "", search_path, body);
}

std::string DoBlockSql(std::string_view body) {
  std::string tag = DollarTag(body);
  return "DO " + tag + "\n" + std::string(body) + "\n" + tag;
}

std::vector<std::string> OwnerRightsTriggerFunctionSql(std::string_view fn, std::string_view search_path,
                                                       std::string_view body) {
  return {FunctionSql(fn, "", "trigger", " SECURITY DEFINER", search_path, body),
          "REVOKE ALL ON FUNCTION " + std::string(fn) + "() FROM PUBLIC"};
}

}  // namespace pleat::pg

#include "pg/conninfo_options.h"

#include <cctype>

#include "pg/quote.h"

namespace pleat::pg {
namespace {

std::string PercentEncode(const std::string& s) {
  static const char* const kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string PercentDecode(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

// search_path reads a name as an identifier: quoted only when it must be.
std::string Identifier(const std::string& name) {
  bool plain = !name.empty() && !std::isdigit(static_cast<unsigned char>(name[0]));
  for (unsigned char c : name) plain = plain && (std::islower(c) || std::isdigit(c) || c == '_');
  return plain ? name : QuoteIdent(name);
}

bool IsUrl(const std::string& s) { return s.rfind("postgresql://", 0) == 0 || s.rfind("postgres://", 0) == 0; }

}  // namespace

std::string WithSearchPath(const std::string& conninfo, const std::string& schema) {
  // The server splits `options` at spaces; a backslash keeps one in the value.
  std::string path;
  for (char c : Identifier(schema)) path += (c == ' ' || c == '\\') ? std::string("\\") + c : std::string(1, c);
  std::string option = "-c search_path=" + path;
  if (!conninfo.empty() && !IsUrl(conninfo)) {
    std::string quoted;
    for (char c : option) quoted += (c == '\'' || c == '\\') ? std::string("\\") + c : std::string(1, c);
    return conninfo + " options='" + quoted + "'";
  }
  std::string url = conninfo.empty() ? "postgresql://" : conninfo;
  size_t q = url.find('?');
  if (q == std::string::npos) return url + "?options=" + PercentEncode(option);
  std::string base = url.substr(0, q + 1), query = url.substr(q + 1), out;
  bool merged = false;
  for (size_t start = 0; start <= query.size();) {
    size_t amp = query.find('&', start);
    std::string param = query.substr(start, amp == std::string::npos ? std::string::npos : amp - start);
    if (param.rfind("options=", 0) == 0) {
      param = "options=" + PercentEncode(PercentDecode(param.substr(8)) + " " + option);
      merged = true;
    }
    if (!param.empty()) out += (out.empty() ? "" : "&") + param;
    if (amp == std::string::npos) break;
    start = amp + 1;
  }
  if (!merged) out += (out.empty() ? "" : "&") + ("options=" + PercentEncode(option));
  return base + out;
}

}  // namespace pleat::pg

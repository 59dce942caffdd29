#include "parse/identifier_text.h"

#include <algorithm>
#include <cctype>
#include <string_view>

namespace pleat::parse {
namespace {

// Length of the quoted identifier starting at `pos` (a '"'); "" is an escaped quote.
size_t QuotedLength(const std::string& text, size_t pos) {
  size_t i = pos + 1;
  while (i < text.size() && (text[i] != '"' || (i + 1 < text.size() && text[i + 1] == '"'))) {
    i += text[i] == '"' ? 2 : 1;
  }
  return std::min(i + 1, text.size()) - pos;
}

bool IsIdentifierByte(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         c == '_' || c == '$' || c >= 0x80;
}

size_t SkipSpace(const std::string& text, size_t i) {
  while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
  return i;
}

// Length of the optional ` UESCAPE '!'` clause after a U&"..." identifier.
size_t UescapeLength(const std::string& text, size_t pos) {
  constexpr std::string_view kWord = "uescape";
  size_t i = SkipSpace(text, pos);
  for (size_t k = 0; k < kWord.size(); ++k, ++i) {
    if (i >= text.size() || std::tolower(static_cast<unsigned char>(text[i])) != kWord[k]) return 0;
  }
  i = SkipSpace(text, i);
  if (text.size() - i < 3 || text[i] != '\'' || text[i + 2] != '\'') return 0;
  return i + 3 - pos;
}

}  // namespace

size_t WrittenIdentifierLength(const std::string& text, size_t pos) {
  if (text[pos] == '"') return QuotedLength(text, pos);
  bool unicode = (text[pos] == 'U' || text[pos] == 'u') && text.compare(pos + 1, 2, "&\"") == 0;
  if (unicode) {
    size_t quoted = 2 + QuotedLength(text, pos + 2);
    return quoted + UescapeLength(text, pos + quoted);
  }
  size_t i = pos;
  while (i < text.size() && IsIdentifierByte(static_cast<unsigned char>(text[i]))) ++i;
  return i - pos;
}

}  // namespace pleat::parse

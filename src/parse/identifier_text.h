#ifndef PLEAT_PARSE_IDENTIFIER_TEXT_H_
#define PLEAT_PARSE_IDENTIFIER_TEXT_H_
// How long an SQL identifier is as written in a text: the parse tree gives
// where a name starts, never where it ends, and rewrites by location need both.

#include <cstddef>
#include <string>

namespace pleat::parse {

// Byte length of the identifier as written at `pos` in `text`: "quoted" (with
// "" escapes), U&"escaped" (with an optional UESCAPE clause) or plain.
// REQUIRES: pos < text.size().
size_t WrittenIdentifierLength(const std::string& text, size_t pos);

}  // namespace pleat::parse

#endif  // PLEAT_PARSE_IDENTIFIER_TEXT_H_

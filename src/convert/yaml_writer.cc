// ToYaml: a converted migration as the YAML a person would write. Written by
// hand instead of through yaml-cpp's emitter because the placeholders need
// comments at exact fields. Mappings are block style, lists of scalars flow
// style, and a string that YAML could read as something else is double-quoted
// (JSON escapes are valid YAML).
#include <algorithm>
#include <cctype>
#include <sstream>

#include "convert/convert.h"

namespace pleat::convert {
namespace {

using nlohmann::ordered_json;

bool IsPlain(const std::string& s) {
  static const char* const kWords[] = {"true", "false", "yes", "no", "on", "off", "null", "y", "n"};
  std::string lower;
  for (char c : s) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (s.empty() || std::any_of(std::begin(kWords), std::end(kWords), [&](const char* w) { return lower == w; }))
    return false;
  if (!std::isalpha(static_cast<unsigned char>(s[0])) && s[0] != '_') return false;
  if (s.back() == ' ' || s.find("  ") != std::string::npos) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '(' || c == ')' || c == '.' || c == ' ';
  });
}

std::string Scalar(const ordered_json& v) {
  if (v.is_string()) return IsPlain(v.get<std::string>()) ? v.get<std::string>() : v.dump();
  return v.dump();
}

bool IsScalarList(const ordered_json& v) {
  return v.is_array() && std::all_of(v.begin(), v.end(), [](const ordered_json& e) { return e.is_primitive(); });
}

void WriteComment(const std::string& text, const std::string& indent, std::ostringstream* out) {
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) *out << indent << "# " << line << "\n";
}

void WriteMapping(const ordered_json& object, const std::string& indent, std::ostringstream* out,
                  const std::map<std::string, std::string>* notes = nullptr);

// `key: value` at `indent`, where a nested value goes on the following lines.
void WriteField(const std::string& key, const ordered_json& v, const std::string& indent, std::ostringstream* out) {
  *out << indent << Scalar(key) << ":";
  if (v.is_string() && v.get<std::string>().find('\n') != std::string::npos) {
    *out << " |-\n";
    std::istringstream lines(v.get<std::string>());
    for (std::string line; std::getline(lines, line);) *out << indent << "  " << line << "\n";
  } else if (v.is_primitive() || IsScalarList(v) || v.empty()) {
    std::string list;
    for (const auto& e : v) list += (list.empty() ? "" : ", ") + Scalar(e);
    *out << " " << (v.is_array() ? "[" + list + "]" : v.is_object() ? "{}" : Scalar(v)) << "\n";
  } else if (v.is_object()) {
    *out << "\n";
    WriteMapping(v, indent + "  ", out);
  } else {
    *out << "\n";
    for (const auto& e : v) {
      *out << indent << "  -";
      if (e.is_primitive()) {
        *out << " " << Scalar(e) << "\n";
        continue;
      }
      std::ostringstream item;
      WriteMapping(e, indent + "    ", &item);
      *out << item.str().substr(indent.size() + 3);  // the first field goes on the "-" line
    }
  }
}

void WriteMapping(const ordered_json& object, const std::string& indent, std::ostringstream* out,
                  const std::map<std::string, std::string>* notes) {
  for (auto it = object.begin(); it != object.end(); ++it) {
    auto note = notes ? notes->find(it.key()) : std::map<std::string, std::string>::const_iterator();
    if (notes && note != notes->end()) WriteComment(note->second, indent, out);
    WriteField(it.key(), it.value(), indent, out);
  }
}

// The statement's first line, shortened, for the comment above its operations.
std::string Headline(const std::string& source) {
  std::string line = source.substr(0, source.find('\n'));
  return line.size() > 100 ? line.substr(0, 97) + "..." : line;
}

}  // namespace

std::string ToYaml(const ConvertedMigration& migration) {
  std::ostringstream out;
  out << "operations:\n";
  const std::string* last_source = nullptr;
  for (const ConvertedOperation& op : migration) {
    if (!last_source || *last_source != op.source) WriteComment("from: " + Headline(op.source), "  ", &out);
    last_source = &op.source;
    out << "  - " << op.key << ":\n";
    WriteMapping(op.body, "      ", &out, &op.notes);
  }
  return out.str();
}

}  // namespace pleat::convert

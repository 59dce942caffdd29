#include "parse/document.h"

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <limits>
#include <sstream>
#include <string_view>
#include <vector>

namespace pleat::parse {
namespace {

using nlohmann::json;

// yaml-cpp resolves an alias to the anchored node itself, so `&a [*a]` is a
// cycle and a few nested aliases expand to billions of values. Both limits sit
// far above any migration file.
constexpr int kMaxDepth = 512;
// Values a YAML file may expand to beyond one per byte of its text: aliases
// cannot make it explode, and a long file written out in full still loads.
constexpr size_t kMaxValues = 100'000;

constexpr char kYamlHint[] = "fix the YAML syntax";

Status AtLine(const YAML::Mark& mark, const std::string& msg, const std::string& hint) {
  std::string line = mark.is_null() ? "" : "line " + std::to_string(mark.line + 1) + ": ";
  return Status::Invalid(line + msg, hint);
}

// RFC 3629 UTF-8: no overlong forms, surrogates or code points past U+10FFFF.
// Checked here because nlohmann::json throws when it dumps anything else.
bool IsValidUtf8(std::string_view s) {
  static const uint32_t kMinForLength[] = {0, 0x80, 0x800, 0x10000};
  for (size_t i = 0; i < s.size();) {
    unsigned char c = s[i];
    size_t n = c < 0x80 ? 0 : (c >> 5) == 0x6 ? 1 : (c >> 4) == 0xE ? 2 : (c >> 3) == 0x1E ? 3 : 4;
    if (n == 4 || s.size() - i <= n) return false;
    uint32_t cp = n == 0 ? c : c & (0x3F >> n);
    for (size_t k = 1; k <= n; ++k) {
      unsigned char cont = s[i + k];
      if ((cont & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cont & 0x3F);
    }
    if (cp < kMinForLength[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += n + 1;
  }
  return true;
}

size_t CountDigits(std::string_view s, size_t from, int base) {
  size_t i = from;
  while (i < s.size() && (base == 16 ? std::isxdigit(static_cast<unsigned char>(s[i]))
                                     : s[i] >= '0' && s[i] < '0' + base)) {
    ++i;
  }
  return i - from;
}

// YAML 1.2 core integers: [-+]?[0-9]+ | 0o[0-7]+ | 0x[0-9a-fA-F]+. Sets the
// base and the digits with their sign, as std::from_chars wants them.
bool SplitCoreInt(std::string_view text, int* base, std::string_view* digits, bool* negative) {
  *base = 10;
  *negative = false;
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'o' || text[1] == 'x')) {
    *base = text[1] == 'o' ? 8 : 16;
    text.remove_prefix(2);
  } else if (!text.empty() && (text[0] == '+' || text[0] == '-')) {
    *negative = text[0] == '-';
    text.remove_prefix(1);
  }
  *digits = text;
  return !text.empty() && CountDigits(text, 0, *base) == text.size();
}

// Integers past 64 bits stay text: as a double they would silently lose digits.
json ResolveInt(const std::string& text, int base, std::string_view digits, bool negative) {
  unsigned long long magnitude = 0;
  auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), magnitude,
                                      base);
  constexpr auto kMax = static_cast<unsigned long long>(std::numeric_limits<long long>::max());
  if (error != std::errc()) return text;
  if (!negative) {
    return magnitude <= kMax ? json(static_cast<long long>(magnitude)) : json(magnitude);
  }
  if (magnitude > kMax + 1) return text;
  return json(static_cast<long long>(0ULL - magnitude));  // two's complement keeps LLONG_MIN exact
}

// YAML 1.2 core floats: [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?.
// .inf and .nan are left out on purpose: JSON cannot hold them, so they stay text.
bool IsCoreFloat(std::string_view s) {
  size_t i = (!s.empty() && (s[0] == '+' || s[0] == '-')) ? 1 : 0;
  size_t whole = CountDigits(s, i, 10);
  i += whole;
  size_t fraction = 0;
  if (i < s.size() && s[i] == '.') {
    fraction = CountDigits(s, i + 1, 10);
    i += 1 + fraction;
  }
  if (whole == 0 && fraction == 0) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    size_t exponent = CountDigits(s, i, 10);
    if (exponent == 0) return false;
    i += exponent;
  }
  return i == s.size();
}

// Floats out of double range stay text rather than becoming infinity or zero.
json ResolveFloat(const std::string& text) {
  std::string_view s = text;
  if (s[0] == '+') s.remove_prefix(1);
  double value = 0;
  auto [end, error] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (error != std::errc() || end != s.data() + s.size()) return text;
  return value;
}

// A plain (unquoted) scalar, resolved as the YAML 1.2 core schema does.
json ResolvePlain(const std::string& text) {
  if (text.empty() || text == "~" || text == "null" || text == "Null" || text == "NULL") {
    return nullptr;
  }
  if (text == "true" || text == "True" || text == "TRUE") return true;
  if (text == "false" || text == "False" || text == "FALSE") return false;
  int base = 10;
  std::string_view digits;
  bool negative = false;
  if (SplitCoreInt(text, &base, &digits, &negative)) {
    return ResolveInt(text, base, digits, negative);
  }
  if (IsCoreFloat(text)) return ResolveFloat(text);
  return text;
}

// Converts a yaml-cpp node tree, counting values so that aliases cannot explode.
class YamlConverter {
 public:
  explicit YamlConverter(size_t max_values) : max_values_(max_values) {}
  Status Convert(const YAML::Node& node, int depth, json* out);

 private:
  Status ConvertScalar(const YAML::Node& node, json* out);
  Status ConvertMap(const YAML::Node& node, int depth, json* out);
  Status ConvertSequence(const YAML::Node& node, int depth, json* out);
  size_t max_values_;
  size_t values_ = 0;
};

Status YamlConverter::Convert(const YAML::Node& node, int depth, json* out) {
  if (depth > kMaxDepth) {
    return AtLine(node.Mark(), "values nest deeper than " + std::to_string(kMaxDepth) +
                                   " levels (an alias inside its own anchor?)",
                  "remove the alias that refers to its own anchor");
  }
  if (++values_ > max_values_) {
    return AtLine(node.Mark(), "the document expands to more than " +
                                   std::to_string(max_values_) + " values through aliases",
                  "write the values out instead of repeating aliases");
  }
  switch (node.Type()) {
    case YAML::NodeType::Scalar: return ConvertScalar(node, out);
    case YAML::NodeType::Map: return ConvertMap(node, depth, out);
    case YAML::NodeType::Sequence: return ConvertSequence(node, depth, out);
    default: *out = nullptr; return Status::Ok();  // `key:`, `~`, null
  }
}

Status YamlConverter::ConvertScalar(const YAML::Node& node, json* out) {
  const std::string& text = node.Scalar();
  if (!IsValidUtf8(text)) {
    return AtLine(node.Mark(), "the text is not valid UTF-8", "save the file as UTF-8");
  }
  // yaml-cpp tags plain scalars "?" and quoted or block scalars "!".
  const std::string& tag = node.Tag();
  if (tag == "!" || tag == "tag:yaml.org,2002:str") {
    *out = text;
  } else if (tag == "?") {
    *out = ResolvePlain(text);
  } else {
    return AtLine(node.Mark(), "unsupported tag \"" + tag + "\"",
                  "remove the tag; quote the value to keep it as text");
  }
  return Status::Ok();
}

Status YamlConverter::ConvertMap(const YAML::Node& node, int depth, json* out) {
  *out = json::object();
  for (auto it = node.begin(); it != node.end(); ++it) {
    // Copies: it-> yields a temporary, so a reference would dangle.
    YAML::Node key = it->first;
    if (!key.IsScalar() || !IsValidUtf8(key.Scalar())) {
      return AtLine(key.Mark(), "a key must be plain text", "write the key as a name");
    }
    const std::string& name = key.Scalar();
    // yaml-cpp keeps both copies of a repeated key; one would win silently.
    if (out->contains(name)) {
      return AtLine(key.Mark(), "duplicate key \"" + name + "\"", "remove one of the two");
    }
    Status s = Convert(it->second, depth + 1, &(*out)[name]);
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

Status YamlConverter::ConvertSequence(const YAML::Node& node, int depth, json* out) {
  *out = json::array();
  for (YAML::Node item : node) {
    json value;
    Status s = Convert(item, depth + 1, &value);
    if (!s.ok()) return s;
    out->push_back(std::move(value));
  }
  return Status::Ok();
}

// Whether the document the parser just read has a root that is not null: yaml-cpp's
// LoadAll stops at the first such document, and so do we.
class RootSeen : public YAML::EventHandler {
 public:
  bool root_not_null() const { return seen_ && !null_; }
  void OnDocumentStart(const YAML::Mark&) override { seen_ = null_ = false; }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override { Node(true); }
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override { Node(false); }
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t, const std::string&) override { Node(false); }
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
    Node(false);
  }
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
    Node(false);
  }
  void OnMapEnd() override {}

 private:
  void Node(bool null) {
    if (!seen_) null_ = null;
    seen_ = true;
  }
  bool seen_ = false, null_ = false;
};

// How many documents (0, 1, or 2 meaning "more than one") `text` holds. Not
// YAML::LoadAll: it never returns on a quoted scalar followed by a comma
// (`"a",`), yaml-cpp 0.7 finding a new document there forever.
int CountDocuments(const std::string& text) {
  std::istringstream in(text);
  YAML::Parser parser(in);
  RootSeen root;
  int documents = 0;
  while (documents < 2 && parser.HandleNextDocument(root) && root.root_not_null()) ++documents;
  return documents;
}

Status ParseYaml(const std::string& text, json* out) {
  try {
    int documents = CountDocuments(text);
    if (documents > 1) {
      return Status::Invalid("holds more than one YAML document",
                             "keep one document per file: remove the extra \"---\" lines");
    }
    if (documents == 0) {
      *out = nullptr;
      return Status::Ok();
    }
    YamlConverter converter(kMaxValues + text.size());
    return converter.Convert(YAML::Load(text), 0, out);
  } catch (const YAML::DeepRecursion& e) {  // yaml-cpp's own guard, whose message says "bad file"
    return AtLine(e.mark, "values nest deeper than " + std::to_string(kMaxDepth) + " levels",
                  "flatten the file; a migration needs a few levels");
  } catch (const YAML::Exception& e) {
    return AtLine(e.mark, e.msg, kYamlHint);
  }
}

// nlohmann's what() reads "[json.exception.parse_error.101] parse error at line
// L, column C: why"; the line is reported separately, so keep only the why.
std::string JsonReason(const std::string& what) {
  size_t start = what.find("] ");
  start = start == std::string::npos ? 0 : start + 2;
  size_t colon = what.find(": ", start);
  return colon == std::string::npos ? what.substr(start) : what.substr(colon + 2);
}

// nlohmann::json parses deep nesting without trouble, but copying, comparing
// and destroying the value recurse once per level: 150,000 levels overflow
// the stack. So JSON gets YAML's limit, found by a scan that skips strings.
// Returns the 1-based line where nesting first passes kMaxDepth, or 0.
long LineTooDeep(const std::string& text) {
  int depth = 0;
  long line = 1;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\n') ++line;
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') in_string = true;
    if (c == ']' || c == '}') --depth;
    if ((c == '[' || c == '{') && ++depth > kMaxDepth) return line;
  }
  return 0;
}

Status ParseJson(const std::string& text, json* out) {
  if (long line = LineTooDeep(text); line > 0)
    return Status::Invalid("line " + std::to_string(line) + ": values nest deeper than " + std::to_string(kMaxDepth) +
                               " levels",
                           "flatten the file; a migration needs a few levels");
  try {
    *out = json::parse(text);
    return Status::Ok();
  } catch (const json::parse_error& e) {
    // e.byte is 1-based and points at the offending character.
    size_t end = std::min(text.size(), e.byte > 0 ? e.byte - 1 : 0);
    long line = 1 + std::count(text.begin(), text.begin() + end, '\n');
    return Status::Invalid("line " + std::to_string(line) + ": " + JsonReason(e.what()),
                           "fix the JSON syntax");
  } catch (const json::exception& e) {  // a number too large for a double
    return Status::Invalid(JsonReason(e.what()), "fix the JSON syntax");
  }
}

bool EndsWithJson(const std::string& path) {
  constexpr std::string_view kExt = ".json";
  if (path.size() < kExt.size()) return false;
  return std::equal(kExt.begin(), kExt.end(), path.end() - kExt.size(), [](char a, char b) {
    return a == std::tolower(static_cast<unsigned char>(b));
  });
}

}  // namespace

Status ParseDocument(const std::string& path, const std::string& text, nlohmann::json* out) {
  json value;
  Status s = EndsWithJson(path) ? ParseJson(text, &value) : ParseYaml(text, &value);
  if (!s.ok()) return s.WithContext("file " + path);
  *out = std::move(value);
  return Status::Ok();
}

}  // namespace pleat::parse

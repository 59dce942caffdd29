#include "parse/document.h"

#include <string>

#include <gtest/gtest.h>

namespace pleat::parse {
namespace {

using nlohmann::json;

struct ParseCase {
  std::string path;
  std::string text;
  std::string want;  // JSON text; compared by dump(), so 1 and 1.0 and "1" all differ
};

TEST(DocumentTest, Converts) {
  const ParseCase kCases[] = {
      {"m/01.yaml", "a: true\nb: \"true\"\nc: 'yes'\nd: yes\ne: True\nf: FALSE\ng: off\n",
       R"({"a":true,"b":"true","c":"yes","d":"yes","e":true,"f":false,"g":"off"})"},
      {"m/01.yaml", "a: null\nb: ~\nc:\nd: \"null\"\ne: Null\nf: ''\n",
       R"({"a":null,"b":null,"c":null,"d":"null","e":null,"f":""})"},
      {"m/01.yaml", "a: 0\nb: -12\nc: +7\nd: 0x1F\ne: 0o17\nf: 007\ng: \"12\"\n",
       R"({"a":0,"b":-12,"c":7,"d":31,"e":15,"f":7,"g":"12"})"},
      {"m/01.yaml",
       "a: 99999999999999999999\nb: 18446744073709551615\nc: -9223372036854775808\nd: 0x\n",
       R"({"a":"99999999999999999999","b":18446744073709551615,"c":-9223372036854775808,"d":"0x"})"},
      {"m/01.yaml", "a: 1.5\nb: -.5\nc: 1e3\nd: 2.\ne: .inf\nf: 1.2.3\ng: 1e999\nh: '1.5'\n",
       R"({"a":1.5,"b":-0.5,"c":1000.0,"d":2.0,"e":".inf","f":"1.2.3","g":"1e999","h":"1.5"})"},
      {"m/01.yaml", "a: !!str 5\nb: |\n  SELECT 1\nc: >\n  x\n  y\nd: now()\ne: 'it''s'\n",
       R"j({"a":"5","b":"SELECT 1\n","c":"x y\n","d":"now()","e":"it's"})j"},
      {"m/01.yaml",
       "operations:\n"
       "  - add_column:\n"
       "      table: users\n"
       "      column:\n"
       "        name: age\n"
       "        type: int\n"
       "        nullable: false\n"
       "        default: 0\n"
       "  - sql:\n"
       "      up: [a, 'b', {c: 1}]\n",
       R"({"operations":[{"add_column":{"column":{"default":0,"name":"age","nullable":false,)"
       R"("type":"int"},"table":"users"}},{"sql":{"up":["a","b",{"c":1}]}}]})"},
      {"m/01.yaml", "{a: [1, {b: c}], d: [], e: {}}", R"({"a":[1,{"b":"c"}],"d":[],"e":{}})"},
      {"m/01.yaml", "a: &x [1, 2]\nb: *x\n", R"({"a":[1,2],"b":[1,2]})"},
      {"m/01.yaml", "- 1\n- two\n", R"([1,"two"])"},
      {"m/01.yaml", "", "null"},
      {"m/01.yaml", "# only a comment\n", "null"},
      {"m/01.yml", "{\"a\": 1}", R"({"a":1})"},
      {"m/01.json", R"({"a": 1, "b": [true, null, "x"], "c": 1.5, "d": "true"})",
       R"({"a":1,"b":[true,null,"x"],"c":1.5,"d":"true"})"},
      {"m/01.JSON", "[1]", "[1]"},
  };
  for (const ParseCase& c : kCases) {
    json got;
    Status s = ParseDocument(c.path, c.text, &got);
    ASSERT_TRUE(s.ok()) << c.path << ": " << c.text << "\n" << s.ToString();
    EXPECT_EQ(got.dump(), json::parse(c.want).dump()) << c.path << ": " << c.text;
  }
}

// Aliases that nest n levels, each repeating the previous one ten times.
std::string AliasBomb(int levels) {
  std::string text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i <= levels; ++i) {
    std::string prev = "*a" + std::to_string(i - 1);
    text += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [";
    for (int k = 0; k < 10; ++k) text += (k > 0 ? ", " : "") + prev;
    text += "]\n";
  }
  return text;
}

struct ErrorCase {
  std::string path;
  std::string text;
  std::string message;
  std::string hint;
};

TEST(DocumentTest, Errors) {
  const ErrorCase kCases[] = {
      {"migrations/01.yaml", "a: 1\nb: [1, 2\nc: 3\n",
       "file migrations/01.yaml: line 3: end of sequence flow not found", "fix the YAML syntax"},
      {"migrations/01.yaml", "a: b: c\n", "file migrations/01.yaml: line 1: illegal map value",
       "fix the YAML syntax"},
      {"migrations/01.yaml", "a:\n\t- x\n", "file migrations/01.yaml: line 2: illegal block entry",
       "fix the YAML syntax"},
      {"migrations/01.yaml", "a: 1\nb: 2\na: 3\n",
       "file migrations/01.yaml: line 3: duplicate key \"a\"", "remove one of the two"},
      {"migrations/01.yaml", "a:\n  b: !foo bar\n",
       "file migrations/01.yaml: line 2: unsupported tag \"!foo\"", ""},
      {"migrations/01.yaml", "---\na: 1\n---\nb: 2\n",
       "file migrations/01.yaml: holds more than one YAML document", ""},
      {"migrations/01.yaml", "a: &x [*x]\n",
       "file migrations/01.yaml: line 1: values nest deeper than 512 levels "
       "(an alias inside its own anchor?)", ""},
      {"migrations/01.yaml", AliasBomb(5),
       "file migrations/01.yaml: line 1: the document expands to more than " +
           std::to_string(100000 + AliasBomb(5).size()) + " values through aliases", ""},
      {"migrations/01.yaml", "a: 1\nb: \xff\xfe\n",
       "file migrations/01.yaml: line 2: the text is not valid UTF-8", "save the file as UTF-8"},
      {"migrations/01.yaml", "a: \xc0\x80\n",
       "file migrations/01.yaml: line 1: the text is not valid UTF-8", ""},
      {"migrations/01.yaml", "? [a]\n: b\n",
       "file migrations/01.yaml: line 1: a key must be plain text", ""},
      {"migrations/01.json", "{\n  \"a\": 1,\n}\n",
       "file migrations/01.json: line 3: syntax error while parsing object key - unexpected '}'; "
       "expected string literal", "fix the JSON syntax"},
      {"migrations/01.json", "",
       "file migrations/01.json: line 1: syntax error while parsing value - unexpected end of "
       "input; expected '[', '{', or a literal", "fix the JSON syntax"},
      {"migrations/01.json", "a: 1\n",
       "file migrations/01.json: line 1: syntax error while parsing value - invalid literal; "
       "last read: 'a'", "fix the JSON syntax"},
      {"migrations/01.json", "{\"a\": 1e999}",
       "file migrations/01.json: number overflow parsing '1e999'", "fix the JSON syntax"},
  };
  for (const ErrorCase& c : kCases) {
    json got = "untouched";
    Status s = ParseDocument(c.path, c.text, &got);
    std::string shown = c.text.substr(0, 60);
    ASSERT_FALSE(s.ok()) << c.path << ": " << shown;
    EXPECT_EQ(s.code(), Status::Code::kInvalid) << c.path << ": " << shown;
    EXPECT_EQ(s.message(), c.message) << c.path << ": " << shown;
    EXPECT_FALSE(s.hint().empty()) << c.path << ": " << shown;
    if (!c.hint.empty()) {
      EXPECT_EQ(s.hint(), c.hint) << c.path << ": " << shown;
    }
    EXPECT_EQ(got, "untouched") << c.path << ": " << shown;
  }
}

}  // namespace
}  // namespace pleat::parse

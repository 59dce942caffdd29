#include "parse/field_reader.h"

#include <functional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace pleat::parse {
namespace {

using nlohmann::json;

// Reads some keys and prints what it got into `got`, so one table covers every getter.
using ReadFn = std::function<Status(FieldReader* r, std::string* got)>;

struct Case {
  const char* name;
  std::string object;  // JSON text
  ReadFn read;
  std::string want;     // what `read` printed when everything succeeds
  std::string message;  // expected error message; empty means success
  std::string hint;     // checked when not empty
};

std::string Show(const std::optional<std::string>& v) { return v ? "\"" + *v + "\"" : "nullopt"; }

ReadFn ReadString(const std::string& key) {
  return [key](FieldReader* r, std::string* got) { return r->String(key, got); };
}

ReadFn ReadOptString(const std::string& key) {
  return [key](FieldReader* r, std::string* got) {
    std::optional<std::string> v;
    Status s = r->OptString(key, &v);
    *got = Show(v);
    return s;
  };
}

ReadFn ReadNullable(const std::string& key) {
  return [key](FieldReader* r, std::string* got) {
    bool present = true;
    std::optional<std::string> v = "stale";
    Status s = r->NullableString(key, &present, &v);
    *got = std::string(present ? "present " : "absent ") + Show(v);
    return s;
  };
}

ReadFn ReadBool(const std::string& key) {
  return [key](FieldReader* r, std::string* got) {
    std::optional<bool> v;
    Status s = r->OptBool(key, &v);
    *got = v ? (*v ? "true" : "false") : "nullopt";
    return s;
  };
}

ReadFn ReadInt(const std::string& key) {
  return [key](FieldReader* r, std::string* got) {
    std::optional<long long> v;
    Status s = r->OptInt(key, &v);
    *got = v ? std::to_string(*v) : "nullopt";
    return s;
  };
}

ReadFn ReadObject(const std::string& key) {
  return [key](FieldReader* r, std::string* got) {
    const json* v = nullptr;
    Status s = r->OptObject(key, &v);
    *got = v ? v->dump() : "null";
    return s;
  };
}

ReadFn ReadArray(const std::string& key) {
  return [key](FieldReader* r, std::string* got) {
    const json* v = nullptr;
    Status s = r->OptArray(key, &v);
    *got = v ? v->dump() : "null";
    return s;
  };
}

ReadFn ReadList(const std::string& key) {
  return [key](FieldReader* r, std::string* got) {
    std::vector<std::string> v = {"stale"};
    Status s = r->OptStringList(key, &v);
    for (const std::string& item : v) *got += "[" + item + "]";
    return s;
  };
}

// The add_column shape: table, column, up.
Status ReadAddColumn(FieldReader* r, std::string* got) {
  std::optional<std::string> column, up;
  Status s = r->String("table", got);
  if (s.ok()) s = r->OptString("column", &column);
  if (s.ok()) s = r->OptString("up", &up);
  return s;
}

const char kWhere[] = "operation 2 (add_column)";

TEST(FieldReaderTest, Table) {
  const Case kCases[] = {
      {"all known", R"({"table": "t", "column": "c", "up": "1"})", ReadAddColumn, "t", "", ""},
      {"unknown key", R"({"table": "t", "colum": "c", "up": "1"})", ReadAddColumn, "",
       "operation 2 (add_column): unknown key \"colum\"; allowed keys: column, table, up",
       "remove the key or fix its spelling"},
      {"unknown keys", R"({"table": "t", "b": 1, "a": 2})", ReadString("table"), "",
       "operation 2 (add_column): unknown keys \"a\", \"b\"; allowed keys: table", ""},
      {"no getters", R"({"x": 1})", [](FieldReader*, std::string*) { return Status::Ok(); },
       "", "operation 2 (add_column): unknown key \"x\"; allowed keys: none", ""},
      {"required missing", R"({})", ReadString("table"), "",
       "operation 2 (add_column): \"table\" is required", "add \"table\" with a value"},
      {"required null", R"({"table": null})", ReadString("table"), "",
       "operation 2 (add_column): \"table\" must be text, not null", "give \"table\" a value"},
      {"required list", R"({"table": ["t"]})", ReadString("table"), "",
       "operation 2 (add_column): \"table\" must be text, not a list", ""},
      {"string from integer", R"({"default": 0})", ReadString("default"), "0", "", ""},
      {"string from negative", R"({"default": -7})", ReadString("default"), "-7", "", ""},
      {"string from unsigned", R"({"default": 18446744073709551615})", ReadString("default"),
       "18446744073709551615", "", ""},
      {"string from float", R"({"default": 1.5})", ReadString("default"), "1.5", "", ""},
      {"string from bool", R"({"default": false})", ReadString("default"), "false", "", ""},
      {"opt string absent", R"({})", ReadOptString("comment"), "nullopt", "", ""},
      {"opt string", R"({"comment": "hi"})", ReadOptString("comment"), "\"hi\"", "", ""},
      {"opt string null", R"({"comment": null})", ReadOptString("comment"), "",
       "operation 2 (add_column): \"comment\" must be text, not null",
       "give \"comment\" a value or remove the key"},
      {"nullable absent", R"({})", ReadNullable("default"), "absent nullopt", "", ""},
      {"nullable null", R"({"default": null})", ReadNullable("default"), "present nullopt", "", ""},
      {"nullable number", R"({"default": 42})", ReadNullable("default"), "present \"42\"", "", ""},
      {"nullable mapping", R"({"default": {"a": 1}})", ReadNullable("default"), "",
       "operation 2 (add_column): \"default\" must be text, not a mapping", ""},
      {"bool", R"({"nullable": true})", ReadBool("nullable"), "true", "", ""},
      {"bool absent", R"({})", ReadBool("nullable"), "nullopt", "", ""},
      {"bool quoted", R"({"nullable": "true"})", ReadBool("nullable"), "",
       "operation 2 (add_column): \"nullable\" must be true or false",
       "write true or false, without quotes"},
      {"bool null", R"({"nullable": null})", ReadBool("nullable"), "",
       "operation 2 (add_column): \"nullable\" must be true or false", ""},
      {"int", R"({"batch_size": 1000})", ReadInt("batch_size"), "1000", "", ""},
      {"int negative", R"({"batch_size": -5})", ReadInt("batch_size"), "-5", "", ""},
      {"int absent", R"({})", ReadInt("batch_size"), "nullopt", "", ""},
      {"int float", R"({"batch_size": 1.5})", ReadInt("batch_size"), "",
       "operation 2 (add_column): \"batch_size\" must be a whole number", ""},
      {"int text", R"({"batch_size": "10"})", ReadInt("batch_size"), "",
       "operation 2 (add_column): \"batch_size\" must be a whole number", ""},
      {"int too big", R"({"batch_size": 9223372036854775808})", ReadInt("batch_size"), "",
       "operation 2 (add_column): \"batch_size\" must be a whole number", ""},
      {"object", R"({"check": {"name": "c"}})", ReadObject("check"), R"({"name":"c"})", "", ""},
      {"object absent", R"({})", ReadObject("check"), "null", "", ""},
      {"object text", R"({"check": "x"})", ReadObject("check"), "",
       "operation 2 (add_column): \"check\" must be a mapping of keys to values, not text", ""},
      {"array", R"({"columns": [1, "a"]})", ReadArray("columns"), R"([1,"a"])", "", ""},
      {"array absent", R"({})", ReadArray("columns"), "null", "", ""},
      {"array text", R"({"columns": "a"})", ReadArray("columns"), "",
       "operation 2 (add_column): \"columns\" must be a list, not text", ""},
      {"list", R"({"columns": ["a", 1, true]})", ReadList("columns"), "[a][1][true]", "", ""},
      {"list single", R"({"columns": "a"})", ReadList("columns"), "[a]", "", ""},
      {"list absent", R"({})", ReadList("columns"), "", "", ""},
      {"list nested", R"({"columns": ["a", ["b"]]})", ReadList("columns"), "",
       "operation 2 (add_column): \"columns\" item 2 must be text, not a list", ""},
      {"list mapping", R"({"columns": {"a": 1}})", ReadList("columns"), "",
       "operation 2 (add_column): \"columns\" must be a list of text, not a mapping", ""},
      {"list null", R"({"columns": null})", ReadList("columns"), "",
       "operation 2 (add_column): \"columns\" must be a list of text, not null", ""},
  };
  for (const Case& c : kCases) {
    json object = json::parse(c.object);
    FieldReader reader(object, kWhere);
    std::string got;
    Status s = c.read(&reader, &got);
    if (s.ok()) s = reader.Finish();
    if (c.message.empty()) {
      EXPECT_TRUE(s.ok()) << c.name << ": " << c.object << "\n" << s.ToString();
      EXPECT_EQ(got, c.want) << c.name << ": " << c.object;
      continue;
    }
    EXPECT_EQ(s.code(), Status::Code::kInvalid) << c.name << ": " << c.object;
    EXPECT_EQ(s.message(), c.message) << c.name << ": " << c.object;
    if (!c.hint.empty()) {
      EXPECT_EQ(s.hint(), c.hint) << c.name << ": " << c.object;
    }
  }
}

TEST(FieldReaderTest, RequireObject) {
  const std::tuple<std::string, std::string, std::string> kCases[] = {
      {R"({"a": 1})", kWhere, ""},
      {R"([1])", kWhere, "operation 2 (add_column): must be a mapping of keys to values, not a list"},
      {R"("x")", "", "must be a mapping of keys to values, not text"},
      {R"(null)", "the file", "the file: must be a mapping of keys to values, not null"},
  };
  for (const auto& [text, where, message] : kCases) {
    Status s = FieldReader::RequireObject(json::parse(text), where);
    EXPECT_EQ(s.ok(), message.empty()) << "input: " << text;
    EXPECT_EQ(s.message(), message) << "input: " << text;
  }
}

// Without a `where`, messages start at the key.
TEST(FieldReaderTest, EmptyWhere) {
  const std::string kCases[] = {R"({})", R"({"x": 1})"};
  for (const std::string& text : kCases) {
    json object = json::parse(text);
    FieldReader reader(object, "");
    std::string table;
    Status s = reader.String("table", &table);
    EXPECT_EQ(s.message(), "\"table\" is required") << "input: " << text;
    EXPECT_EQ(reader.where(), "") << "input: " << text;
  }
}

}  // namespace
}  // namespace pleat::parse

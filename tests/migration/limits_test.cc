// Files past the documented limits are refused with a clear error, never a
// crash: values nested deeper than 512 levels, in JSON as in YAML; a file over
// 16 MiB; more than 50,000 operations. A long file written out in full (no
// aliases) is not mistaken for an alias bomb.
#include <string>

#include <gtest/gtest.h>

#include "migration/migration.h"

namespace pleat::migration {
namespace {

std::string Repeat(const std::string& s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

// An add_column whose column is `levels` nested objects, as JSON (which is also YAML).
std::string DeepFile(int levels) {
  return "{\"operations\": [{\"add_column\": {\"table\": \"t\", \"column\": " + Repeat("{\"a\": ", levels) + "1" +
         Repeat("}", levels) + "}}]}";
}

TEST(LimitsTest, DeepNestingIsRefusedNotACrash) {
  for (const char* path : {"m/01_deep.json", "m/01_deep.yaml"}) {
    for (int levels : {600, 150000}) {
      Migration m;
      Status s = LoadMigrationText(path, DeepFile(levels), &m);
      ASSERT_FALSE(s.ok()) << path << " " << levels;
      EXPECT_EQ(s.code(), Status::Code::kInvalid);
      EXPECT_NE(s.message().find("file " + std::string(path) + ": line 1: values nest deeper than 512 levels"),
                std::string::npos)
          << s.message();
    }
  }
  // A string full of brackets is not nesting.
  Migration m;
  std::string sql = "{\"operations\": [{\"sql\": {\"up\": \"SELECT '" + Repeat("[{", 1000) + "'\"}}]}";
  Status s = LoadMigrationText("m/02_brackets.json", sql, &m);
  EXPECT_TRUE(s.ok()) << s.ToString();
}

// `n` add_column operations as YAML (seven values each).
std::string ManyAddColumns(int n) {
  std::string out = "operations:\n";
  for (int i = 0; i < n; ++i)
    out += "  - add_column:\n      table: t\n      column: {name: c" + std::to_string(i) + ", type: int, nullable: true}\n";
  return out;
}

TEST(LimitsTest, TwentyThousandOperationsLoad) {
  Migration m;
  Status s = LoadMigrationText("m/01_many.yaml", ManyAddColumns(20000), &m);  // 140,000 values
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(20000u, m.operations.size());
}

TEST(LimitsTest, TooManyOperationsAreRefused) {
  Migration m;
  Status s = LoadMigrationText("m/01_many.yaml", ManyAddColumns(50001), &m);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("file m/01_many.yaml: the file has 50001 operations, more than the 50000"),
            std::string::npos)
      << s.message();
  EXPECT_NE(s.hint().find("split it into several migrations"), std::string::npos) << s.hint();
}

TEST(LimitsTest, TooBigFileIsRefused) {
  Migration m;
  std::string text = "operations:\n  - sql:\n      up: SELECT 1\n" + std::string(size_t{16} << 20, '#');
  Status s = LoadMigrationText("m/01_big.yaml", text, &m);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("file m/01_big.yaml is " + std::to_string(text.size()) +
                             " bytes, more than the 16 MiB a migration file may hold"),
            std::string::npos)
      << s.message();
}

}  // namespace
}  // namespace pleat::migration

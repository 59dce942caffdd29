// Files past the documented limits are refused with a clear error, never a
// crash: values nested deeper than 512 levels, in JSON as in YAML.
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

}  // namespace
}  // namespace pleat::migration

// Fields that pleat pastes into SQL as written (a type, a default, identity
// sequence options) must be what they claim when the file is loaded: SQL
// smuggled into them is refused before anything runs, and real types pass.
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "migration/migration.h"

namespace pleat::migration {
namespace {

using nlohmann::json;

// One typed field of one operation: `make` builds the operation around the value.
struct Field {
  const char* name;      // the field as the error must name it
  const char* op;        // the operation key the error must name
  json (*make)(const std::string& value);
};

json AddColumnType(const std::string& v) {
  return {{"add_column", {{"table", "t"}, {"column", {{"name", "c"}, {"type", v}, {"nullable", true}}}}}};
}
json CreateTableType(const std::string& v) {
  return {{"create_table", {{"name", "t"}, {"columns", {{{"name", "c"}, {"type", v}}}}}}};
}
json AlterColumnType(const std::string& v) {
  return {{"alter_column", {{"table", "t"}, {"column", "c"}, {"type", v}, {"up", "c"}, {"down", "c"}}}};
}
json AlterColumnDefault(const std::string& v) {
  return {{"alter_column", {{"table", "t"}, {"column", "c"}, {"default", v}}}};
}
json AddColumnDefault(const std::string& v) {
  return {{"add_column", {{"table", "t"}, {"column", {{"name", "c"}, {"type", "text"}, {"default", v}}}}}};
}
json IdentityOptions(const std::string& v) {
  json identity = {{"user_specified_values", "BY DEFAULT"}, {"sequence_options", v}};
  return {{"create_table",
           {{"name", "t"}, {"columns", {{{"name", "id"}, {"type", "bigint"}, {"generated", {{"identity", identity}}}}}}}}};
}

json Constraint(json constraint) {
  return {{"create_table",
           {{"name", "t"}, {"columns", {{{"name", "c"}, {"type", "int"}}}}, {"constraints", {constraint}}}}};
}
json StorageParameters(const std::string& v) {
  return Constraint({{"name", "u"}, {"type", "unique"}, {"columns", {"c"}}, {"index_parameters", {{"storage_parameters", v}}}});
}
json ExcludeElements(const std::string& v) {
  return Constraint({{"name", "x"}, {"type", "exclude"}, {"exclude", {{"index_method", "gist"}, {"elements", v}}}});
}
json ExcludePredicate(const std::string& v) {
  return Constraint({{"name", "x"}, {"type", "exclude"}, {"exclude", {{"elements", "c WITH ="}, {"predicate", v}}}});
}

json SplitDown(const std::string& v) {
  json into = {{"table", "t2"}, {"key", "t_id"}, {"columns", {{{"from", "c"}, {"down", v}}}}};
  return {{"split_table", {{"table", "t"}, {"into", {into}}}}};
}
json SplitExtraType(const std::string& v) {
  json into = {{"table", "t2"}, {"key", "t_id"}, {"columns", {{{"from", "b"}}, {{"name", "c"}, {"type", v}, {"nullable", true}}}}};
  return {{"split_table", {{"table", "t"}, {"into", {into}}}}};
}

const Field kTypeFields[] = {
    {"type", "add_column", AddColumnType},
    {"type", "create_table", CreateTableType},
    {"type", "alter_column", AlterColumnType},
    {"type", "split_table", SplitExtraType},
};
const Field kDefaultFields[] = {
    {"default", "alter_column", AlterColumnDefault},
    {"default", "add_column", AddColumnDefault},
    {"down", "split_table", SplitDown},
};
const Field kSequenceFields[] = {{"sequence_options", "create_table", IdentityOptions}};

// The second operation carries the field, so the error must name "operation 2".
Status Load(const Field& field, const std::string& value) {
  json first = AddColumnType("int");
  first["add_column"]["column"]["name"] = "other";
  json file = {{"operations", {first, field.make(value)}}};
  Migration m;
  return LoadMigrationText("dir/07_typed.json", file.dump(), &m);
}

void ExpectRefused(const Field& field, const std::string& value) {
  Status s = Load(field, value);
  SCOPED_TRACE(std::string(field.op) + " " + field.name + ": " + value);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.ExitCode(), 3);
  EXPECT_NE(s.message().find("file dir/07_typed.json"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find(std::string("operation 2 (") + field.op + ")"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find(field.name), std::string::npos) << s.message();
  EXPECT_FALSE(s.hint().empty());
}

TEST(TypedFieldsTest, RefusesSqlInTypes) {
  const char* kPayloads[] = {
      "text; DROP TABLE victim CASCADE; --",
      "text; DROP TABLE victim",
      "text;",
      "text --",
      "text -- NOT NULL",
      "text /* unterminated",
      "text, 1",
      "text FROM pg_class",
      "text) ; DROP TABLE victim; --",
      "int) NOT NULL, x int CHECK (true",
      "text COLLATE \"C\"",
      "text DEFAULT 1",
      "text AS x",
      "int UNION SELECT 1",
      "int + 1",
      "varchar((SELECT 1))",
      "setof int",
      "",
      "text\nWHERE true",
  };
  for (const Field& field : kTypeFields)
    for (const char* payload : kPayloads) ExpectRefused(field, payload);
}

TEST(TypedFieldsTest, AcceptsRealTypes) {
  const char* kTypes[] = {
      "varchar(255)", "numeric(10,2)",  "timestamptz", "text[]", "int4range", "double precision",
      "myschema.my_type", "\"My Schema\".\"My Type\"", "character varying(20)[]", "bit varying(8)",
      "interval day to second", "time(3) with time zone", "int[3][3]", "text -- a comment\n",
  };
  for (const Field& field : kTypeFields)
    for (const char* type : kTypes) {
      Status s = Load(field, type);
      EXPECT_TRUE(s.ok()) << field.op << " type " << type << ": " << s.ToString();
    }
}

TEST(TypedFieldsTest, RefusesSqlInDefaults) {
  const char* kPayloads[] = {
      "1; DROP TABLE victim CASCADE; --", "1 --", "0, 1", "1 FROM victim", "1) ; DROP TABLE victim; --",
      "(SELECT 1) x",
  };
  for (const Field& field : kDefaultFields)
    for (const char* payload : kPayloads) ExpectRefused(field, payload);
  for (const Field& field : kDefaultFields)
    for (const char* ok : {"0", "'x'", "now()", "'a -- b'", "1 -- one\n"}) {
      Status s = Load(field, ok);
      EXPECT_TRUE(s.ok()) << field.op << " default " << ok << ": " << s.ToString();
    }
}

TEST(TypedFieldsTest, RefusesSqlInSequenceOptions) {
  const char* kPayloads[] = {
      "start 1); DROP TABLE victim CASCADE; --", "start 1 --", "start 1) NOT NULL, x int CHECK (true",
      "start 1;", "start 1 FROM x", "start (SELECT 1)",
  };
  for (const Field& field : kSequenceFields)
    for (const char* payload : kPayloads) ExpectRefused(field, payload);
  for (const char* ok : {"START WITH 10 INCREMENT BY 5", "start 1 minvalue 1 maxvalue 100 cache 1 no cycle", ""}) {
    Status s = Load(kSequenceFields[0], ok);
    EXPECT_TRUE(s.ok()) << "sequence_options " << ok << ": " << s.ToString();
  }
}

TEST(TypedFieldsTest, RefusesSqlInConstraintFields) {
  const Field kFields[] = {{"storage_parameters", "create_table", StorageParameters},
                           {"elements", "create_table", ExcludeElements},
                           {"predicate", "create_table", ExcludePredicate}};
  const char* kPayloads[] = {"1); DROP TABLE victim CASCADE; --", "fillfactor = 70 --", "c > 0) ; DROP TABLE victim"};
  for (const Field& field : kFields)
    for (const char* payload : kPayloads) ExpectRefused(field, payload);
  const std::pair<const Field&, const char*> kAccepted[] = {
      {kFields[0], "fillfactor = 70"}, {kFields[1], "c WITH =, tstzrange(c, c) WITH &&"}, {kFields[2], "c > 0"}};
  for (const auto& [field, ok] : kAccepted) {
    Status s = Load(field, ok);
    EXPECT_TRUE(s.ok()) << field.name << " " << ok << ": " << s.ToString();
  }
}

}  // namespace
}  // namespace pleat::migration

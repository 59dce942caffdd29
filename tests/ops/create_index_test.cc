#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <unistd.h>

#include "engine/lifecycle.h"
#include "support/op_case.h"
#include "support/test_db.h"

namespace pleat::testing {
namespace {

const char* kFruits = R"(
operations:
  - create_table:
      name: fruits
      columns:
        - {name: id, type: serial, pk: true}
        - {name: name, type: text}
        - {name: size, type: int, nullable: true}
        - {name: doc, type: tsvector, nullable: true}
)";

std::string Def(CaseContext& c, const std::string& index) {
  return c.Value("SELECT pg_get_indexdef(to_regclass('public." + index + "'))");
}

std::string Gone(CaseContext& c, const std::string& index) {
  return c.Value("SELECT to_regclass('public." + index + "') IS NULL");
}

// A case whose index must read `def` after start and complete, and be gone after rollback.
OpCase DefCase(const std::string& name, const std::string& migration, const std::string& index, const std::string& def) {
  return {.name = name,
          .setup_migrations = {kFruits},
          .migration = migration,
          .after_start = [=](CaseContext& c) { EXPECT_EQ(def, Def(c, index)) << name; },
          .after_rollback = [=](CaseContext& c) { EXPECT_EQ("t", Gone(c, index)) << name; },
          .after_complete = [=](CaseContext& c) {
            EXPECT_EQ(def, Def(c, index)) << name;
            EXPECT_EQ("t", c.Value("SELECT indisvalid FROM pg_index WHERE indexrelid = 'public." + index + "'::regclass"));
          }};
}

TEST(CreateIndex, Definitions) {
  const OpCase cases[] = {
      DefCase("one_column", R"(
operations:
  - create_index: {name: idx_name, table: fruits, columns: [{column: name}]}
)", "idx_name", "CREATE INDEX idx_name ON public.fruits USING btree (name)"),
      DefCase("sort_nulls_collate", R"(
operations:
  - create_index:
      name: idx_sorted
      table: fruits
      columns:
        - {column: name, collate: C, sort: DESC, nulls: LAST}
        - {column: id, sort: asc, nulls: first}
)", "idx_sorted", "CREATE INDEX idx_sorted ON public.fruits USING btree (name COLLATE \"C\" DESC NULLS LAST, id NULLS FIRST)"),
      DefCase("opclass", R"(
operations:
  - create_index: {name: idx_opclass, table: fruits, columns: [{column: name, opclass: {name: text_pattern_ops}}]}
)", "idx_opclass", "CREATE INDEX idx_opclass ON public.fruits USING btree (name text_pattern_ops)"),
      DefCase("gist_opclass_params", R"(
operations:
  - create_index:
      name: idx_doc
      table: fruits
      method: gist
      columns: [{column: doc, opclass: {name: tsvector_ops, params: [siglen=100]}}]
)", "idx_doc", "CREATE INDEX idx_doc ON public.fruits USING gist (doc tsvector_ops (siglen='100'))"),
      DefCase("gin", R"(
operations:
  - create_index: {name: idx_gin, table: fruits, method: gin, columns: [doc]}
)", "idx_gin", "CREATE INDEX idx_gin ON public.fruits USING gin (doc)"),
      DefCase("hash_with_fillfactor", R"(
operations:
  - create_index:
      name: idx_hash
      table: fruits
      columns: [{column: name}]
      method: hash
      storage_parameters: fillfactor = 70
)", "idx_hash", "CREATE INDEX idx_hash ON public.fruits USING hash (name) WITH (fillfactor='70')"),
      DefCase("partial", R"(
operations:
  - create_index: {name: idx_partial, table: fruits, columns: [{column: id}], predicate: "size > 10 AND name <> 'x'"}
)", "idx_partial", "CREATE INDEX idx_partial ON public.fruits USING btree (id) WHERE ((size > 10) AND (name <> 'x'::text))"),
      DefCase("unique", R"(
operations:
  - create_index: {name: idx_unique, table: fruits, columns: [{column: name}], unique: true}
)", "idx_unique", "CREATE UNIQUE INDEX idx_unique ON public.fruits USING btree (name)"),
      DefCase("plain_names_keep_order", R"(
operations:
  - create_index: {name: idx_plain, table: fruits, columns: [size, name]}
)", "idx_plain", "CREATE INDEX idx_plain ON public.fruits USING btree (size, name)"),
      DefCase("mapping_form", R"(
operations:
  - create_index: {name: idx_map, table: fruits, columns: {name: {sort: DESC}}}
)", "idx_map", "CREATE INDEX idx_map ON public.fruits USING btree (name DESC)"),
      DefCase("column_added_in_same_migration", R"(
operations:
  - add_column: {table: fruits, column: {name: colour, type: text, nullable: true}}
  - create_index: {name: idx_colour, table: fruits, columns: [colour]}
)", "idx_colour", "CREATE INDEX idx_colour ON public.fruits USING btree (colour)"),
  };
  for (const auto& c : cases) RunOpCase(c);
}

TEST(CreateIndex, TableCreatedInSameMigration) {
  RunOpCase({.name = "new_table",
             .migration = R"(
operations:
  - create_table: {name: pets, columns: [{name: id, type: int, pk: true}, {name: kind, type: text}]}
  - create_index: {name: idx_kind, table: pets, columns: [kind]}
)",
             .after_start = [](CaseContext& c) {
               EXPECT_EQ("CREATE INDEX idx_kind ON public.pets USING btree (kind)", Def(c, "idx_kind"));
             },
             .after_complete = [](CaseContext& c) {
               EXPECT_EQ("CREATE INDEX idx_kind ON public.pets USING btree (kind)", Def(c, "idx_kind"));
             }});
}

// Columns and predicate name the column as the new version sees it; the index
// is built on the physical column, which complete then renames.
TEST(CreateIndex, OnRenamedColumn) {
  RunOpCase({.name = "renamed_column",
             .setup_migrations = {kFruits},
             .migration = R"(
operations:
  - rename_column: {table: fruits, from: name, to: title}
  - create_index: {name: idx_title, table: fruits, columns: [title], predicate: "title <> 'name' AND size > 1"}
)",
             .after_start = [](CaseContext& c) {
               EXPECT_EQ("CREATE INDEX idx_title ON public.fruits USING btree (name) WHERE ((name <> 'name'::text) AND (size > 1))",
                         Def(c, "idx_title"));
             },
             .after_complete = [](CaseContext& c) {
               EXPECT_EQ("CREATE INDEX idx_title ON public.fruits USING btree (title) WHERE ((title <> 'name'::text) AND (size > 1))",
                         Def(c, "idx_title"));
             }});
}

TEST(CreateIndex, UniqueIndexRefusesDuplicatesThroughBothVersions) {
  RunOpCase({.name = "unique_refuses",
             .setup_migrations = {kFruits},
             .setup_sql = "INSERT INTO fruits (name) VALUES ('apple')",
             .migration = R"(
operations:
  - create_index: {name: idx_unique_name, table: fruits, columns: [name], unique: true}
)",
             .after_start = [](CaseContext& c) {
               c.ExecFails("INSERT INTO " + c.new_schema + ".fruits (name) VALUES ('apple')", "duplicate key");
               c.ExecFails("INSERT INTO " + c.old_schema + ".fruits (name) VALUES ('apple')", "duplicate key");
               c.Exec("INSERT INTO " + c.new_schema + ".fruits (name) VALUES ('pear')");
             },
             .after_rollback = [](CaseContext& c) {
               c.Exec("INSERT INTO " + c.old_schema + ".fruits (name) VALUES ('apple')");
               c.Exec("DELETE FROM fruits WHERE id = (SELECT max(id) FROM fruits WHERE name = 'apple')");
             },
             .after_complete = [](CaseContext& c) {
               c.ExecFails("INSERT INTO " + c.new_schema + ".fruits (name) VALUES ('pear')", "duplicate key");
             }});
}

TEST(CreateIndex, Errors) {
  struct ErrorCase {
    std::string name, body, error;
  };
  const ErrorCase cases[] = {
      {"unknown_table", "{name: i1, table: nope, columns: [name]}", "table \"nope\" does not exist"},
      {"unknown_column", "{name: i1, table: fruits, columns: [nope]}", "column \"nope\" does not exist"},
      {"index_name_taken", "{name: fruits_pkey, table: fruits, columns: [name]}", "index \"fruits_pkey\" already exists"},
      {"table_name_taken", "{name: fruits, table: fruits, columns: [name]}", "relation named \"fruits\" already exists"},
      {"bad_method", "{name: i1, table: fruits, columns: [name], method: bitmap}", "unknown index method \"bitmap\""},
      {"unique_hash", "{name: i1, table: fruits, columns: [name], method: hash, unique: true}",
       "a hash index cannot be unique"},
      {"sorted_gin", "{name: i1, table: fruits, columns: [{column: doc, sort: DESC}], method: gin}",
       "cannot set sort or nulls"},
      {"unknown_key", "{name: i1, table: fruits, columns: [name], concurrently: true}", "unknown key \"concurrently\""},
      {"unknown_column_key", "{name: i1, table: fruits, columns: [{column: name, order: DESC}]}", "unknown key \"order\""},
      {"bad_sort", "{name: i1, table: fruits, columns: [{column: name, sort: UP}]}", "\"sort\" must be ASC or DESC"},
      {"no_columns", "{name: i1, table: fruits, columns: []}", "\"columns\" must be a non-empty list"},
      {"missing_columns", "{name: i1, table: fruits}", "\"columns\" is required"},
      {"mapping_of_two", "{name: i1, table: fruits, columns: {name: {}, id: {}}}", "loses their order"},
      {"predicate_unknown_column", "{name: i1, table: fruits, columns: [id], predicate: nope > 1}",
       "predicate refers to column \"nope\""},
      {"predicate_not_expression", "{name: i1, table: fruits, columns: [id], predicate: 'id > 1; DROP TABLE fruits'}",
       "predicate"},
      {"storage_parameters_injection",
       "{name: i1, table: fruits, columns: [id], storage_parameters: 'fillfactor=70); DROP TABLE fruits; --'}",
       "does not make a valid CREATE INDEX"},
      {"name_too_long", "{name: " + std::string(64, 'x') + ", table: fruits, columns: [id]}", "1 to 63 bytes"},
  };
  for (const auto& e : cases)
    RunOpCase({.name = e.name,
               .setup_migrations = {kFruits},
               .migration = "operations:\n  - create_index: " + e.body + "\n",
               .start_error = e.error});
}

// A CONCURRENTLY build that fails leaves an invalid index behind. Rollback
// removes it; a resumed start drops it before building again.
class FailedBuild : public ::testing::Test {
 protected:
  void SetUp() override {
    url_ = NewDatabase();
    conn_ = Connect(url_);
    dir_ = std::filesystem::temp_directory_path() / ("pleat-failed-build-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir_);
    std::string vs;
    ASSERT_TRUE(Pleat().Start(Write("01_fruits.yaml", kFruits), true, &vs).ok());
    Exec(&conn_, "INSERT INTO fruits (name) VALUES ('apple'), ('apple')");
    path_ = Write("02_unique.yaml", "operations:\n  - create_index: {name: idx_u, table: fruits, columns: [name], unique: true}\n");
    Status s = Pleat().Start(path_, false, &vs);
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.ToString().find("could not create unique index"), std::string::npos) << s.ToString();
    EXPECT_EQ("f", Value(&conn_, "SELECT indisvalid FROM pg_index WHERE indexrelid = to_regclass('public.idx_u')"));
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  engine::Lifecycle Pleat() {
    Options o;
    o.conninfo = url_;
    o.log = [](const std::string&) {};
    return engine::Lifecycle(o);
  }
  std::string Write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name) << text;
    return (dir_ / name).string();
  }
  void ExpectValidAfterComplete() {
    std::string vs;
    ASSERT_TRUE(Pleat().Start(path_, false, &vs).ok());
    EXPECT_EQ("t", Value(&conn_, "SELECT indisvalid FROM pg_index WHERE indexrelid = to_regclass('public.idx_u')"));
    ASSERT_TRUE(Pleat().Complete().ok());
    EXPECT_EQ("1", Value(&conn_, "SELECT count(*) FROM pg_index WHERE indexrelid = to_regclass('public.idx_u') AND indisvalid"));
  }

  std::string url_, path_;
  pg::Connection conn_;
  std::filesystem::path dir_;
};

TEST_F(FailedBuild, RollbackRemovesTheInvalidIndexAndARerunSucceeds) {
  Status s = Pleat().Rollback();
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ("", Value(&conn_, "SELECT relname FROM pg_class WHERE relname = 'idx_u'"));
  EXPECT_EQ("", PleatLeftovers(&conn_, "public"));
  Exec(&conn_, "UPDATE fruits SET name = 'pear' WHERE id = 2");
  ExpectValidAfterComplete();
}

TEST_F(FailedBuild, ResumedStartDropsTheInvalidIndexFirst) {
  Exec(&conn_, "UPDATE fruits SET name = 'pear' WHERE id = 2");
  ExpectValidAfterComplete();
}

}  // namespace
}  // namespace pleat::testing

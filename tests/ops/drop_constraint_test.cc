#include <gtest/gtest.h>

#include "support/op_case.h"

namespace pleat::testing {
namespace {

const char* kPosts = R"(
operations:
  - create_table:
      name: users
      columns:
        - {name: id, type: serial, pk: true}
  - create_table:
      name: posts
      columns:
        - {name: id, type: serial, pk: true}
        - {name: title, type: text}
        - {name: user_id, type: integer, nullable: true}
)";

const char* kConstraints =
    "ALTER TABLE posts ADD CONSTRAINT title_length CHECK (length(title) > 3);"
    "ALTER TABLE posts ADD CONSTRAINT title_unique UNIQUE (title);"
    "ALTER TABLE posts ADD CONSTRAINT fk_users_id FOREIGN KEY (user_id) REFERENCES users (id);"
    "ALTER TABLE posts ADD CONSTRAINT id_title CHECK (id > 0 AND title <> '');"
    "INSERT INTO users DEFAULT VALUES; INSERT INTO posts (title, user_id) VALUES ('hello', 1);";

std::string Drop(const std::string& name, const std::string& extra = "") {
  return "operations:\n  - drop_constraint:\n      table: posts\n      name: " + name + "\n" + extra;
}

std::string Has(CaseContext& c, const std::string& name) {
  return c.Value("SELECT count(*) FROM pg_constraint WHERE conrelid = 'posts'::regclass AND conname = '" + name + "'");
}

// Writes that break constraint `name` fail through both versions while it is being dropped.
void StillEnforced(CaseContext& c, const std::string& bad_insert, const std::string& name) {
  EXPECT_EQ("1", Has(c, name));
  c.ExecFails("INSERT INTO " + c.old_schema + ".posts " + bad_insert, name);
  c.ExecFails("INSERT INTO " + c.new_schema + ".posts " + bad_insert, name);
  c.ExecFails("INSERT INTO posts " + bad_insert, name);
  c.Exec("INSERT INTO " + c.old_schema + ".posts (title) VALUES ('from old')");
  c.Exec("INSERT INTO " + c.new_schema + ".posts (title) VALUES ('from new')");
  EXPECT_EQ("hello\nfrom old\nfrom new", c.Rows("SELECT title FROM " + c.new_schema + ".posts ORDER BY id"));
  EXPECT_EQ("hello\nfrom old\nfrom new", c.Rows("SELECT title FROM " + c.old_schema + ".posts ORDER BY id"));
}

OpCase DropCase(const std::string& case_name, const std::string& name, const std::string& bad_insert,
                const std::string& extra) {
  return {.name = case_name,
          .setup_migrations = {kPosts},
          .setup_sql = kConstraints,
          .migration = Drop(name, extra),
          .after_start = [=](CaseContext& c) { StillEnforced(c, bad_insert, name); },
          .after_rollback = [=](CaseContext& c) { EXPECT_EQ("1", Has(c, name)); },
          .after_complete =
              [=](CaseContext& c) {
                EXPECT_EQ("0", Has(c, name));
                c.Exec("INSERT INTO " + c.new_schema + ".posts " + bad_insert);
              }};
}

TEST(DropConstraint, Cases) {
  const OpCase cases[] = {
      DropCase("check", "title_length", "(title) VALUES ('ab')",
               "      up: title\n      down: SELECT CASE WHEN length(title) <= 3 THEN LPAD(title, 4, '-') ELSE title END\n"),
      DropCase("unique", "title_unique", "(title) VALUES ('hello')",
               "      up: title\n      down: title || '-' || (random()*1000000)::integer\n"),
      DropCase("foreign_key", "fk_users_id", "(title, user_id) VALUES ('orphan', 42)",
               "      up: user_id\n      down: SELECT CASE WHEN EXISTS (SELECT 1 FROM users WHERE users.id = user_id) "
               "THEN user_id ELSE NULL END\n"),
      DropCase("without_up_and_down", "title_length", "(title) VALUES ('ab')", ""),
      {.name = "unique_index_goes_with_it",
       .setup_migrations = {kPosts},
       .setup_sql = kConstraints,
       .migration = Drop("title_unique"),
       .after_start = [](CaseContext& c) { EXPECT_EQ("t", c.Value("SELECT to_regclass('public.title_unique') IS NOT NULL")); },
       .after_complete = [](CaseContext& c) { EXPECT_EQ("f", c.Value("SELECT to_regclass('public.title_unique') IS NOT NULL")); }},
      {.name = "unknown_table", .setup_migrations = {kPosts}, .setup_sql = kConstraints,
       .migration = "operations:\n  - drop_constraint: {table: nope, name: title_length, up: title, down: title}\n",
       .start_error = "table \"nope\" does not exist"},
      {.name = "unknown_constraint", .setup_migrations = {kPosts}, .setup_sql = kConstraints,
       .migration = Drop("nope"), .start_error = "constraint \"nope\" does not exist on table \"posts\""},
      {.name = "primary_key_is_refused", .setup_migrations = {kPosts}, .setup_sql = kConstraints,
       .migration = Drop("posts_pkey"), .start_error = "cannot drop primary key constraint \"posts_pkey\""},
      {.name = "several_columns_is_refused", .setup_migrations = {kPosts}, .setup_sql = kConstraints,
       .migration = Drop("id_title"), .start_error = "use drop_multicolumn_constraint"},
      {.name = "up_names_unknown_column", .setup_migrations = {kPosts}, .setup_sql = kConstraints,
       .migration = Drop("title_length", "      up: titel\n      down: title\n"),
       .start_error = "refers to column \"titel\""},
      {.name = "unknown_key", .setup_migrations = {kPosts}, .setup_sql = kConstraints,
       .migration = Drop("title_length", "      column: title\n"), .start_error = "unknown key \"column\""},
      {.name = "dropped_twice", .setup_migrations = {kPosts}, .setup_sql = kConstraints,
       .migration = Drop("title_length") + "  - drop_constraint: {table: posts, name: title_length}\n",
       .start_error = "constraint \"title_length\" does not exist"},
  };
  for (const auto& c : cases) RunOpCase(c);
}

}  // namespace
}  // namespace pleat::testing

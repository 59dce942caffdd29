// move_column: one column moves to a table related by a foreign key, both
// ways. users.address moves into profiles (profiles.user_id references users),
// and profiles.bio moves into users. Both versions write; rollback keeps every
// value either version wrote.
#include <gtest/gtest.h>

#include "support/op_case.h"

namespace pleat::testing {
namespace {

const char* kUsers = R"(
operations:
  - create_table:
      name: users
      columns:
        - {name: id, type: serial, pk: true}
        - {name: name, type: text}
        - {name: address, type: text, nullable: true}
  - create_table:
      name: profiles
      columns:
        - {name: id, type: serial, pk: true}
        - {name: user_id, type: int, references: {name: profiles_user_fk, table: users, column: id}}
        - {name: bio, type: text, nullable: true}
)";

const char* kSetup =
    "INSERT INTO users (name, address) VALUES ('ann', 'a st'), ('bob', 'b st');"
    "INSERT INTO profiles (user_id, bio) VALUES (1, 'ann bio'), (2, 'bob bio')";

const char* kUsersRows = "SELECT id, name, address FROM public.users ORDER BY id";

void AddressAfterStart(CaseContext& c) {
  const std::string& o = c.old_schema;
  const std::string& n = c.new_schema;
  EXPECT_EQ("1|a st\n2|b st", c.Rows("SELECT user_id, address FROM " + n + ".profiles ORDER BY id")) << "backfill";
  c.ExecFails("SELECT address FROM " + n + ".users", "does not exist");
  // old writers: the user's address reaches its profile; a new profile of an old writer reads it
  c.Exec("UPDATE " + o + ".users SET address = 'a2' WHERE id = 1");
  c.Exec("INSERT INTO public.users (name, address) VALUES ('cy', 'c st')");
  c.Exec("INSERT INTO " + o + ".profiles (user_id, bio) VALUES (3, 'cy bio')");
  EXPECT_EQ("1|a2\n2|b st\n3|c st", c.Rows("SELECT user_id, address FROM " + n + ".profiles ORDER BY id"));
  // new writers (schema-qualified, search_path): the profile's address reaches the user
  c.Exec("UPDATE " + n + ".profiles SET address = 'b2' WHERE user_id = 2");
  c.Exec("INSERT INTO " + n + ".users (name) VALUES ('dee')");
  c.Exec("SET search_path TO " + n + "; INSERT INTO profiles (user_id, address) VALUES (4, 'd st'); RESET search_path");
  EXPECT_EQ("1|ann|a2\n2|bob|b2\n3|cy|c st\n4|dee|d st", c.Rows(kUsersRows));
}

void AddressAfterRollback(CaseContext& c) {
  EXPECT_EQ("1|ann|a2\n2|bob|b2\n3|cy|c st\n4|dee|d st", c.Rows(kUsersRows));
}

void AddressAfterComplete(CaseContext& c) {
  EXPECT_EQ("1|a2\n2|b2\n3|c st\n4|d st",
            c.Rows("SELECT user_id, address FROM " + c.new_schema + ".profiles ORDER BY id"));
  EXPECT_EQ("0", c.Value("SELECT count(*) FROM pg_attribute WHERE attrelid = 'public.users'::regclass "
                         "AND attname = 'address' AND NOT attisdropped"));
}

void BioAfterStart(CaseContext& c) {
  const std::string& o = c.old_schema;
  const std::string& n = c.new_schema;
  EXPECT_EQ("1|ann bio\n2|bob bio", c.Rows("SELECT id, about FROM " + n + ".users ORDER BY id")) << "backfill";
  c.Exec("UPDATE " + o + ".profiles SET bio = 'ann 2' WHERE user_id = 1");
  c.Exec("UPDATE " + n + ".users SET about = 'bob 2' WHERE id = 2");
  EXPECT_EQ("1|ann 2\n2|bob 2", c.Rows("SELECT id, about FROM " + n + ".users ORDER BY id"));
  EXPECT_EQ("1|ann 2\n2|bob 2", c.Rows("SELECT user_id, bio FROM " + o + ".profiles ORDER BY id"));
}

// Two columns moved between the same tables share one pair of sync triggers:
// both reach the other table, whichever version writes them.
void TwoColumnsAfterStart(CaseContext& c) {
  const std::string& o = c.old_schema;
  const std::string& n = c.new_schema;
  EXPECT_EQ("1|a st|a town\n2|b st|b town",
            c.Rows("SELECT user_id, address, city FROM " + n + ".profiles ORDER BY id")) << "backfill";
  // `city` came after the old version schema: the old app writes the table itself.
  c.Exec("UPDATE public.users SET address = 'a2', city = 'a3' WHERE id = 1");
  c.Exec("UPDATE " + n + ".profiles SET address = 'b2', city = 'b3' WHERE user_id = 2");
  EXPECT_EQ("1|a2|a3\n2|b2|b3", c.Rows("SELECT user_id, address, city FROM " + n + ".profiles ORDER BY id"));
  EXPECT_EQ("1|a2|a3\n2|b2|b3", c.Rows("SELECT id, address, city FROM public.users ORDER BY id"));
  EXPECT_EQ("1|a2\n2|b2", c.Rows("SELECT id, address FROM " + o + ".users ORDER BY id"));
}

TEST(MoveColumn, Cases) {
  const OpCase cases[] = {
      {.name = "users_address_into_profiles",
       .setup_migrations = {kUsers},
       .setup_sql = kSetup,
       .migration = "operations:\n  - move_column: {table: users, column: address, to: profiles}\n",
       .after_start = AddressAfterStart,
       .after_rollback = AddressAfterRollback,
       .after_complete = AddressAfterComplete},
      {.name = "profiles_bio_into_users",
       .setup_migrations = {kUsers},
       .setup_sql = kSetup,
       .migration = "operations:\n  - move_column: {table: profiles, column: bio, to: users, name: about}\n",
       .after_start = BioAfterStart,
       .after_rollback = [](CaseContext& c) {
         EXPECT_EQ("1|ann 2\n2|bob 2", c.Rows("SELECT user_id, bio FROM public.profiles ORDER BY id"));
       }},
      {.name = "two_columns_into_profiles",
       .setup_migrations = {kUsers},
       .setup_sql = std::string(kSetup) + "; ALTER TABLE users ADD COLUMN city text;"
                                          "UPDATE users SET city = split_part(address, ' ', 1) || ' town'",
       .migration = "operations:\n  - move_column: {table: users, column: address, to: profiles}\n"
                    "  - move_column: {table: users, column: city, to: profiles}\n",
       .after_start = TwoColumnsAfterStart,
       .after_rollback = [](CaseContext& c) {
         EXPECT_EQ("1|a2|a3\n2|b2|b3", c.Rows("SELECT id, address, city FROM public.users ORDER BY id"));
       }},
      {.name = "unrelated_tables_are_refused",
       .setup_migrations = {kUsers, "operations:\n  - create_table: {name: notes, columns: [{name: id, type: int, pk: true}]}\n"},
       .migration = "operations:\n  - move_column: {table: users, column: address, to: notes}\n",
       .start_error = "no one-column foreign key"},
  };
  for (const auto& c : cases) RunOpCase(c);
}

}  // namespace
}  // namespace pleat::testing

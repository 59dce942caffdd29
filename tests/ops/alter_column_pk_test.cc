// alter_column `type:` on a primary-key column (int -> bigint of `id`): the
// key is rebuilt on the shadow column, new-version INSERTs get ids from the
// serial's sequence during the migration, foreign keys that reference the key
// (from other tables, other schemas and the table itself) stay enforced
// throughout and are valid after complete, and the sequence counts past the
// old type. Keys pleat cannot rebuild are refused before anything changes.
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
)";

const char* kWiden = R"(
operations:
  - alter_column: {table: users, column: id, type: bigint}
)";

const char* kSeed = "INSERT INTO users (name) VALUES ('ann'), ('bob');";

// Each referencing table in a different place: another table, another schema, the table itself.
const char* kReferences =
    "CREATE TABLE orders (id serial PRIMARY KEY, user_id int NOT NULL REFERENCES users (id) ON DELETE CASCADE);"
    "COMMENT ON CONSTRAINT orders_user_id_fkey ON orders IS 'who ordered';"
    "CREATE SCHEMA billing; CREATE TABLE billing.invoices (user_id int REFERENCES public.users (id));"
    "ALTER TABLE users ADD COLUMN parent_id int REFERENCES users (id);"
    "INSERT INTO orders (user_id) VALUES (1), (2); INSERT INTO billing.invoices VALUES (1);";

std::string KeyDef(CaseContext& c, const std::string& table) {
  return c.Value("SELECT conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = '" + table +
                 "'::regclass AND contype = 'p'");
}

std::string TypeOf(CaseContext& c, const std::string& table, const std::string& column) {
  return c.Value("SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = '" + table +
                 "'::regclass AND attname = '" + column + "'");
}

// Writes through both versions while the migration runs; both must see every row.
void WriteBothVersions(CaseContext& c) {
  const std::string o = c.old_schema + ".users", n = c.new_schema + ".users";
  EXPECT_EQ("bigint", c.Value("SELECT pg_typeof(id)::text FROM " + n + " LIMIT 1"));
  EXPECT_EQ("integer", c.Value("SELECT pg_typeof(id)::text FROM " + o + " LIMIT 1"));
  std::string cat = c.Value("INSERT INTO " + n + " (name) VALUES ('cat') RETURNING id");
  c.Exec("INSERT INTO " + o + " (name) VALUES ('dan')");
  c.Exec("INSERT INTO " + n + " (id, name) VALUES (1, 'ann2') ON CONFLICT (id) DO UPDATE SET name = excluded.name");
  c.Exec("UPDATE " + n + " SET name = 'bobby' WHERE id = 2");
  c.ExecFails("INSERT INTO " + n + " (id, name) VALUES (2, 'dup')", "duplicate key");
  // The old column still holds every id until complete: a value only bigint holds must wait.
  c.ExecFails("INSERT INTO " + n + " (id, name) VALUES (5000000000, 'big')", "out of range");
  EXPECT_EQ("cat", c.Value("SELECT name FROM " + o + " WHERE id = " + cat));
  std::string rows = "SELECT string_agg(id || ':' || name, ',' ORDER BY id) FROM ";
  EXPECT_EQ(c.Value(rows + o), c.Value(rows + n));
  EXPECT_EQ("ann2,bobby,cat,dan", c.Value("SELECT string_agg(name, ',' ORDER BY id) FROM " + n));
}

void CheckWidened(CaseContext& c) {
  EXPECT_EQ("bigint", TypeOf(c, "users", "id"));
  EXPECT_EQ("users_pkey PRIMARY KEY (id)", KeyDef(c, "users"));
  EXPECT_EQ("t", c.Value("SELECT indisprimary FROM pg_index WHERE indexrelid = 'users_pkey'::regclass"));
  EXPECT_EQ("bigint", c.Value("SELECT format_type(seqtypid, NULL) FROM pg_sequence WHERE seqrelid = "
                              "pg_get_serial_sequence('users', 'id')::regclass"));
  c.Exec("SELECT setval(pg_get_serial_sequence('users', 'id'), 3000000000)");
  EXPECT_EQ("3000000001", c.Value("INSERT INTO " + c.new_schema + ".users (name) VALUES ('eve') RETURNING id"));
  c.ExecFails("INSERT INTO " + c.new_schema + ".users (id, name) VALUES (1, 'dup')", "users_pkey");
}

TEST(AlterColumnPrimaryKey, Cases) {
  const OpCase cases[] = {
      {.name = "serial_id_int_to_bigint",
       .setup_migrations = {kUsers},
       .setup_sql = kSeed,
       .migration = kWiden,
       .after_start = WriteBothVersions,
       .after_complete =
           [](CaseContext& c) {
             CheckWidened(c);
             EXPECT_EQ("ann2,bobby,cat,dan,eve", c.Value("SELECT string_agg(name, ',' ORDER BY id) FROM users"));
           }},
      {.name = "referenced_by_foreign_keys",
       .setup_migrations = {kUsers},
       .setup_sql = std::string(kSeed) + kReferences,
       .migration = kWiden,
       .after_start =
           [](CaseContext& c) {
             WriteBothVersions(c);
             std::string cat = c.Value("SELECT id FROM " + c.new_schema + ".users WHERE name = 'cat'");
             c.Exec("INSERT INTO orders (user_id) VALUES (" + cat + ")");
             c.Exec("UPDATE " + c.new_schema + ".users SET parent_id = 1 WHERE id = " + cat);
             c.ExecFails("INSERT INTO orders (user_id) VALUES (999)", "orders_user_id_fkey");
             c.ExecFails("INSERT INTO billing.invoices VALUES (999)", "invoices_user_id_fkey");
           },
       .after_complete =
           [](CaseContext& c) {
             CheckWidened(c);
             EXPECT_EQ(
                 "invoices_user_id_fkey|t|FOREIGN KEY (user_id) REFERENCES users(id)|\n"
                 "orders_user_id_fkey|t|FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE|who ordered\n"
                 "users_parent_id_fkey|t|FOREIGN KEY (parent_id) REFERENCES users(id)|",
                 c.Rows("SELECT conname, convalidated, pg_get_constraintdef(oid), coalesce(obj_description(oid, "
                        "'pg_constraint'), '') FROM pg_constraint WHERE confrelid = 'users'::regclass ORDER BY conname"));
             c.ExecFails("INSERT INTO orders (user_id) VALUES (999)", "orders_user_id_fkey");
             c.ExecFails("INSERT INTO billing.invoices VALUES (999)", "invoices_user_id_fkey");
             c.ExecFails("UPDATE users SET parent_id = 999 WHERE id = 1", "users_parent_id_fkey");
             std::string cat = c.Value("SELECT id FROM users WHERE name = 'cat'");
             EXPECT_EQ("1", c.Value("SELECT count(*) FROM orders WHERE user_id = " + cat));
             c.Exec("DELETE FROM users WHERE id = " + cat);  // cascades to its order
             EXPECT_EQ("0", c.Value("SELECT count(*) FROM orders WHERE user_id = " + cat));
           }},
      {.name = "key_and_referencing_column_together",
       .setup_migrations = {kUsers},
       .setup_sql = std::string(kSeed) + "CREATE TABLE orders (id serial PRIMARY KEY, user_id int NOT NULL REFERENCES "
                                         "users (id) ON DELETE CASCADE); INSERT INTO orders (user_id) VALUES (1), (2);",
       .migration = R"(
operations:
  - alter_column: {table: users, column: id, type: bigint}
  - alter_column: {table: orders, column: user_id, type: bigint}
)",
       .after_start =
           [](CaseContext& c) {
             WriteBothVersions(c);
             std::string cat = c.Value("SELECT id FROM " + c.new_schema + ".users WHERE name = 'cat'");
             c.Exec("INSERT INTO " + c.new_schema + ".orders (user_id) VALUES (" + cat + ")");
             c.ExecFails("INSERT INTO " + c.new_schema + ".orders (user_id) VALUES (999)", "foreign key");
             c.ExecFails("INSERT INTO orders (user_id) VALUES (999)", "foreign key");
           },
       .after_complete =
           [](CaseContext& c) {
             CheckWidened(c);
             EXPECT_EQ("bigint", TypeOf(c, "orders", "user_id"));
             EXPECT_EQ("orders_user_id_fkey|t|FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE",
                       c.Rows("SELECT conname, convalidated, pg_get_constraintdef(oid) FROM pg_constraint WHERE "
                              "confrelid = 'users'::regclass"));
             c.Exec("INSERT INTO orders (user_id) VALUES (3000000001)");  // eve, from CheckWidened
             c.ExecFails("INSERT INTO orders (user_id) VALUES (999)", "orders_user_id_fkey");
           }},
      {.name = "composite_primary_key",
       .setup_sql = "CREATE TABLE members (org int, member int, role text, PRIMARY KEY (org, member));"
                    "CREATE TABLE badges (org int, member int, FOREIGN KEY (org, member) REFERENCES members);"
                    "INSERT INTO members VALUES (1, 1, 'owner'), (1, 2, 'guest'); INSERT INTO badges VALUES (1, 2);",
       .migration = "operations:\n  - alter_column: {table: members, column: member, type: bigint}\n",
       .after_start =
           [](CaseContext& c) {
             c.Exec("INSERT INTO " + c.new_schema + ".members (org, member, role) VALUES (2, 3, 'x')");
             c.Exec("INSERT INTO " + c.old_schema + ".members VALUES (2, 1, 'y')");
             EXPECT_EQ("1|1|owner\n1|2|guest\n2|1|y\n2|3|x",
                       c.Rows("SELECT org, member, role FROM " + c.new_schema + ".members ORDER BY 1, 2"));
             c.ExecFails("INSERT INTO " + c.new_schema + ".members (org, member) VALUES (1, 2)", "duplicate key");
             c.ExecFails("INSERT INTO badges VALUES (1, 9)", "badges_org_member_fkey");
           },
       .after_complete =
           [](CaseContext& c) {
             EXPECT_EQ("bigint", TypeOf(c, "members", "member"));
             EXPECT_EQ("members_pkey PRIMARY KEY (org, member)", KeyDef(c, "members"));
             EXPECT_EQ("t|FOREIGN KEY (org, member) REFERENCES members(org, member)",
                       c.Rows("SELECT convalidated, pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = "
                              "'badges_org_member_fkey'"));
             // The column comes back last: name the columns.
             c.Exec("INSERT INTO members (org, member, role) VALUES (3, 4000000000, 'z');"
                    "INSERT INTO badges VALUES (1, 1)");
             c.ExecFails("INSERT INTO badges VALUES (1, 9)", "badges_org_member_fkey");
           }},
      {.name = "replica_identity_on_the_key",
       .setup_migrations = {kUsers},
       .setup_sql = std::string(kSeed) + "ALTER TABLE users REPLICA IDENTITY USING INDEX users_pkey;",
       .migration = kWiden,
       .after_start = WriteBothVersions,
       .after_complete =
           [](CaseContext& c) {
             CheckWidened(c);
             EXPECT_EQ("i|users_pkey", c.Rows("SELECT c.relreplident, i.indexrelid::regclass FROM pg_class c JOIN "
                                              "pg_index i ON i.indrelid = c.oid AND i.indisreplident WHERE c.oid = "
                                              "'users'::regclass"));
           }},
      {.name = "key_with_include_storage_and_deferrable",
       .setup_sql = "CREATE TABLE notes (id int, body text, PRIMARY KEY (id) INCLUDE (body) WITH (fillfactor = 70) "
                    "DEFERRABLE INITIALLY DEFERRED); INSERT INTO notes VALUES (1, 'a'), (2, 'b');",
       .migration = "operations:\n  - alter_column: {table: notes, column: id, type: bigint}\n",
       .after_start =
           [](CaseContext& c) {
             c.Exec("INSERT INTO " + c.new_schema + ".notes (id, body) VALUES (3, 'c')");
             c.Exec("INSERT INTO notes (id, body) VALUES (4, 'd')");
             EXPECT_EQ("1,2,3,4", c.Value("SELECT string_agg(id::text, ',' ORDER BY id) FROM " + c.new_schema + ".notes"));
           },
       .after_complete =
           [](CaseContext& c) {
             EXPECT_EQ("bigint", TypeOf(c, "notes", "id"));
             EXPECT_EQ("notes_pkey PRIMARY KEY (id) INCLUDE (body) DEFERRABLE INITIALLY DEFERRED", KeyDef(c, "notes"));
             EXPECT_EQ("{fillfactor=70}", c.Value("SELECT reloptions FROM pg_class WHERE oid = 'notes_pkey'::regclass"));
             EXPECT_EQ("id,body", c.Value("SELECT string_agg(attname, ',' ORDER BY attnum) FROM pg_attribute WHERE "
                                          "attrelid = 'notes_pkey'::regclass"));
           }},
      {.name = "identity_key_is_refused",
       .setup_sql = "CREATE TABLE things (id int GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, name text);",
       .migration = "operations:\n  - alter_column: {table: things, column: id, type: bigint}\n",
       .start_error = "it is an identity or generated column"},
      {.name = "unvalidated_foreign_key_is_refused",
       .setup_migrations = {kUsers},
       .setup_sql = std::string(kSeed) + "CREATE TABLE orders (user_id int); INSERT INTO orders VALUES (7);"
                    "ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users NOT VALID;",
       .migration = kWiden,
       .start_error = "foreign key orders_user_fk of table orders references the primary key of users but is NOT VALID"},
      {.name = "nullable_key_is_refused",
       .setup_migrations = {kUsers},
       .migration = "operations:\n  - alter_column: {table: users, column: id, type: bigint, nullable: true}\n",
       .start_error = "nullable: it is part of the primary key"},
  };
  for (const auto& c : cases) RunOpCase(c);
}

}  // namespace
}  // namespace pleat::testing

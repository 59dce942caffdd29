// Several operations in one file: each sees the virtual schema the ones before
// it left, and the table they share gets one plan (one backfill filling every
// new column, shadow and split target; one set of triggers). Each case takes
// the file through start -> writes through both versions -> rollback -> start
// -> complete, as a user would (issue 12).
#include <gtest/gtest.h>

#include "support/op_case.h"

namespace pleat::testing {
namespace {

const char* kAccounts = R"yaml(
operations:
  - create_table:
      name: accounts
      columns:
        - {name: id, type: serial, pk: true}
        - {name: email, type: text}
        - {name: age, type: int, nullable: true}
        - {name: fee, type: "numeric(10,2)", nullable: true}
)yaml";

const char* kSeed = "INSERT INTO accounts (email, age, fee) VALUES ('a@x', 30, 1), ('b@x', NULL, 2)";

const char* kSplitFees = R"yaml(
  - split_table:
      table: accounts
      into:
        - table: account_fees
          key: account_id
          columns:
            - {from: fee}
)yaml";

std::string Fees(CaseContext& c, const std::string& schema) {
  return c.Rows("SELECT account_id, fee FROM " + schema + ".account_fees ORDER BY account_id");
}

// The split's table is backfilled and kept in step with old and new writes.
void FeesInStep(CaseContext& c) {
  const std::string& o = c.old_schema;
  const std::string& n = c.new_schema;
  EXPECT_EQ("1|1.00\n2|2.00", Fees(c, n)) << "backfill of the split table";
  c.Exec("INSERT INTO " + o + ".accounts (email, age, fee) VALUES ('c@x', 40, 3)");
  c.Exec("UPDATE " + o + ".accounts SET fee = 5 WHERE id = 1");
  // the key given: a rebuilt primary key draws two values of its sequence per new-version row
  c.Exec("INSERT INTO " + n + ".accounts (id, email) VALUES (4, 'd@x')");
  c.Exec("INSERT INTO " + n + ".account_fees (account_id, fee) VALUES (4, 4)");
  EXPECT_EQ("1|5.00\n2|2.00\n3|3.00\n4|4.00", Fees(c, n));
  EXPECT_EQ("1|5.00\n2|2.00\n3|3.00\n4|4.00", c.Rows("SELECT id, fee FROM public.accounts ORDER BY id"));
}

void FeesAfterComplete(CaseContext& c) {
  EXPECT_EQ("1|5.00\n2|2.00\n3|3.00\n4|4.00", Fees(c, c.new_schema));
  EXPECT_EQ("0", c.Value("SELECT count(*) FROM pg_attribute WHERE attrelid = 'public.accounts'::regclass "
                         "AND attname = 'fee' AND NOT attisdropped"));
}

TEST(Composition, SplitWithColumnChangesOfTheSameTable) {
  const OpCase cases[] = {
      {.name = "split_and_add_column",
       .setup_migrations = {kAccounts},
       .setup_sql = kSeed,
       .migration = std::string("operations:") + kSplitFees + R"yaml(
  - add_column:
      table: accounts
      up: upper(email)
      column: {name: shout, type: text, nullable: true}
)yaml",
       .after_start =
           [](CaseContext& c) {
             FeesInStep(c);
             EXPECT_EQ("A@X\nB@X\nC@X\nNULL", c.Rows("SELECT coalesce(shout, 'NULL') FROM " + c.new_schema +
                                                      ".accounts ORDER BY id"));
           },
       .after_complete = FeesAfterComplete},
      {.name = "add_column_then_split",
       .setup_migrations = {kAccounts},
       .setup_sql = kSeed,
       .migration = std::string(R"yaml(operations:
  - add_column:
      table: accounts
      up: upper(email)
      column: {name: shout, type: text, nullable: true}
)yaml") + kSplitFees,
       .after_start = FeesInStep,
       .after_complete = FeesAfterComplete},
      {.name = "split_and_alter_column_type",
       .setup_migrations = {kAccounts},
       .setup_sql = kSeed,
       .migration = std::string("operations:") + kSplitFees + R"yaml(
  - alter_column: {table: accounts, column: age, type: bigint, up: "coalesce(age, 0)", down: "age"}
)yaml",
       .after_start =
           [](CaseContext& c) {
             FeesInStep(c);
             EXPECT_EQ("30\n0\n40\n-1", c.Rows("SELECT coalesce(age, -1) FROM " + c.new_schema + ".accounts ORDER BY id"));
           },
       .after_complete =
           [](CaseContext& c) {
             FeesAfterComplete(c);
             EXPECT_EQ("bigint", c.Value("SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = "
                                         "'public.accounts'::regclass AND attname = 'age'"));
           }},
      {.name = "split_and_alter_primary_key_type",
       .setup_migrations = {kAccounts},
       .setup_sql = kSeed,
       .migration = std::string("operations:") + kSplitFees + R"yaml(
  - alter_column: {table: accounts, column: id, type: bigint, up: "id", down: "id"}
)yaml",
       .after_start = FeesInStep,
       .after_complete = FeesAfterComplete},
  };
  for (const auto& c : cases) RunOpCase(c);
}

const char* kProfiles = R"yaml(
operations:
  - create_table:
      name: profiles
      columns:
        - {name: id, type: serial, pk: true}
        - {name: account_id, type: int, references: {name: profiles_account_fk, table: accounts, column: id}}
        - {name: bio, type: text, nullable: true}
)yaml";

// Complete drops what the triggers of a move read only with those triggers:
// before, it dropped the table's hidden columns first and failed half-way.
TEST(Composition, MoveWithOtherChangesOfTheSourceCompletes) {
  const OpCase cases[] = {
      {.name = "split_and_drop_column",
       .setup_migrations = {kAccounts},
       .setup_sql = kSeed,
       .migration = std::string("operations:") + kSplitFees + R"yaml(
  - drop_column: {table: accounts, column: age, down: "7"}
)yaml",
       .after_start =
           [](CaseContext& c) {
             FeesInStep(c);
             EXPECT_EQ("30\nNULL\n40\n7", c.Rows("SELECT coalesce(age::text, 'NULL') FROM public.accounts ORDER BY id"));
           },
       .after_complete =
           [](CaseContext& c) {
             FeesAfterComplete(c);
             EXPECT_EQ("id|email", c.Value("SELECT string_agg(attname, '|' ORDER BY attnum) FROM pg_attribute WHERE "
                                           "attrelid = 'public.accounts'::regclass AND attnum > 0 AND NOT attisdropped"));
           }},
      {.name = "move_column_and_add_column",
       .setup_migrations = {kAccounts, kProfiles},
       .setup_sql = std::string(kSeed) + "; INSERT INTO profiles (account_id, bio) VALUES (1, 'one'), (2, 'two')",
       .migration = R"yaml(
operations:
  - move_column: {table: accounts, column: fee, to: profiles}
  - add_column:
      table: accounts
      up: upper(email)
      column: {name: shout, type: text, nullable: true}
)yaml",
       .after_start =
           [](CaseContext& c) {
             const std::string& n = c.new_schema;
             EXPECT_EQ("1|1.00\n2|2.00", c.Rows("SELECT account_id, fee FROM " + n + ".profiles ORDER BY id"));
             c.Exec("UPDATE " + c.old_schema + ".accounts SET fee = 5 WHERE id = 1");
             c.Exec("UPDATE " + n + ".profiles SET fee = 6 WHERE account_id = 2");
             EXPECT_EQ("1|5.00\n2|6.00", c.Rows("SELECT id, fee FROM public.accounts ORDER BY id"));
             EXPECT_EQ("A@X\nB@X", c.Rows("SELECT shout FROM " + n + ".accounts ORDER BY id"));
           },
       .after_complete =
           [](CaseContext& c) {
             EXPECT_EQ("1|5.00\n2|6.00", c.Rows("SELECT account_id, fee FROM " + c.new_schema + ".profiles ORDER BY id"));
             EXPECT_EQ("0", c.Value("SELECT count(*) FROM pg_attribute WHERE attrelid = 'public.accounts'::regclass "
                                    "AND attname = 'fee' AND NOT attisdropped"));
           }},
      // The target's key rebuilt on a shadow: the lock-order qual of the
      // target's view read the original key, so complete could not drop it
      // (CompositionRandom, seed 1013).
      {.name = "move_column_then_a_foreign_key_on_the_target_key",
       .setup_migrations = {kAccounts, kProfiles},
       .setup_sql = std::string(kSeed) + "; INSERT INTO profiles (account_id, bio) VALUES (1, 'one'), (2, 'two')",
       .migration = R"yaml(
operations:
  - move_column: {table: accounts, column: fee, to: profiles}
  - create_constraint: {table: profiles, name: profiles_account_fk2, type: foreign_key, columns: [account_id],
      references: {table: accounts, columns: [id]}, up: {account_id: account_id}, down: {account_id: account_id}}
)yaml",
       .before_complete =
           [](CaseContext& c) {
             c.Exec("UPDATE " + c.new_schema + ".profiles SET fee = 6 WHERE account_id = 2");
             EXPECT_EQ("1|1.00\n2|6.00", c.Rows("SELECT id, fee FROM public.accounts ORDER BY id"));
           },
       .after_complete =
           [](CaseContext& c) {
             EXPECT_EQ("1|1.00\n2|6.00", c.Rows("SELECT account_id, fee FROM " + c.new_schema + ".profiles ORDER BY id"));
             EXPECT_EQ("FOREIGN KEY (account_id) REFERENCES accounts(id)",
                       c.Value("SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = 'profiles_account_fk2'"));
           }},
      // The other order: move_column crashed pleat when the target's key was
      // already on a shadow (CompositionRandom, seed 4013).
      {.name = "foreign_key_on_the_target_key_then_move_column",
       .setup_migrations = {kAccounts, kProfiles},
       .setup_sql = std::string(kSeed) + "; INSERT INTO profiles (account_id, bio) VALUES (1, 'one'), (2, 'two')",
       .migration = R"yaml(
operations:
  - create_constraint: {table: profiles, name: profiles_account_fk2, type: foreign_key, columns: [account_id],
      references: {table: accounts, columns: [id]}, up: {account_id: account_id}, down: {account_id: account_id}}
  - move_column: {table: accounts, column: fee, to: profiles}
)yaml",
       .before_complete =
           [](CaseContext& c) {
             c.Exec("UPDATE " + c.old_schema + ".accounts SET fee = 5 WHERE id = 1");
             c.Exec("UPDATE " + c.new_schema + ".profiles SET fee = 6 WHERE account_id = 2");
             EXPECT_EQ("1|5.00\n2|6.00", c.Rows("SELECT id, fee FROM public.accounts ORDER BY id"));
           },
       .after_complete =
           [](CaseContext& c) {
             EXPECT_EQ("1|5.00\n2|6.00", c.Rows("SELECT account_id, fee FROM " + c.new_schema + ".profiles ORDER BY id"));
           }},
      // Two moves out of one table whose key is rebuilt: the first move's
      // complete step dropped the key the second one's triggers still read
      // (CompositionRandom, seed 3056).
      {.name = "split_and_move_column_of_a_table_whose_key_is_rebuilt",
       .setup_migrations = {kAccounts, kProfiles},
       .setup_sql = std::string(kSeed) + "; INSERT INTO profiles (account_id, bio) VALUES (1, 'one'), (2, 'two')",
       .migration = std::string("operations:") + kSplitFees + R"yaml(
  - move_column: {table: accounts, column: age, to: profiles}
  - alter_column: {table: accounts, column: id, type: bigint}
)yaml",
       .after_complete =
           [](CaseContext& c) {
             EXPECT_EQ("1|1.00\n2|2.00", Fees(c, c.new_schema));
             EXPECT_EQ("1|30\n2|NULL", c.Rows("SELECT account_id, coalesce(age::text, 'NULL') FROM " + c.new_schema +
                                              ".profiles ORDER BY id"));
             EXPECT_EQ("email|id:bigint", c.Value("SELECT string_agg(attname, '|' ORDER BY attname) || ':' || max(format_type("
                                                  "atttypid, atttypmod)) FILTER (WHERE attname = 'id') FROM pg_attribute WHERE "
                                                  "attrelid = 'public.accounts'::regclass AND attnum > 0 AND NOT attisdropped"));
           }},
      {.name = "rebuilt_primary_key_before_a_split_is_refused",
       .setup_migrations = {kAccounts},
       .migration = R"yaml(
operations:
  - alter_column: {table: accounts, column: id, type: bigint, up: "id", down: "id"}
)yaml" + std::string(kSplitFees).substr(1),
       .start_error = "put the split_table before the operation that changes the primary key"},
  };
  for (const auto& c : cases) RunOpCase(c);
}

// A foreign key to a key an earlier operation rebuilds: the check before start
// read the key's shadow, which does not exist yet, and refused every such file
// as an expression that does not compile (CompositionRandom, seed 1125); it
// reads the key as its `up` now, and still finds rows that would break the key.
// Rollback dropped the key's shadow before the foreign key that references it.
TEST(Composition, ForeignKeyToAKeyTheFileRebuilds) {
  auto file = [](const std::string& up) {
    return R"yaml(
operations:
  - alter_column: {table: accounts, column: id, type: bigint}
  - create_constraint: {table: profiles, name: profiles_account_fk2, type: foreign_key, columns: [account_id],
      references: {table: accounts, columns: [id]}, up: {account_id: ")yaml" + up + R"yaml("}, down: {account_id: account_id}}
)yaml";
  };
  const OpCase cases[] = {
      {.name = "fk_to_rebuilt_key",
       .setup_migrations = {kAccounts, kProfiles},
       .setup_sql = std::string(kSeed) + "; INSERT INTO profiles (account_id) VALUES (1), (2)",
       .migration = file("account_id"),
       .after_complete =
           [](CaseContext& c) {
             EXPECT_EQ("FOREIGN KEY (account_id) REFERENCES accounts(id)",
                       c.Value("SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = 'profiles_account_fk2'"));
             EXPECT_EQ("bigint", c.Value("SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = "
                                         "'public.accounts'::regclass AND attname = 'id'"));
           }},
      {.name = "fk_to_rebuilt_key_broken_by_up",
       .setup_migrations = {kAccounts, kProfiles},
       .setup_sql = std::string(kSeed) + "; INSERT INTO profiles (account_id) VALUES (1), (2)",
       .migration = file("account_id + 100"),
       .start_error = "the preflight of \"99_under_test\" found 1 error"},
  };
  for (const auto& c : cases) RunOpCase(c);
}

// An `up` reads the old version's columns: one an earlier operation rebuilt
// reads as that operation's `up`, never as the shadow old writers leave empty.
TEST(Composition, UpAfterAShadowReadsTheOldVersion) {
  auto after_start = [](CaseContext& c) {
    const std::string& n = c.new_schema;
    EXPECT_EQ("1|360\n2|0", c.Rows("SELECT id, months FROM " + n + ".accounts ORDER BY id")) << "backfill";
    c.Exec("INSERT INTO " + c.old_schema + ".accounts (email, age) VALUES ('c@x', 40)");
    c.Exec("UPDATE " + c.old_schema + ".accounts SET age = 2 WHERE id = 2");
    c.Exec("INSERT INTO " + n + ".accounts (email, age, months) VALUES ('d@x', 1, 99)");
    EXPECT_EQ("1|30|360\n2|2|24\n3|40|480\n4|1|99", c.Rows("SELECT id, age, months FROM " + n + ".accounts ORDER BY id"));
  };
  // rollback dropped `months`; the second start computed it again for every row
  auto after_complete = [](CaseContext& c) {
    EXPECT_EQ("1|30|360\n2|2|24\n3|40|480\n4|1|12",
              c.Rows("SELECT id, age, months FROM " + c.new_schema + ".accounts ORDER BY id"));
  };
  const char* kAddMonths = R"yaml(
  - add_column:
      table: accounts
      up: coalesce(age, 0) * 12
      column: {name: months, type: int, nullable: true}
)yaml";
  const OpCase cases[] = {
      {.name = "alter_type_then_add_column",
       .setup_migrations = {kAccounts},
       .setup_sql = kSeed,
       .migration = std::string("operations:\n  - alter_column: {table: accounts, column: age, type: bigint, "
                                "up: \"age\", down: \"age\"}") + kAddMonths,
       .after_start = after_start,
       .after_complete = after_complete},
      {.name = "create_constraint_then_add_column",
       .setup_migrations = {kAccounts},
       .setup_sql = kSeed,
       .migration = std::string("operations:\n  - create_constraint: {table: accounts, name: age_positive, type: check, "
                                "check: \"age >= 0\", columns: [age], up: {age: \"greatest(age, 0)\"}, "
                                "down: {age: age}}") + kAddMonths,
       .after_start = after_start,
       .after_complete = after_complete},
      {.name = "alter_type_then_create_constraint_with_up",
       .setup_migrations = {kAccounts},
       .setup_sql = kSeed,
       .migration = "operations:\n  - alter_column: {table: accounts, column: age, type: bigint, up: age, down: age}\n"
                    "  - create_constraint: {table: accounts, name: age_positive, type: check, check: \"age >= 0\", "
                    "columns: [age], up: {age: \"greatest(coalesce(age, 5), 0)\"}, down: {age: age}}\n",
       .after_start =
           [](CaseContext& c) {
             EXPECT_EQ("30\n5", c.Rows("SELECT age FROM " + c.new_schema + ".accounts ORDER BY id"));
             c.Exec("INSERT INTO " + c.old_schema + ".accounts (email, age) VALUES ('c@x', -3)");
             c.ExecFails("INSERT INTO " + c.new_schema + ".accounts (email, age) VALUES ('d@x', -1)", "age_positive");
             EXPECT_EQ("30\n5\n0", c.Rows("SELECT age FROM " + c.new_schema + ".accounts ORDER BY id"));
           },
       .after_complete =
           [](CaseContext& c) {
             EXPECT_EQ("bigint", c.Value("SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = "
                                         "'public.accounts'::regclass AND attname = 'age'"));
             c.ExecFails("INSERT INTO " + c.new_schema + ".accounts (email, age) VALUES ('d@x', -1)", "age_positive");
           }},
      {.name = "drop_column_then_add_column_reading_it",
       .setup_migrations = {kAccounts},
       .setup_sql = kSeed,
       .migration = R"yaml(
operations:
  - drop_column: {table: accounts, column: age, down: "0"}
  - add_column:
      table: accounts
      up: "coalesce(age::text, 'none')"
      column: {name: age_text, type: text, nullable: true}
)yaml",
       .after_start =
           [](CaseContext& c) {
             EXPECT_EQ("30\nnone", c.Rows("SELECT age_text FROM " + c.new_schema + ".accounts ORDER BY id"));
             c.Exec("INSERT INTO " + c.old_schema + ".accounts (email, age) VALUES ('c@x', 40)");
             c.Exec("INSERT INTO " + c.new_schema + ".accounts (email, age_text) VALUES ('d@x', 'mine')");
             EXPECT_EQ("30|30\nNULL|none\n40|40\n0|mine",
                       c.Rows("SELECT coalesce(age::text, 'NULL'), age_text FROM public.accounts ORDER BY id"));
           },
       .after_complete =
           [](CaseContext& c) {
             EXPECT_EQ("30\nnone\n40\n0", c.Rows("SELECT age_text FROM " + c.new_schema + ".accounts ORDER BY id"));
           }},
      {.name = "drop_column_then_add_column_of_the_same_name_is_refused",
       .setup_migrations = {kAccounts},
       .migration = "operations:\n  - drop_column: {table: accounts, column: age, down: \"0\"}\n"
                    "  - add_column: {table: accounts, column: {name: age, type: text, nullable: true}}\n",
       .start_error = "keeps its column \"age\" until complete"},
  };
  for (const auto& c : cases) RunOpCase(c);
}

// An index created earlier in the file is rebuilt on the shadow of a column a
// later operation replaces: before, it stayed on the original, which complete
// drops. Created later, it is built on the shadow and its column ends with the
// column's name, not the shadow's.
TEST(Composition, IndexCreatedBeforeAShadowFollowsIt) {
  const char* kAlterEmail = R"yaml(
  - alter_column:
      table: accounts
      column: email
      check: {name: email_has_at, constraint: "email LIKE '%@%'"}
      up: email
      down: email
)yaml";
  const char* kIndex = "\n  - create_index: {name: accounts_email_uq, table: accounts, columns: [email], unique: true}\n";
  auto unique_after_start = [](CaseContext& c) {
    c.ExecFails("INSERT INTO " + c.new_schema + ".accounts (email) VALUES ('a@x')", "duplicate key");
    c.ExecFails("INSERT INTO " + c.old_schema + ".accounts (email) VALUES ('b@x')", "duplicate key");
    c.Exec("INSERT INTO " + c.new_schema + ".accounts (email) VALUES ('c@x')");
  };
  auto unique_after_complete = [](CaseContext& c) {
    c.ExecFails("INSERT INTO " + c.new_schema + ".accounts (email) VALUES ('a@x')", "duplicate key");
    EXPECT_EQ("email", c.Value("SELECT string_agg(attname, ',') FROM pg_attribute WHERE attrelid = "
                               "'public.accounts_email_uq'::regclass"));
    EXPECT_EQ("email", c.Value("SELECT string_agg(a.attname, ',') FROM pg_index i JOIN pg_attribute a ON "
                               "a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey) WHERE i.indexrelid = "
                               "'public.accounts_email_uq'::regclass AND i.indisunique AND i.indisvalid"));
  };
  RunOpCase({.name = "alter_column_then_create_unique_index",
             .setup_migrations = {kAccounts},
             .setup_sql = kSeed,
             .migration = std::string("operations:") + kAlterEmail + kIndex,
             .after_start = unique_after_start,
             .after_complete = unique_after_complete});
  RunOpCase({.name = "alter_column_then_unique_constraint",
             .setup_migrations = {kAccounts},
             .setup_sql = kSeed,
             .migration = std::string("operations:") + kAlterEmail +
                          "  - create_constraint: {table: accounts, name: accounts_email_uq, type: unique, "
                          "columns: [email], up: {email: email}, down: {email: email}}\n",
             .after_start = unique_after_start,
             .after_complete = unique_after_complete});
  OpCase c{
      .name = "create_unique_index_then_alter_column",
      .setup_migrations = {kAccounts},
      .setup_sql = kSeed,
      .migration = R"yaml(
operations:
  - create_index: {name: accounts_email_uq, table: accounts, columns: [email], unique: true}
  - alter_column:
      table: accounts
      column: email
      check: {name: email_has_at, constraint: "email LIKE '%@%'"}
      up: email
      down: email
)yaml",
      .after_start =
          [](CaseContext& c) {
            c.ExecFails("INSERT INTO " + c.new_schema + ".accounts (email) VALUES ('a@x')", "duplicate key");
            c.ExecFails("INSERT INTO " + c.old_schema + ".accounts (email) VALUES ('b@x')", "duplicate key");
            c.Exec("INSERT INTO " + c.new_schema + ".accounts (email) VALUES ('c@x')");
          },
      .after_complete =
          [](CaseContext& c) {
            c.ExecFails("INSERT INTO " + c.new_schema + ".accounts (email) VALUES ('a@x')", "duplicate key");
            EXPECT_EQ("email", c.Value("SELECT string_agg(a.attname, ',') FROM pg_index i JOIN pg_attribute a ON "
                                       "a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey) WHERE i.indexrelid = "
                                       "'public.accounts_email_uq'::regclass AND i.indisunique AND i.indisvalid"));
          }};
  RunOpCase(c);
}

// set_replica_identity sees the unique index an earlier create_index of the file builds.
TEST(Composition, ReplicaIdentityOnAnIndexOfTheSameFile) {
  RunOpCase({.name = "create_unique_index_then_replica_identity",
             .setup_migrations = {kAccounts},
             .setup_sql = kSeed,
             .migration = R"yaml(
operations:
  - create_index: {name: accounts_email_uq, table: accounts, columns: [email], unique: true}
  - set_replica_identity: {table: accounts, identity: {type: index, index: accounts_email_uq}}
)yaml",
             .after_start =
                 [](CaseContext& c) {
                   EXPECT_EQ("accounts_email_uq", c.Value("SELECT indexrelid::regclass::text FROM pg_index WHERE "
                                                          "indrelid = 'public.accounts'::regclass AND indisreplident"));
                 },
             .after_complete =
                 [](CaseContext& c) {
                   EXPECT_EQ("i", c.Value("SELECT relreplident FROM pg_class WHERE oid = 'public.accounts'::regclass"));
                 }});
  RunOpCase({.name = "replica_identity_on_a_nullable_column_is_refused",
             .setup_migrations = {kAccounts},
             .migration = R"yaml(
operations:
  - create_index: {name: accounts_age_uq, table: accounts, columns: [age], unique: true}
  - set_replica_identity: {table: accounts, identity: {type: index, index: accounts_age_uq}}
)yaml",
             .start_error = "covers a nullable column (\"age\")"});
}

// Every name an operation creates is checked at validation, against the
// catalog and the file: nothing fails after DDL for a taken name.
TEST(Composition, TakenNamesAreRefusedBeforeAnyChange) {
  const char* kFeeCheck = "ALTER TABLE accounts ADD CONSTRAINT fee_check CHECK (fee >= 0);"
                          "ALTER TABLE accounts ADD CONSTRAINT accounts_email_key UNIQUE (email)";
  const OpCase cases[] = {
      {.name = "drop_then_create_constraint_of_the_same_name",
       .setup_migrations = {kAccounts},
       .setup_sql = kFeeCheck,
       .migration = R"yaml(
operations:
  - drop_constraint: {table: accounts, name: fee_check, up: fee, down: fee}
  - create_constraint: {table: accounts, name: fee_check, type: check, check: "fee > 0", columns: [fee],
                        up: {fee: "greatest(fee, 1)"}, down: {fee: fee}}
)yaml",
       .start_error = "drops or renames that constraint, which happens only at complete"},
      {.name = "rename_constraint_then_reuse_the_old_name",
       .setup_migrations = {kAccounts},
       .setup_sql = kFeeCheck,
       .migration = R"yaml(
operations:
  - rename_constraint: {table: accounts, from: fee_check, to: fee_not_negative}
  - alter_column: {table: accounts, column: age, check: {name: fee_check, constraint: "age > 0"}, up: "age", down: "age"}
)yaml",
       .start_error = "constraint \"fee_check\" of table \"accounts\" cannot be created at start"},
      {.name = "alter_column_unique_named_as_its_own_constraint",
       .setup_migrations = {kAccounts},
       .setup_sql = kFeeCheck,
       .migration = R"yaml(
operations:
  - alter_column: {table: accounts, column: email, type: varchar(100), unique: {name: accounts_email_key}, up: email, down: email}
)yaml",
       .start_error = "constraint \"accounts_email_key\" of table \"accounts\" already exists"},
      {.name = "alter_column_unique_named_as_another_relation",
       .setup_migrations = {kAccounts},
       .setup_sql = kFeeCheck,
       .migration = R"yaml(
operations:
  - alter_column: {table: accounts, column: age, unique: {name: accounts_id_seq}, up: age, down: age}
)yaml",
       .start_error = "needs an index named \"accounts_id_seq\""},
      {.name = "two_add_columns_with_the_same_check_name",
       .setup_migrations = {kAccounts},
       .migration = R"yaml(
operations:
  - add_column: {table: accounts, column: {name: a, type: int, nullable: true, check: {name: positive, constraint: a > 0}}}
  - add_column: {table: accounts, column: {name: b, type: int, nullable: true, check: {name: positive, constraint: b > 0}}}
)yaml",
       .start_error = "constraint \"positive\" of table \"accounts\" cannot be created at start"},
      {.name = "new_table_unique_named_like_an_index",
       .setup_migrations = {kAccounts},
       .migration = R"yaml(
operations:
  - create_table:
      name: tags
      columns: [{name: id, type: serial, pk: true}, {name: tag, type: text}]
      constraints: [{name: accounts_pkey, type: unique, columns: [tag]}]
)yaml",
       .start_error = "needs an index named \"accounts_pkey\""},
  };
  for (const auto& c : cases) RunOpCase(c);
}

}  // namespace
}  // namespace pleat::testing

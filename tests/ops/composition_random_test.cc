// Random compositions: 2-3 operations drawn from a pool that touch one table in
// overlapping ways (rebuilt columns, new columns reading them, a split, an
// index, a drop), in a random order, through the whole cycle of an OpCase with
// writes of both versions; verify must find nothing before rollback, and the
// runner checks that rollback restores the dump and that complete succeeds.
// PLEAT_RANDOM_SEED and PLEAT_RANDOM_RUNS pick the seed and the number of runs;
// a failure names its seed and the file.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <random>

#include "engine/lifecycle.h"
#include "support/migration_file.h"
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
        - {name: nick, type: text, nullable: true}
        - {name: city, type: text, nullable: true}
  - create_table:
      name: profiles
      columns:
        - {name: id, type: serial, pk: true}
        - {name: account_id, type: int, references: {name: profiles_account_fk, table: accounts, column: id}}
)yaml";

// Each works alone on kAccounts and with any others of the pool, in any order.
const char* kPool[] = {
    "  - add_column: {table: accounts, up: upper(email), column: {name: shout, type: text, nullable: true}}\n",
    "  - add_column: {table: accounts, up: \"coalesce(age, 0) * 12\", column: {name: months, type: bigint, nullable: true}}\n",
    "  - alter_column: {table: accounts, column: age, type: bigint, up: \"coalesce(age, 0)\", down: age}\n",
    "  - create_constraint: {table: accounts, name: age_not_negative, type: check, check: \"age >= 0\", columns: [age],"
    " up: {age: \"greatest(age, 0)\"}, down: {age: age}}\n",
    "  - create_index: {name: accounts_email_idx, table: accounts, columns: [email]}\n",
    "  - alter_column: {table: accounts, column: email, check: {name: email_has_at, constraint: \"email LIKE '%@%'\"},"
    " up: email, down: email}\n",
    "  - split_table: {table: accounts, into: [{table: account_fees, key: account_id, columns: [{from: fee}]}]}\n",
    "  - drop_column: {table: accounts, column: nick, down: \"'n'\"}\n",
    "  - add_column: {table: accounts, column: {name: tag, type: text, nullable: true, unique: true}}\n",
    "  - create_constraint: {table: accounts, name: accounts_email_unique, type: unique, columns: [email],"
    " up: {email: email}, down: {email: email}}\n",
    "  - move_column: {table: accounts, column: city, to: profiles}\n",
    "  - add_column: {table: accounts, up: \"coalesce(nick, 'none')\", column: {name: label, type: text, nullable: true}}\n",
};

int EnvInt(const char* name, int fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::atoi(v) : fallback;
}

std::string RandomFile(std::mt19937* rng) {
  std::vector<int> picks(std::size(kPool));
  for (size_t i = 0; i < picks.size(); ++i) picks[i] = static_cast<int>(i);
  std::shuffle(picks.begin(), picks.end(), *rng);
  int count = 2 + static_cast<int>((*rng)() % 2);
  std::string file = "operations:\n";
  for (int i = 0; i < count; ++i) file += kPool[picks[i]];
  return file;
}

// Both versions write; every row must then be in step, as verify sees it.
void WriteBothAndVerify(CaseContext& c) {
  c.Exec("INSERT INTO " + c.old_schema + ".accounts (email, age, fee, nick) VALUES ('c@x', 40, 3, 'c')");
  c.Exec("UPDATE " + c.old_schema + ".accounts SET age = 31, fee = 5, city = 'oslo' WHERE id = 1");
  c.Exec("INSERT INTO " + c.new_schema + ".accounts (email) VALUES ('d@x')");
  c.Exec("UPDATE " + c.new_schema + ".accounts SET email = 'b2@x' WHERE email = 'b@x'");
  EXPECT_EQ("4", c.Value("SELECT count(*) FROM " + c.new_schema + ".accounts"));
  EXPECT_EQ("a@x|b2@x|c@x|d@x", c.Value("SELECT string_agg(email, '|' ORDER BY email) FROM " + c.old_schema + ".accounts"));
  std::vector<check::Finding> findings;
  Status s = engine::Lifecycle(OptionsFor(c.url)).Verify(&findings);
  EXPECT_TRUE(s.ok()) << s.ToString();
  for (const auto& f : findings) ADD_FAILURE() << "verify: " << f.rule << ": " << f.object << ": " << f.message;
}

TEST(CompositionRandom, TwoOrThreeOperationsInAnyOrder) {
  unsigned seed = static_cast<unsigned>(EnvInt("PLEAT_RANDOM_SEED", 20261203));
  int runs = EnvInt("PLEAT_RANDOM_RUNS", 6);
  std::mt19937 rng(seed);
  for (int run = 0; run < runs; ++run) {
    std::string file = RandomFile(&rng);
    SCOPED_TRACE("seed " + std::to_string(seed) + ", run " + std::to_string(run) + ":\n" + file);
    RunOpCase({.name = "random_" + std::to_string(seed) + "_" + std::to_string(run),
               .setup_migrations = {kAccounts},
               .setup_sql = "INSERT INTO accounts (email, age, fee, nick, city) VALUES ('a@x', 30, 1, 'a', 'rome'), "
                            "('b@x', NULL, 2, NULL, NULL); INSERT INTO profiles (account_id) VALUES (1), (2)",
               .migration = file,
               .after_start = WriteBothAndVerify,
               .after_complete = [](CaseContext& c) {
                 EXPECT_EQ("a@x|b2@x|c@x|d@x", c.Value("SELECT string_agg(email, '|' ORDER BY email) FROM " +
                                                       c.new_schema + ".accounts"));
               }});
  }
}

}  // namespace
}  // namespace pleat::testing

// Checking a file of 20,000 operations takes memory about linear in the file:
// each operation's virtual schema shares the tables it leaves alone with the one
// before (the planner and the preflight keep two at a time). Before, 2,000
// create_table took about 2 GB and 3,000 ran out of memory.
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <string>
#include <vector>

#include "engine/lifecycle.h"
#include "support/migration_file.h"
#include "support/test_db.h"

namespace pleat::testing {
namespace {

TEST(LargeFile, TwentyThousandCreateTablesCheckInBoundedMemory) {
  std::string url = NewOwnedDatabase();
  std::string yaml = "operations:\n";
  for (int i = 0; i < 20000; ++i)
    yaml += "  - create_table:\n      name: t" + std::to_string(i) +
            "\n      columns:\n        - {name: id, type: bigint, pk: true}\n        - {name: v, type: text, nullable: true}\n";
  MigrationFile file("02_many", yaml);
  engine::Lifecycle lifecycle(OptionsFor(url));
  std::vector<check::Finding> findings;
  nlohmann::json plans;
  Status s = lifecycle.Check(file.path(), &findings, &plans);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(20000u + 1, plans["start"].size()) << "a create step per table, then the views";
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  EXPECT_LT(usage.ru_maxrss, 1L << 20) << "peak resident KB of the whole test process";
}

}  // namespace
}  // namespace pleat::testing

// Checking a file of many operations takes time and memory linear in the file:
// each operation's virtual schema is a copy of the one before that shares its
// tables, names and columns (persistent maps: a copy is O(1), a change O(log n)),
// the planner and the preflight keep two at a time and look only at the tables
// an operation touched. Before, 2,000 create_table took about 2 GB and 3,000 ran
// out of memory; later 20,000 took 18 s, 20,000 add_column on one table 81 s.
// The growth test counts the bytes the process allocates while checking N and
// 2N operations: a deterministic measure of work, which a copy of the schema (or
// of a table) per operation makes grow with the square of N.
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <string>
#include <vector>

#include "engine/lifecycle.h"
#include "support/migration_file.h"
#include "support/test_db.h"

namespace {

std::atomic<size_t> allocated_bytes{0};

void* Allocate(size_t size) {
  allocated_bytes.fetch_add(size, std::memory_order_relaxed);
  if (void* p = std::malloc(size ? size : 1)) return p;
  throw std::bad_alloc();
}

}  // namespace

// Every allocation of the test binary goes through these (replaceable by the
// standard); they only add to the count.
void* operator new(size_t size) { return Allocate(size); }
void* operator new[](size_t size) { return Allocate(size); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }
void operator delete[](void* p, size_t) noexcept { std::free(p); }

namespace pleat::testing {
namespace {

std::string CreateTables(int n) {
  std::string yaml = "operations:\n";
  for (int i = 0; i < n; ++i)
    yaml += "  - create_table:\n      name: t" + std::to_string(i) +
            "\n      columns:\n        - {name: id, type: bigint, pk: true}\n        - {name: v, type: text, nullable: true}\n";
  return yaml;
}

std::string AddColumns(int n) {
  std::string yaml = "operations:\n  - create_table:\n      name: t\n      columns:\n        - {name: id, type: bigint, pk: true}\n";
  for (int i = 0; i < n; ++i)
    yaml += "  - add_column:\n      table: t\n      column: {name: c" + std::to_string(i) + ", type: text, nullable: true}\n";
  return yaml;
}

// The bytes allocated by a check of `yaml` (plans included).
size_t CheckBytes(const std::string& url, const std::string& yaml, size_t want_steps) {
  MigrationFile file("02_many", yaml);
  engine::Lifecycle lifecycle(OptionsFor(url));
  std::vector<Finding> findings;
  nlohmann::json plans;
  size_t at_start = allocated_bytes.load();
  Status s = lifecycle.Check(file.path(), &findings, &plans);
  size_t bytes = allocated_bytes.load() - at_start;
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(want_steps, plans["start"].size());
  return bytes;
}

TEST(LargeFile, TwentyThousandCreateTablesCheckInBoundedMemory) {
  std::string url = NewOwnedDatabase();
  MigrationFile file("02_many", CreateTables(20000));
  engine::Lifecycle lifecycle(OptionsFor(url));
  std::vector<Finding> findings;
  nlohmann::json plans;
  Status s = lifecycle.Check(file.path(), &findings, &plans);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(20000u + 1, plans["start"].size()) << "a create step per table, then the views";
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  EXPECT_LT(usage.ru_maxrss, 1L << 20) << "peak resident KB of the whole test process";
}

// Twice the operations, about twice the work: linear allocates 2x; a copy of
// the table list per operation adds a quadratic term that pushes it toward 4x.
TEST(LargeFile, CheckWorkGrowsLinearlyWithCreateTables) {
  std::string url = NewOwnedDatabase();
  size_t n = CheckBytes(url, CreateTables(2000), 2000 + 1);
  size_t twice = CheckBytes(url, CreateTables(4000), 4000 + 1);
  EXPECT_LT(static_cast<double>(twice) / n, 2.4) << n << " bytes for 2000 create_table, " << twice << " for 4000";
}

// One table's columns are shared between the schemas before and after each
// add_column: adding one does not copy the others.
TEST(LargeFile, CheckWorkGrowsLinearlyWithAddColumnsOnOneTable) {
  std::string url = NewOwnedDatabase();
  size_t n = CheckBytes(url, AddColumns(2000), 2000 + 2);
  size_t twice = CheckBytes(url, AddColumns(4000), 4000 + 2);
  EXPECT_LT(static_cast<double>(twice) / n, 2.4) << n << " bytes for 2000 add_column, " << twice << " for 4000";
}

}  // namespace
}  // namespace pleat::testing

#ifndef PLEAT_TESTS_SUPPORT_RANDOM_MIGRATION_H_
#define PLEAT_TESTS_SUPPORT_RANDOM_MIGRATION_H_
// Random compositions for the property test of issue 12: a seeded random
// schema (`accounts`, `profiles`, `extras` with random column types,
// nullability, checks and indexes, rows with NULLs), a random migration file of
// 2-6 operations over it drawn from a pool that covers every operation kind
// (`sql`, which must be alone in its file, only in files that must be refused),
// and the same change as plain SQL:
// the DDL in file order, each `up` as an UPDATE right after its DDL (a column
// an earlier operation rebuilt reads as its `up`, as pleat composes it), the
// drops and moves out of a table last (the old version keeps those columns, so
// a later `up` still reads them), then the new version's writes.

#include <random>
#include <string>
#include <vector>

namespace pleat::testing {

struct RandomCase {
  std::string setup_sql;    // the schema and its rows, the same in both databases
  std::string migration;    // the YAML file under test
  std::string start_error;  // non-empty: pleat must refuse the file at validation with this
  // Writes through the versions while the migration is active (schemas by
  // placeholder: {old}, {new}); old ones go before `reference`, new ones after.
  std::vector<std::string> old_writes_first, new_writes_first;
  std::vector<std::string> old_writes, new_writes;
  std::string reference;  // the change as plain DDL and UPDATEs, on the old schema's tables
  std::vector<std::string> tables;  // the tables the new version has, by name
};

RandomCase GenerateRandomCase(std::mt19937* rng);

// `sql` with every "{old}" and "{new}" replaced.
std::string WithSchemas(std::string sql, const std::string& old_schema, const std::string& new_schema);

}  // namespace pleat::testing

#endif  // PLEAT_TESTS_SUPPORT_RANDOM_MIGRATION_H_

// examples/contracts/, the seed case as users read it, run as shipped: release
// 2 (split_table) and release 3 (dropping the key's uniqueness) each go through
// start -> rollback -> start -> complete on the earlier files, with the writes
// each release's app makes, so the example cannot rot.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "support/op_case.h"

namespace pleat::testing {
namespace {

std::string Example(const std::string& name) {
  std::filesystem::path dir = std::filesystem::path(__FILE__).parent_path() / "../../examples/contracts";
  std::ifstream in(dir / (name + ".yaml"));
  EXPECT_TRUE(in.good()) << "cannot read " << (dir / name).string() << ".yaml";
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

const char* kSeed = "INSERT INTO contracts (title, start_date, commission_fee_client, commission_fee_worker) "
                    "VALUES ('c1', '2024-01-01', 100, 50), ('c2', '2024-02-01', 200, 0)";
const char* kFees = "SELECT c.id, k.commission_fee, w.commission_fee FROM public.contracts c "
                    "JOIN public.contract_clients k ON k.contract_id = c.id "
                    "JOIN public.contract_workers w ON w.contract_id = c.id ORDER BY c.id";

// Release 2 running: app v1 writes both fees into contracts (search_path), app
// v2 a contract and then its child rows (schema-qualified, one transaction).
void SplitStarted(CaseContext& c) {
  c.Exec("SET search_path TO " + c.old_schema + "; INSERT INTO contracts (title, start_date, commission_fee_client, "
         "commission_fee_worker) VALUES ('c3', '2024-03-01', 300, 30); UPDATE contracts SET commission_fee_worker = 5 "
         "WHERE id = 2; RESET search_path");
  const std::string& n = c.new_schema;
  c.Exec("BEGIN; INSERT INTO " + n + ".contracts (title, start_date) VALUES ('c4', '2024-04-01'); INSERT INTO " + n +
         ".contract_clients (contract_id, commission_fee) VALUES (4, 400); INSERT INTO " + n +
         ".contract_workers (contract_id, commission_fee) VALUES (4, 40); COMMIT");
  c.Exec("UPDATE " + n + ".contract_workers SET commission_fee = 55 WHERE contract_id = 1");
  EXPECT_EQ("1|100.00|55.00\n2|200.00|5.00\n3|300.00|30.00\n4|400.00|40.00", c.Rows(kFees));
  EXPECT_EQ("1|100.00|55.00\n2|200.00|5.00\n3|300.00|30.00\n4|400.00|40.00",
            c.Rows("SELECT id, commission_fee_client, commission_fee_worker FROM " + c.old_schema +
                   ".contracts ORDER BY id"));
  c.ExecFails("INSERT INTO " + n + ".contract_workers (contract_id, commission_fee) VALUES (1, -1)", "check");
}

void SplitRolledBack(CaseContext& c) {
  EXPECT_EQ("1|100.00|55.00\n2|200.00|5.00\n3|300.00|30.00\n4|400.00|40.00",
            c.Rows("SELECT id, commission_fee_client, commission_fee_worker FROM public.contracts ORDER BY id"));
}

void SplitCompleted(CaseContext& c) {
  EXPECT_EQ("id|title|start_date|end_date", c.Value("SELECT string_agg(attname, '|' ORDER BY attnum) FROM "
                                                    "pg_attribute WHERE attrelid = 'public.contracts'::regclass AND "
                                                    "attnum > 0 AND NOT attisdropped"));
  EXPECT_EQ("1|100.00|55.00\n2|200.00|5.00\n3|300.00|30.00\n4|400.00|40.00", c.Rows(kFees));
  c.ExecFails("INSERT INTO " + c.new_schema + ".contract_workers (contract_id, commission_fee) VALUES (1, 1)",
              "duplicate key");
}

// Release 3: the uniqueness holds for every version until complete, then goes.
void ManyWorkersStarted(CaseContext& c) {
  for (const std::string& schema : {c.old_schema, c.new_schema})
    c.ExecFails("INSERT INTO " + schema + ".contract_workers (contract_id, commission_fee) VALUES (1, 1)",
                "duplicate key");
}

void ManyWorkersCompleted(CaseContext& c) {
  c.Exec("INSERT INTO " + c.new_schema + ".contract_workers (contract_id, commission_fee) VALUES (1, 10), (1, 20)");
  EXPECT_EQ("50.00\n10.00\n20.00",
            c.Rows("SELECT commission_fee FROM " + c.new_schema + ".contract_workers WHERE contract_id = 1 ORDER BY id"));
}

TEST(ContractsExample, ReleasesRunAsShipped) {
  const OpCase cases[] = {
      {.name = "release_2_split_contracts",
       .setup_migrations = {Example("01_create_contracts")},
       .setup_sql = kSeed,
       .migration = Example("02_split_contracts"),
       .after_start = SplitStarted,
       .after_rollback = SplitRolledBack,
       .after_complete = SplitCompleted},
      {.name = "release_3_many_workers",
       .setup_migrations = {Example("01_create_contracts"), Example("02_split_contracts")},
       .setup_sql = "INSERT INTO contracts (title, start_date) VALUES ('c1', '2024-01-01'); "
                    "INSERT INTO contract_workers (contract_id, commission_fee) VALUES (1, 50)",
       .migration = Example("03_many_workers"),
       .after_start = ManyWorkersStarted,
       .after_complete = ManyWorkersCompleted},
  };
  for (const auto& c : cases) RunOpCase(c);
}

}  // namespace
}  // namespace pleat::testing

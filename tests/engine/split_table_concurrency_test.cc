// split_table under load: old-version writers (their version schema's views
// and the physical table) insert, update, upsert and delete contracts while the
// backfill creates the child rows in small batches; once the new version
// appears, a new-version writer (schema-qualified, no search_path) joins them.
// Afterwards every contract must have exactly its child rows, with equal values,
// and `verify` must agree (and name a contract a write around the triggers broke).
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <random>
#include <thread>

#include "engine/lifecycle.h"
#include "support/migration_file.h"
#include "support/test_db.h"

namespace pleat::testing {
namespace {

const char* kContracts = R"yaml(
operations:
  - create_table:
      name: contracts
      columns:
        - {name: id, type: serial, pk: true}
        - {name: title, type: text}
        - {name: commission_fee_client, type: "numeric(10,2)"}
        - {name: commission_fee_worker, type: "numeric(10,2)", nullable: true}
)yaml";

const char* kSplit = R"(
operations:
  - split_table:
      table: contracts
      into:
        - {table: contract_workers, key: contract_id, columns: [{from: commission_fee_worker, name: commission_fee}]}
        - {table: contract_clients, key: contract_id, columns: [{from: commission_fee_client, name: commission_fee}]}
)";

constexpr int kRows = 4000;

struct Load {
  std::string url;
  std::atomic<bool> stop{false};
  std::atomic<long> writes{0};
  std::mutex mu;
  std::vector<std::string> errors;

  void Run(const std::string& sql, pg::Connection* conn) {
    Status s = conn->Exec(sql);
    if (s.ok()) { ++writes; return; }
    std::lock_guard<std::mutex> lock(mu);
    errors.push_back(sql + ": " + s.ToString());
  }
};

// An old-version writer on `table` ("<old version>.contracts" or the physical table).
void OldWriter(Load* load, const std::string& table, unsigned seed) {
  pg::Connection conn = Connect(load->url);
  std::mt19937 rng(seed);
  for (int i = 0; !load->stop; ++i) {
    std::string id = std::to_string(rng() % kRows + 1), v = std::to_string(rng() % 1000);
    if (i % 4 == 0)
      load->Run("INSERT INTO " + table + " (title, commission_fee_client, commission_fee_worker) VALUES ('w', " + v + ", " + v + ")", &conn);
    else if (i % 4 == 1)
      load->Run("UPDATE " + table + " SET commission_fee_client = " + v + ", commission_fee_worker = NULLIF(" + v + ", 7) WHERE id = " + id, &conn);
    else if (i % 4 == 2)
      load->Run("INSERT INTO " + table + " (id, title, commission_fee_client) VALUES (" + id + ", 'u', " + v +
                ") ON CONFLICT (id) DO UPDATE SET commission_fee_client = EXCLUDED.commission_fee_client", &conn);
    else if (i % 20 == 3)
      load->Run("DELETE FROM " + table + " WHERE id = " + id, &conn);
  }
}

// A new-version writer: a contract, then its children a statement later, then updates and deletes.
void NewWriter(Load* load, const std::string& vs) {
  pg::Connection conn = Connect(load->url);
  std::mt19937 rng(7);
  for (int i = 0; !load->stop; ++i) {
    pg::Result res;
    std::string v = std::to_string(rng() % 1000), id = std::to_string(rng() % kRows + 1);
    if (!conn.Exec("INSERT INTO " + vs + ".contracts (title) VALUES ('n') RETURNING id", &res).ok()) continue;
    std::string created = res.Get(0, 0);
    load->Run("INSERT INTO " + vs + ".contract_clients (contract_id, commission_fee) VALUES (" + created + ", " + v + ")", &conn);
    load->Run("INSERT INTO " + vs + ".contract_workers (contract_id, commission_fee) VALUES (" + created + ", " + v + ")", &conn);
    load->Run("UPDATE " + vs + ".contract_workers SET commission_fee = " + v + " WHERE contract_id = " + id, &conn);
    if (i % 10 == 0) load->Run("DELETE FROM " + vs + ".contracts WHERE id = " + id, &conn);
  }
}

std::vector<Finding> Findings(const std::string& url) {
  std::vector<Finding> findings;
  Status s = engine::Lifecycle(OptionsFor(url)).Verify(&findings);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return findings;
}

TEST(SplitTableConcurrency, EveryContractKeepsItsChildRowsUnderWritesOfEveryPath) {
  Load load;
  load.url = NewDatabase();
  std::string old_vs, new_vs;
  MigrationFile setup("01_contracts", kContracts), split("02_split", kSplit);
  ASSERT_TRUE(engine::Lifecycle(OptionsFor(load.url)).Start(setup.path(), true, &old_vs).ok());
  pg::Connection conn = Connect(load.url);
  Exec(&conn, "INSERT INTO contracts (title, commission_fee_client, commission_fee_worker) SELECT 'c' || g, g % 500, "
              "CASE WHEN g % 3 = 0 THEN NULL ELSE g % 70 END FROM generate_series(1, " + std::to_string(kRows) + ") g");
  std::vector<std::thread> writers;
  writers.emplace_back(OldWriter, &load, old_vs + ".contracts", 1);
  writers.emplace_back(OldWriter, &load, "public.contracts", 2);
  Options options = OptionsFor(load.url);
  options.backfill.min_rows = options.backfill.max_rows = 50;  // many small batches
  long at_backfill = -1, after_backfill = -1;
  options.before_step = [&](const std::string& phase, const std::string& step) {
    if (phase == "start" && step == "backfill") at_backfill = load.writes;
    else if (phase == "start" && at_backfill >= 0 && after_backfill < 0) after_backfill = load.writes;
  };
  Status s = engine::Lifecycle(options).Start(split.path(), false, &new_vs);
  ASSERT_TRUE(s.ok()) << s.ToString();
  writers.emplace_back(NewWriter, &load, new_vs);
  std::this_thread::sleep_for(std::chrono::seconds(2));
  load.stop = true;
  for (auto& w : writers) w.join();
  for (const auto& e : load.errors) ADD_FAILURE() << e;
  EXPECT_GT(after_backfill, at_backfill) << "no write happened while the backfill ran";
  for (const char* side : {"client", "worker"}) {
    std::string child = std::string("contract_") + side + "s";
    EXPECT_EQ(Value(&conn, "SELECT count(*) FROM contracts"), Value(&conn, "SELECT count(*) FROM " + child)) << child;
    EXPECT_EQ("", Rows(&conn, "SELECT p.id, p.commission_fee_" + std::string(side) + ", k.commission_fee FROM contracts p "
                              "FULL JOIN " + child + " k ON k.contract_id = p.id WHERE k.id IS NULL OR p.id IS NULL "
                              "OR k.commission_fee IS DISTINCT FROM p.commission_fee_" + side + " LIMIT 5"))
        << child << ": rows out of step";
  }
  EXPECT_EQ(0u, Findings(load.url).size()) << "verify after the writers";
  // A write around the triggers: verify names the contract; put back, it is clean again.
  std::string fee = Value(&conn, "SELECT commission_fee FROM contract_workers WHERE contract_id = 7");
  Exec(&conn, "SET session_replication_role = replica; UPDATE contract_workers SET commission_fee = 12345 "
              "WHERE contract_id = 7; RESET session_replication_role");
  std::vector<Finding> findings = Findings(load.url);
  ASSERT_EQ(1u, findings.size());
  EXPECT_EQ("rows-disagree", findings[0].rule);
  EXPECT_EQ(1, findings[0].count);
  EXPECT_EQ(std::vector<std::string>({"(\"id\")=(7)"}), findings[0].examples);
  Exec(&conn, "SET session_replication_role = replica; UPDATE contract_workers SET commission_fee = " +
                  (fee.empty() ? std::string("NULL") : fee) + " WHERE contract_id = 7; RESET session_replication_role");
  EXPECT_EQ(0u, Findings(load.url).size());
  s = engine::Lifecycle(OptionsFor(load.url)).Complete();
  EXPECT_TRUE(s.ok()) << s.ToString();
}

}  // namespace
}  // namespace pleat::testing

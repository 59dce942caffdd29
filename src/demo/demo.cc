#include "demo/demo.h"

#include <chrono>
#include <cstdio>
#include <memory>

#include "demo/database.h"
#include "demo/interrupt.h"
#include "demo/migrations.h"
#include "demo/narrator.h"
#include "demo/queries.h"
#include "demo/step_notes.h"
#include "demo/writers.h"
#include "engine/lifecycle.h"

namespace pleat::demo {
namespace {

constexpr int kV1AloneMs = 1000;        // v1 writes alone before the migration starts
constexpr int kBothMs = 2000;           // both versions write before the check
constexpr int kAfterCompleteMs = 1000;  // v2 writes on after complete
constexpr const char* kReportBug = "this is a bug in pleat; please report it with the demo's output";

std::string Seconds(std::chrono::steady_clock::duration d) {
  char buf[32];
  snprintf(buf, sizeof buf, "%.1f s", std::chrono::duration<double>(d).count());
  return buf;
}

std::string Quoted(const std::string& name) { return "\"" + name + "\""; }

class Scenario {
 public:
  explicit Scenario(const DemoOptions& options) : options_(options), say_(options.out) {}
  Status Run();

 private:
  Status Prepare();
  Status CreateApp();
  Status StartV1();
  Status Expand();
  Status BothApps();
  Status Check();
  Status ShowRow(const std::string& app);
  Status Contract();
  Status ShowFinalShape();
  Status Summary();
  Status Closing();
  Options EngineOptions(std::vector<StepNote> notes);
  std::string Failed() const;

  const DemoOptions& options_;
  Narrator say_;
  // Declared before the connection and the writers, so destroyed after them:
  // the server outlives every client.
  DemoDatabase db_;
  MigrationFiles files_;
  pg::Connection conn_;
  std::unique_ptr<AppWriter> v1_, v2_;
  std::chrono::steady_clock::time_point began_ = std::chrono::steady_clock::now();
};

Status Scenario::Run() {
  using StepFn = Status (Scenario::*)();
  for (StepFn step : {&Scenario::Prepare, &Scenario::CreateApp, &Scenario::StartV1, &Scenario::Expand,
                      &Scenario::BothApps, &Scenario::Check, &Scenario::Contract, &Scenario::Summary,
                      &Scenario::Closing}) {
    Status s = CheckInterrupt();
    if (s.ok()) s = (this->*step)();
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

Options Scenario::EngineOptions(std::vector<StepNote> notes) {
  Options o = options_.engine;
  o.conninfo = db_.conninfo();
  o.schema = db_.schema();
  o.state_schema = db_.state_schema();
  o.log = say_.PleatLog(std::move(notes));
  o.backfill.bars = nullptr;  // progress as lines under the story, never redrawn bars
  return o;
}

std::string Scenario::Failed() const {
  long long failed = (v1_ ? v1_->errors() : 0) + (v2_ ? v2_->errors() : 0);
  return std::to_string(failed) + " failed";
}

Status Scenario::Prepare() {
  *options_.out << "pleat demo: change the shape of a live table with zero downtime (expand/contract).\n"
                   "Two versions of an app keep writing to it the whole time; every write is counted."
                << std::endl;
  say_.Section("A database");
  Status s = db_.Open(options_.engine.conninfo, {kCreateContracts, kSplitContracts});
  if (s.ok()) s = files_.Write();
  if (s.ok()) s = pg::Connection::Open(db_.conninfo(), &conn_);
  if (!s.ok()) return s;
  if (db_.private_server())
    say_.Say("Started a private PostgreSQL in " + db_.server_dir() + " (removed at the end).");
  else
    say_.Say("Using your database, only in schema " + Quoted(db_.schema()) + " (recreated empty);\n" +
             "pleat keeps its state in " + Quoted(db_.state_schema()) + ". Nothing else is touched.");
  return Status::Ok();
}

Status Scenario::CreateApp() {
  say_.Section("App v1 and its table");
  say_.Say("App v1 keeps both sides of a deal in one row: contracts(id, title, start_date,\n"
           "end_date, commission_fee_client, commission_fee_worker): one client, one worker.");
  say_.Say("pleat creates the table from the migration " + std::string(kCreateContracts) + ".yaml:");
  engine::Lifecycle lifecycle(EngineOptions({}));
  std::string version_schema;
  Status s = lifecycle.Start(files_.Path(kCreateContracts), /*complete=*/true, &version_schema);
  if (!s.ok()) return s;
  s = SeedContracts(&conn_, db_.schema(), options_.rows);
  if (!s.ok()) return s.WithContext("seeding contracts");
  say_.Say("Inserted " + std::to_string(options_.rows) + " contracts, each with a client's and a worker's fee.");
  return Status::Ok();
}

Status Scenario::StartV1() {
  std::string version_schema = db_.VersionSchema(kCreateContracts);
  v1_ = std::make_unique<AppWriter>(
      WriterConfig{AppVersion::kOld, db_.conninfo(), version_schema, options_.rows});
  Status s = v1_->Start();
  if (!s.ok()) return s;
  say_.Say("App v1 starts: it inserts contracts and changes their fees non-stop, through\nits version schema " +
           Quoted(version_schema) + " (set as its search_path).");
  return Pause(kV1AloneMs);
}

Status Scenario::Expand() {
  say_.Section("The change: a contract gets several workers, so the fees move out");
  say_.Say("By hand this takes three releases, dual-write code in the app and a backfill script.");
  say_.Say("With pleat it is one migration file, " + std::string(kSplitContracts) + ".yaml:");
  std::string text = MigrationFiles::Text(kSplitContracts);
  for (size_t start = 0, end; (end = text.find('\n', start)) != std::string::npos; start = end + 1)
    say_.Detail(text.substr(start, end - start));
  say_.Say("`pleat start` runs it while app v1 keeps writing:");
  engine::Lifecycle lifecycle(EngineOptions(StartNotes()));
  std::string version_schema;
  nlohmann::json status;
  Status s = lifecycle.Start(files_.Path(kSplitContracts), /*complete=*/false, &version_schema);
  if (s.ok()) s = lifecycle.GetStatus(&status);
  if (!s.ok()) return s;
  long long backfilled = 0;
  for (const auto& b : status["active"]["backfill"]) backfilled += b["rows_done"].get<long long>();
  say_.Say("Backfilled " + std::to_string(backfilled) + " rows. Meanwhile app v1 made " +
           std::to_string(v1_->writes()) + " writes, " + Failed() + ".");
  return Status::Ok();
}

Status Scenario::BothApps() {
  say_.Section("Two app versions at once");
  std::string version_schema = db_.VersionSchema(kSplitContracts);
  v2_ = std::make_unique<AppWriter>(WriterConfig{AppVersion::kNew, db_.conninfo(), version_schema, options_.rows});
  Status s = v2_->Start();
  if (!s.ok()) return s;
  say_.Say("App v2 starts: it inserts a contract, then its client and worker rows, and changes\n"
           "workers' fees, in " + Quoted(version_schema) + ".\"contracts\" and the new tables,\n"
           "naming the schema in every statement, with no search_path (as Prisma 7 does).");
  say_.Say("Both versions write for " + std::to_string(kBothMs / 1000) + " seconds...");
  s = Pause(kBothMs);
  if (!s.ok()) return s;
  say_.Say("So far: v1 " + std::to_string(v1_->writes()) + " writes, v2 " + std::to_string(v2_->writes()) +
           " writes, " + Failed() + ".");
  return Status::Ok();
}

Status Scenario::Check() {
  say_.Section("Check: do both versions agree on every contract?");
  say_.Say("Each contract must have one contract_clients row and one contract_workers row\n"
           "whose commission_fee equals its commission_fee_client and commission_fee_worker.");
  Consistency c;
  Status s = CheckConsistency(&conn_, db_.schema(), &c);
  if (!s.ok()) return s;
  say_.Say("Checked " + std::to_string(c.rows) + " contracts (" + std::to_string(c.seeded) + " seeded, " +
           std::to_string(c.by_old) + " inserted by v1, " + std::to_string(c.by_new) + " by v2): " +
           std::to_string(c.mismatches) + " mismatches.");
  if (c.mismatches != 0)
    return Status::CheckFailed(
        std::to_string(c.mismatches) + " contracts lack a client or worker row with the same fee",
        kReportBug);
  s = ShowRow("v2");
  return s.ok() ? ShowRow("v1") : s;
}

// The apps change only seeded contracts, never their own, so both reads see the same fees.
Status Scenario::ShowRow(const std::string& app) {
  std::string id, v1_view, v2_view;
  Status s = NewestContractOf(&conn_, db_.schema(), app, &id);
  if (!s.ok() || id.empty()) return s;
  s = ReadContract(&conn_, db_.VersionSchema(kCreateContracts), /*split=*/false, id, &v1_view);
  if (s.ok()) s = ReadContract(&conn_, db_.VersionSchema(kSplitContracts), /*split=*/true, id, &v2_view);
  if (!s.ok()) return s;
  say_.Say("A contract app " + app + " inserted (id " + id + "), read through each version schema:");
  say_.Detail("v1 reads  " + v1_view);
  say_.Detail("v2 reads  " + v2_view);
  return Status::Ok();
}

Status Scenario::Contract() {
  say_.Section("Contract: the old app version is retired");
  v1_->Stop();
  say_.Say("Every app instance now runs v2, so app v1 is retired: it stopped after " +
           std::to_string(v1_->writes()) + " writes.");
  say_.Say("`pleat complete` runs while app v2 keeps writing:");
  long long v2_before = v2_->writes();
  {
    engine::Lifecycle lifecycle(EngineOptions(CompleteNotes()));
    Status s = lifecycle.Complete();
    if (!s.ok()) return s;
  }
  Status s = ShowFinalShape();
  if (s.ok()) s = Pause(kAfterCompleteMs);
  if (!s.ok()) return s;
  v2_->Stop();
  long long since = v2_->writes() - v2_before;
  say_.Say("App v2 kept writing: " + std::to_string(since) + " writes since complete began, " + Failed() + ".");
  if (since <= 0)
    return Status::CheckFailed("app v2 made no write after `pleat complete`",
                               kReportBug);
  return Status::Ok();
}

Status Scenario::ShowFinalShape() {
  std::vector<std::string> left;
  Status s = ExistingSchemas(&conn_, {db_.VersionSchema(kCreateContracts), db_.VersionSchema(kSplitContracts)}, &left);
  if (!s.ok()) return s;
  std::string names;
  for (const auto& n : left) names += (names.empty() ? "" : ", ") + Quoted(n);
  say_.Say("Version schemas left: " + names + ".");
  say_.Say("The tables now:");
  for (const char* table : {"contracts", "contract_clients", "contract_workers"}) {
    std::string columns;
    s = TableColumns(&conn_, db_.schema(), table, &columns);
    if (!s.ok()) return s;
    say_.Detail(std::string(table) + "(" + columns + ")");
  }
  return Status::Ok();
}

Status Scenario::Summary() {
  say_.Section("Summary");
  long long rows = 0;
  Status s = CountRows(&conn_, db_.schema(), &rows);
  if (!s.ok()) return s;
  for (const AppWriter* w : {v1_.get(), v2_.get()})
    say_.Say("App " + w->Label() + ": " + std::to_string(w->writes()) + " writes acknowledged (" +
             std::to_string(w->inserts()) + " inserts, " + std::to_string(w->updates()) + " updates), " +
             std::to_string(w->errors()) + " failed.");
  long long expected = options_.rows + v1_->inserts() + v2_->inserts();
  std::string sum = std::to_string(options_.rows) + " seeded + " + std::to_string(v1_->inserts()) + " from v1 + " +
                    std::to_string(v2_->inserts()) + " from v2";
  say_.Say("Rows in contracts: " + std::to_string(rows) +
           (rows == expected ? " = " + sum + ": no write was lost." : ", but " + sum + " = " + std::to_string(expected)));
  say_.Say("Elapsed: " + Seconds(std::chrono::steady_clock::now() - began_) + ".");
  for (const AppWriter* w : {v1_.get(), v2_.get()})
    if (w->errors() > 0)
      return Status::CheckFailed("app " + w->Label() + " saw " + std::to_string(w->errors()) +
                                     " failed writes; the first: " + w->first_error(),
                                 kReportBug);
  if (rows != expected)
    return Status::CheckFailed("\"contracts\" has " + std::to_string(rows) + " rows, but the seeded rows and the" +
                                   " acknowledged inserts add up to " + std::to_string(expected),
                               kReportBug);
  return Status::Ok();
}

Status Scenario::Closing() {
  say_.Say("\nWhat happened: contracts was split into contracts, contract_clients and\n"
           "contract_workers while two app versions wrote to them: no downtime, no lost\n"
           "write, and no dual-write or backfill code in either app. Until `pleat complete`,\n"
           "`pleat rollback` could have undone it all without app v1 noticing. A later\n"
           "migration drops the unique contract_id of contract_workers, and a contract can\n"
           "have several workers (examples/contracts/03_many_workers.yaml).");
  if (!db_.private_server())
    say_.Say("\nThe demo's schemas stay in your database for you to look at. To remove them:\n"
             "  DROP SCHEMA " + db_.schema() + ", " + db_.VersionSchema(kSplitContracts) + ", " + db_.state_schema() +
             " CASCADE;");
  return Status::Ok();
}

}  // namespace

Status RunDemo(const DemoOptions& options) {
  InterruptGuard guard;
  Scenario scenario(options);
  return scenario.Run();
}

}  // namespace pleat::demo

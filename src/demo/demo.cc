#include "demo/demo.h"

#include <chrono>
#include <cstdio>
#include <memory>

#include "demo/database.h"
#include "demo/interrupt.h"
#include "demo/migrations.h"
#include "demo/narrator.h"
#include "demo/queries.h"
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
  engine::Options EngineOptions(std::vector<StepNote> notes);
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

engine::Options Scenario::EngineOptions(std::vector<StepNote> notes) {
  engine::Options o = options_.engine;
  o.conninfo = db_.conninfo();
  o.schema = db_.schema();
  o.state_schema = db_.state_schema();
  o.log = say_.PleatLog(std::move(notes));
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
  Status s = db_.Open(options_.engine.conninfo, {kCreateUsers, kSplitName});
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
  say_.Say("App v1 keeps a person's full name in one column: users(id, name, email).");
  say_.Say("pleat creates the table from the migration " + std::string(kCreateUsers) + ".yaml:");
  engine::Lifecycle lifecycle(EngineOptions({}));
  std::string version_schema;
  Status s = lifecycle.Start(files_.Path(kCreateUsers), /*complete=*/true, &version_schema);
  if (!s.ok()) return s;
  s = SeedUsers(&conn_, db_.schema(), options_.rows);
  if (!s.ok()) return s.WithContext("seeding users");
  say_.Say("Inserted " + std::to_string(options_.rows) + " users, such as 'Ada Lovelace' and 'Guido van Rossum'.");
  return Status::Ok();
}

Status Scenario::StartV1() {
  std::string version_schema = db_.VersionSchema(kCreateUsers);
  v1_ = std::make_unique<AppWriter>(
      WriterConfig{AppVersion::kOld, db_.conninfo(), version_schema, options_.rows});
  Status s = v1_->Start();
  if (!s.ok()) return s;
  say_.Say("App v1 starts: it inserts and renames users non-stop, through its version\nschema " +
           Quoted(version_schema) + " (set as its search_path).");
  return Pause(kV1AloneMs);
}

const std::vector<StepNote> kStartNotes = {
    {"add column", "Expand: the new columns go in beside name. Nullable columns change only the\n"
                   "catalog: no table rewrite, no long lock; app v1 does not notice."},
    {"install dual-write", "Dual write: a trigger fills first_name/last_name on rows v1 writes,\n"
                           "and name on rows v2 will write, so both versions keep working unchanged."},
    {"backfill", "Backfill: existing rows get first_name/last_name in small batches,\n"
                 "each its own short transaction."},
    {"create version schema", "Publish: the new version schema shows users as app v2 expects it."},
};

Status Scenario::Expand() {
  say_.Section("The change: split name into first_name and last_name");
  say_.Say("By hand this takes three releases, dual-write code in the app and a backfill script.");
  say_.Say("With pleat it is one migration file, " + std::string(kSplitName) + ".yaml:");
  std::string text = MigrationFiles::Text(kSplitName);
  for (size_t start = 0, end; (end = text.find('\n', start)) != std::string::npos; start = end + 1)
    say_.Detail(text.substr(start, end - start));
  say_.Say("`pleat start` runs it while app v1 keeps writing:");
  engine::Lifecycle lifecycle(EngineOptions(kStartNotes));
  std::string version_schema;
  nlohmann::json status;
  Status s = lifecycle.Start(files_.Path(kSplitName), /*complete=*/false, &version_schema);
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
  std::string version_schema = db_.VersionSchema(kSplitName);
  v2_ = std::make_unique<AppWriter>(WriterConfig{AppVersion::kNew, db_.conninfo(), version_schema, options_.rows});
  Status s = v2_->Start();
  if (!s.ok()) return s;
  say_.Say("App v2 starts: it writes first_name/last_name to " + Quoted(version_schema) + ".\"users\",\n"
           "naming the schema in every statement, with no search_path (as Prisma 7 does).");
  say_.Say("Both versions write for " + std::to_string(kBothMs / 1000) + " seconds...");
  s = Pause(kBothMs);
  if (!s.ok()) return s;
  say_.Say("So far: v1 " + std::to_string(v1_->writes()) + " writes, v2 " + std::to_string(v2_->writes()) +
           " writes, " + Failed() + ".");
  return Status::Ok();
}

Status Scenario::Check() {
  say_.Section("Check: do both versions agree on every row?");
  say_.Say("Each row must have first_name, last_name = up(name) and name = down(first_name, last_name).");
  Consistency c;
  Status s = CheckConsistency(&conn_, db_.schema(), &c);
  if (!s.ok()) return s;
  say_.Say("Checked " + std::to_string(c.rows) + " rows (" + std::to_string(c.seeded) + " seeded, " +
           std::to_string(c.by_old) + " inserted by v1, " + std::to_string(c.by_new) + " by v2): " +
           std::to_string(c.mismatches) + " mismatches.");
  if (c.mismatches != 0)
    return Status::CheckFailed(
        std::to_string(c.mismatches) + " rows of \"users\" disagree between name and first_name/last_name",
        kReportBug);
  s = ShowRow("v2");
  return s.ok() ? ShowRow("v1") : s;
}

// Rows the apps insert are never updated afterwards, so both reads see the same row.
Status Scenario::ShowRow(const std::string& app) {
  std::string id, v1_view, v2_view;
  Status s = NewestRowOf(&conn_, db_.schema(), app, &id);
  if (!s.ok() || id.empty()) return s;
  s = ReadRow(&conn_, db_.VersionSchema(kCreateUsers), {"name"}, id, &v1_view);
  if (s.ok()) s = ReadRow(&conn_, db_.VersionSchema(kSplitName), {"first_name", "last_name"}, id, &v2_view);
  if (!s.ok()) return s;
  say_.Say("A row app " + app + " inserted (id " + id + "), read through each version schema:");
  say_.Detail("v1 reads  " + v1_view);
  say_.Detail("v2 reads  " + v2_view);
  return Status::Ok();
}

const std::vector<StepNote> kCompleteNotes = {
    {"drop the old version schema", "Retire: v1's version schema goes; no app uses it any more."},
    {"remove dual-write", "Stop syncing: nobody writes name now, so the trigger goes."},
    {"drop column", "Contract: the old column is dropped (a catalog change and a brief lock)."},
    {"rebuild version schema", "v2's views now read the final table."},
};

Status Scenario::Contract() {
  say_.Section("Contract: the old app version is retired");
  v1_->Stop();
  say_.Say("Every app instance now runs v2, so app v1 is retired: it stopped after " +
           std::to_string(v1_->writes()) + " writes.");
  say_.Say("`pleat complete` runs while app v2 keeps writing:");
  long long v2_before = v2_->writes();
  {
    engine::Lifecycle lifecycle(EngineOptions(kCompleteNotes));
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
  std::string columns;
  Status s = ExistingSchemas(&conn_, {db_.VersionSchema(kCreateUsers), db_.VersionSchema(kSplitName)}, &left);
  if (s.ok()) s = TableColumns(&conn_, db_.schema(), "users", &columns);
  if (!s.ok()) return s;
  std::string names;
  for (const auto& n : left) names += (names.empty() ? "" : ", ") + Quoted(n);
  say_.Say("Version schemas left: " + names + ".");
  say_.Say("The table users now has: " + columns + ".");
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
  say_.Say("Rows in users: " + std::to_string(rows) +
           (rows == expected ? " = " + sum + ": no write was lost." : ", but " + sum + " = " + std::to_string(expected)));
  say_.Say("Elapsed: " + Seconds(std::chrono::steady_clock::now() - began_) + ".");
  for (const AppWriter* w : {v1_.get(), v2_.get()})
    if (w->errors() > 0)
      return Status::CheckFailed("app " + w->Label() + " saw " + std::to_string(w->errors()) +
                                     " failed writes; the first: " + w->first_error(),
                                 kReportBug);
  if (rows != expected)
    return Status::CheckFailed("\"users\" has " + std::to_string(rows) + " rows, but the seeded rows and the" +
                                   " acknowledged inserts add up to " + std::to_string(expected),
                               kReportBug);
  return Status::Ok();
}

Status Scenario::Closing() {
  say_.Say("\nWhat happened: users changed from (name) to (first_name, last_name) while two\n"
           "app versions wrote to it: no downtime, no lost write, and no dual-write or\n"
           "backfill code in either app. Until `pleat complete`, `pleat rollback` could\n"
           "have undone it all without app v1 noticing.");
  if (!db_.private_server())
    say_.Say("\nThe demo's schemas stay in your database for you to look at. To remove them:\n"
             "  DROP SCHEMA " + db_.schema() + ", " + db_.VersionSchema(kSplitName) + ", " + db_.state_schema() +
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

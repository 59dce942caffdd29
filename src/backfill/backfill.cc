#include "backfill/backfill.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>

#include "backfill/batch_sizer.h"
#include "backfill/batch_statement.h"
#include "backfill/checkpoints.h"
#include "backfill/pacer.h"
#include "backfill/progress.h"
#include "backfill/table_split.h"
#include "backfill/table_walk.h"
#include "backfill/worker_pool.h"
#include "pg/transaction.h"
#include "state/session.h"

namespace pleat::backfill {
namespace {

using Clock = std::chrono::steady_clock;

// One batch: its range, the checkpoint after it and the rows it wrote.
struct Batch {
  std::string where;
  nlohmann::json next;
  bool last = false;
  long long rows = 0;
};

// One table of the run: how to walk it, what the state schema says of it, and
// its numbers summed over the parts this run backfills.
struct Table {
  const nlohmann::json* spec;
  std::string name;
  TableWalk walk;
  TableCheckpoints checkpoints;
  std::unique_ptr<TableTally> tally;
};

// What every worker of one backfill run shares.
struct Shared {
  Shared(const state::StateStore& st, const Options& o, const std::string& migration)
      : state(st), options(o), store(st, migration), progress(o), pacer(st, o, &progress) {}
  const state::StateStore& state;
  const Options& options;
  CheckpointStore store;
  Progress progress;
  Pacer pacer;  // after progress, which it logs to
  std::atomic<bool> stop{false};  // a worker failed: the others end after their batch in flight
  // Starts workers while fewer run than `pleat tune --jobs` asks and parts are left.
  std::function<void(int jobs)> follow_jobs = [](int) {};
};

// Backfills one part of a table (or the whole table) on one connection.
class PartBackfill {
 public:
  PartBackfill(pg::Connection* conn, Shared* shared, Table* table, const Part& part)
      : conn_(conn), sh_(*shared), table_(*table), part_(part),
        name_((part.number ? "part " + std::to_string(part.number) + " of " : std::string()) + "\"" +
              table->name + "\"") {}

  Status Run();

 private:
  Status Batches(BatchSizer* sizer, long long* batches, long long* rows);
  Status WaitToGo(BatchSizer* sizer);
  Status BatchWithRetries(BatchSizer* sizer, Batch* b);
  Status RunBatch(Batch* b, int batch_rows);
  Status ExplainFailure(const std::string& where, const Status& failure);

  pg::Connection* conn_;
  Shared& sh_;
  Table& table_;
  Part part_;         // its checkpoint moves on with each batch
  std::string name_;  // "t" or part 2 of "t", for people
};

// Waits while the backfill is paused (`pleat pause`) or a replica lags; the
// reason is kept in the state table for `status` until the next batch commits.
// Then applies the live --backfill-target and --jobs.
Status PartBackfill::WaitToGo(BatchSizer* sizer) {
  std::string shown;
  auto on_wait = [&](const std::string& reason) {
    if (reason.empty()) {
      sh_.progress.Log("  resuming the backfill of " + name_);
      return Status::Ok();
    }
    // Once per wait, and again when a pause turns into a replica wait or back
    // (a lag's figure changes at every poll).
    auto paused = [](const std::string& r) { return r.rfind("paused", 0) == 0; };
    if (shown.empty() || paused(reason) != paused(shown))
      sh_.progress.Log("  pausing the backfill of " + name_ + ": " + reason);
    shown = reason;
    sh_.progress.Update(table_.tally->Throttled(reason));
    return sh_.store.SetThrottled(conn_, table_.name, reason);
  };
  Settings now;
  Status s = sh_.pacer.Wait(conn_, sh_.stop, /*replicas=*/true, on_wait, &now);
  if (!s.ok()) return s;
  sizer->SetTarget(std::min(now.target_ms, sh_.options.lock_timeout_ms));
  sh_.follow_jobs(now.jobs);
  return s;
}

// A batch that hits the lock timeout is rolled back and retried smaller: its
// UPDATE waited lock_timeout at most, and a smaller range is less likely to
// contain the row another transaction holds.
Status PartBackfill::BatchWithRetries(BatchSizer* sizer, Batch* b) {
  for (int attempt = 1;; ++attempt) {
    Status s = table_.walk.NextBatch(conn_, part_.last, sizer->rows(), &b->where, &b->next, &b->last);
    if (!s.ok()) return s;
    auto t0 = Clock::now();
    s = RunBatch(b, sizer->rows());
    if (s.ok()) {
      sizer->Done(b->rows, std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
      return s;
    }
    if (!s.IsLockTimeout()) return ExplainFailure(b->where, s);
    if (attempt >= sh_.options.max_lock_attempts)
      return s.WithContext("backfill of \"" + table_.name + "\"")
          .WithHint("a long transaction holds rows of the table; find it in pg_stat_activity, then run the command "
                    "again (or raise --lock-timeout)");
    sizer->ShrinkAfterLockTimeout();
    sh_.progress.Log("  a batch of " + name_ + " waited the lock timeout (" +
                     std::to_string(sh_.options.lock_timeout_ms) + " ms); retrying with " +
                     std::to_string(sizer->rows()) + " rows");
    std::this_thread::sleep_for(std::chrono::milliseconds(50 * attempt));
  }
}

// One batch and its checkpoint commit together: a crash loses at most the batch in flight.
Status PartBackfill::RunBatch(Batch* b, int batch_rows) {
  pg::Result res;
  // synchronous_commit off is safe here: a batch and its checkpoint commit
  // together, so a crash that loses the last commits loses both, and the
  // resumed backfill redoes those batches. It saves a WAL flush per batch.
  pg::Transaction tx;
  Status s = pg::Transaction::Begin(conn_, &tx, "",
                                    "SET LOCAL lock_timeout = " + std::to_string(sh_.options.lock_timeout_ms) +
                                        "; SET LOCAL synchronous_commit = off"
                                        // The user's triggers skip the backfill's writes (planner/user_objects.h).
                                        "; SET LOCAL pleat.backfill = 'on'");
  if (s.ok()) s = conn_->Exec(BatchSql(*table_.spec, table_.walk.qualified(), b->where), &res);
  if (s.ok()) {
    b->rows = res.AffectedRows();
    s = sh_.store.Save(conn_, table_.name, part_, b->next,
                       {b->rows, batch_rows, table_.tally->rows_per_second(b->rows)});
  }
  return tx.Finish(s);
}

// Finds the first row of the failed batch and the expression that fails on it,
// so the message names both instead of only the server's error.
Status PartBackfill::ExplainFailure(const std::string& where, const Status& failure) {
  const TableWalk& walk = table_.walk;
  pg::Result keys;
  if (!conn_->Exec(walk.KeysSql(where), &keys).ok()) return failure;
  for (int r = 0; r < keys.rows(); ++r) {
    std::vector<std::string> key;
    for (int c = 0; c < keys.columns(); ++c) key.push_back(keys.Get(r, c));
    for (const auto& [name, expr] : BatchExpressions(*table_.spec)) {
      Status s = conn_->Exec("SELECT (" + expr + ") FROM " + walk.qualified() + " WHERE " + walk.RowSql(key));
      if (!s.ok())
        return Status::Database("backfill of \"" + table_.name + "\": the up expression of column \"" + name +
                                    "\" (" + expr + ") fails for row " + walk.Describe(key) + ": " + s.message(),
                                s.sqlstate(), "make `up` handle such rows, then run the command again");
    }
  }
  return failure.WithContext("backfill of \"" + table_.name + "\"");
}

Status PartBackfill::Batches(BatchSizer* sizer, long long* batches, long long* rows) {
  std::string label = table_.name + (part_.number ? " part " + std::to_string(part_.number) : "");
  for (Batch b; !b.last && !sh_.stop; ++*batches) {
    Status s = WaitToGo(sizer);
    if (s.ok() && !sh_.stop) {
      sh_.options.before_step("backfill", label + " batch " + std::to_string(*batches + 1));
      s = BatchWithRetries(sizer, &b);
    }
    if (!s.ok() || sh_.stop) return s;
    part_.last = b.next;
    part_.rows_done += b.rows;
    *rows += b.rows;
    sh_.progress.Update(table_.tally->Add(b.rows));
  }
  return Status::Ok();
}

Status PartBackfill::Run() {
  sh_.progress.Log("  backfilling " + name_ + (part_.rows_done ? " from its checkpoint (" +
                   std::to_string(part_.rows_done) + " rows done)" : ""));
  const BackfillOptions& o = sh_.options.backfill;
  BatchSizer sizer(o.min_rows, o.max_rows, std::min(o.target_ms, sh_.options.lock_timeout_ms));
  table_.tally->PartStarted();
  auto t0 = Clock::now();
  long long batches = 0, rows = 0;
  Status s = Batches(&sizer, &batches, &rows);
  if (table_.tally->PartEnded()) sh_.progress.Finish(table_.name);
  if (!s.ok() || sh_.stop) return s;  // stopped: another table failed; this one resumes from its checkpoint
  double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  sh_.progress.Log("  backfilled " + name_ + ": " + std::to_string(part_.rows_done) + " rows (" +
                   std::to_string(batches) + " batches this run, the last sized " + std::to_string(sizer.rows()) +
                   " rows), " + std::to_string(static_cast<long long>(seconds > 0 ? rows / seconds : 0)) +
                   " rows/s");
  return Status::Ok();
}

// At a table's first run: estimates its rows, decides whether to split it and
// records its checkpoints (and parts), then reads them back.
Status CreateCheckpoints(pg::Connection* conn, Shared* sh, int tables_left, Table* t) {
  long long rows = 0;
  Status s = t->walk.EstimateRows(conn, &rows);
  const BackfillOptions& o = sh->options.backfill;
  int parts = PartsFor(rows, sh->pacer.current().jobs, tables_left, o.max_rows);
  std::vector<nlohmann::json> starts;
  if (s.ok() && parts > 1) s = SplitTable(conn, t->walk, parts, rows, &starts);
  if (s.ok() && starts.size() > 1)
    sh->progress.Log("  splitting \"" + t->name + "\" (about " + std::to_string(rows) + " rows) into " +
                     std::to_string(starts.size()) + " parts for parallel workers");
  if (s.ok()) s = sh->store.Create(conn, t->name, rows, starts);
  bool found = false;
  if (s.ok()) s = sh->store.Load(conn, t->name, &t->checkpoints, &found);
  return s;
}

// Reads every table's checkpoints, making them at a table's first run. Only
// then is a table split (for the --jobs in force then, `pleat tune` included),
// so a re-run with another --jobs keeps its parts.
Status LoadTables(pg::Connection* conn, Shared* sh, const nlohmann::json& spec, std::deque<Table>* tables) {
  std::vector<bool> found(spec.size());
  int left = 0;
  for (size_t i = 0; i < spec.size(); ++i) {
    Table& t = tables->emplace_back(Table{&spec[i], spec[i].at("table").get<std::string>()});
    bool f = false;
    Status s = TableWalk::Open(conn, sh->state.target_schema(), t.name, &t.walk);
    if (s.ok()) s = sh->store.Load(conn, t.name, &t.checkpoints, &f);
    if (!s.ok()) return s;
    found[i] = f;
    left += !f || !t.checkpoints.done;
  }
  for (size_t i = 0; i < spec.size(); ++i) {
    Status s = found[i] ? Status::Ok() : CreateCheckpoints(conn, sh, left, &(*tables)[i]);
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

// The parts not done yet, table by table; each table gets its tally.
std::vector<std::pair<Table*, Part>> Work(std::deque<Table>* tables) {
  std::vector<std::pair<Table*, Part>> work;
  for (Table& t : *tables) {
    int parts = 0;
    for (const Part& p : t.checkpoints.parts) {
      if (p.done) continue;
      work.emplace_back(&t, p);
      ++parts;
    }
    t.tally = std::make_unique<TableTally>(t.name, t.checkpoints.rows_done, t.checkpoints.rows_total, parts);
  }
  return work;
}

}  // namespace

Status Run(pg::Connection* conn, const state::StateStore& state, const Options& options,
           const std::string& migration, const nlohmann::json& spec) {
  Shared shared(state, options, migration);
  // Paused before it began (`pleat pause` during the steps before the
  // backfill): wait here, so the split below follows a `pleat tune --jobs`.
  Settings first;
  Status first_failure = shared.pacer.Wait(conn, shared.stop, /*replicas=*/false,
                                            [](const std::string&) { return Status::Ok(); }, &first);
  std::deque<Table> tables;
  if (first_failure.ok()) first_failure = LoadTables(conn, &shared, spec, &tables);
  if (!first_failure.ok()) return first_failure;
  std::vector<std::pair<Table*, Part>> work = Work(&tables);
  std::atomic<size_t> next{0};
  std::mutex mu;
  std::unique_ptr<WorkerPool> pool;
  // Worker 0 uses the command's own connection; the others open their own.
  auto worker = [&](int id) {
    pg::Connection own;
    Status s = id == 0 ? Status::Ok() : state::OpenSession(options, &own);
    for (size_t i; s.ok() && !shared.stop && pool->Keep(id) && (i = next++) < work.size();)
      s = PartBackfill(id == 0 ? conn : &own, &shared, work[i].first, work[i].second).Run();
    if (s.ok()) return;
    std::lock_guard<std::mutex> lock(mu);
    if (first_failure.ok()) first_failure = s;
    shared.stop = true;
  };
  pool = std::make_unique<WorkerPool>(worker, [&] { return work.size() - std::min(work.size(), next.load()); });
  shared.follow_jobs = [&](int jobs) { pool->Follow(jobs); };
  pool->Run(shared.pacer.current().jobs);
  return first_failure;
}

}  // namespace pleat::backfill

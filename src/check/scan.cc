#include "check/scan.h"

#include <algorithm>

#include <chrono>
#include <sstream>

#include "backfill/batch_sizer.h"
#include "backfill/table_walk.h"
#include "pg/quote.h"

namespace pleat::check {
namespace {

constexpr size_t kExamples = 5;
constexpr int kProgressEvery = 10;  // batches between progress lines
// A full scan's batches grow from spec.batch_rows toward this time each (as
// the backfill's do), so a large table costs a few dozen statements, not one
// per thousand rows; the cap bounds the rows one batch can return.
constexpr int kBatchTargetMs = 250;
constexpr int kMaxBatchRows = 25000;
constexpr size_t kArgsPerCall = 90;  // num_nulls takes at most 100 arguments

// Errors that depend on a row's values (bad input, overflow, division by
// zero, a RAISE, a sub-select with two rows). Anything else (an undefined
// column, a timeout) would fail every batch the same way.
bool IsDataError(const Status& s) {
  const std::string c = s.sqlstate().substr(0, 2);
  return c == "22" || c == "23" || c == "P0" || c == "38" || c == "39" || c == "2F" || c == "21";
}

void Add(Hits* hits, const std::string& ctid, const std::string& message) {
  ++hits->count;
  if (hits->ctids.size() >= kExamples) return;
  hits->ctids.push_back(ctid);
  hits->messages.push_back(message);
}

// Each source in num_nulls() first, inside CASE so the planner can neither drop
// nor reorder it: every value is computed for every row, marked or not. One
// row back: per probe, how many rows it marked and the first five of them, so
// a batch costs the same memory whether it marks no row or all of them.
std::string BatchSql(const ScanSpec& spec, const std::string& where) {
  std::string force, marks, select, counts;
  for (size_t i = 0; i < spec.sources.size(); i += kArgsPerCall) {
    std::string args;
    for (size_t j = i; j < std::min(spec.sources.size(), i + kArgsPerCall); ++j)
      args += (args.empty() ? "" : ", ") + spec.sources[j].sql;
    force += (force.empty() ? "" : " + ") + std::string("num_nulls(") + args + ")";
  }
  for (size_t i = 0; i < spec.probes.size(); ++i) {
    const std::string& p = spec.probes[i].sql;
    const std::string m = "m" + std::to_string(i);
    select += ", ((" + p + ") IS TRUE) AS " + m;
    marks += (marks.empty() ? "" : " OR ") + std::string("(") + p + ") IS TRUE";
    counts += (counts.empty() ? "" : ", ") + std::string("count(*) FILTER (WHERE ") + m +
              "), array_to_string((array_agg(c) FILTER (WHERE " + m + "))[1:" + std::to_string(kExamples) + "], ' ')";
  }
  std::string rows = "SELECT v.\"_pleat_ctid\"::text AS c" + select + " FROM (" + spec.image + " WHERE " + where +
                     ") v WHERE CASE WHEN " + (force.empty() ? "true" : force + " >= 0") + " THEN " +
                     (marks.empty() ? "false" : marks) + " ELSE false END";
  return counts.empty() ? rows : "SELECT " + counts + " FROM (" + rows + ") marked";
}

void Record(const ScanSpec& spec, const pg::Result& res, ScanResult* out) {
  if (spec.probes.empty() || res.rows() != 1) return;
  for (size_t p = 0; p < spec.probes.size(); ++p) {
    long long count = std::stoll(res.Get(0, static_cast<int>(2 * p)));
    if (count == 0) continue;
    Hits* hits = &out->marked[spec.probes[p].id];
    std::istringstream ctids(res.Get(0, static_cast<int>(2 * p + 1)));
    long long listed = 0;
    for (std::string ctid; ctids >> ctid; ++listed) Add(hits, ctid, "");
    hits->count += count - listed;
  }
}

// One row that raises: which expression raises on it alone (sources first).
Status Classify(pg::Connection* conn, const ScanSpec& spec, const std::string& ctid, const Status& failure,
                ScanResult* out) {
  std::vector<const Probe*> all;
  for (const auto& p : spec.sources) all.push_back(&p);
  for (const auto& p : spec.probes) all.push_back(&p);
  for (const Probe* p : all) {
    Status s = Guarded(conn, "SELECT (" + p->sql + ") IS NULL FROM (" + spec.image + " WHERE " + CtidIn({ctid}) + ") v",
                       nullptr);
    if (s.ok()) continue;
    if (!IsDataError(s)) return s.sqlstate().empty() ? s : Status::Ok();
    Add(&out->raised[p->id], ctid, s.message().substr(0, s.message().find(" in: ")));  // without our SQL
    return Status::Ok();
  }
  Add(&out->raised[""], ctid, failure.message().substr(0, failure.message().find(" in: ")));
  return Status::Ok();
}

Status RunCtids(pg::Connection* conn, const ScanSpec& spec, const std::vector<std::string>& ctids, const Status& failure,
                ScanResult* out);

// Runs one batch; a batch that raises is split until the rows that raise are
// found. With `failed` set, a batch that fails with a server error records
// nothing and sets *failed instead (the caller runs it again in smaller batches).
Status RunWhere(pg::Connection* conn, const ScanSpec& spec, const std::string& where, ScanResult* out,
                bool* failed = nullptr) {
  pg::Result res;
  Status s = Guarded(conn, BatchSql(spec, where), &res);
  if (s.ok()) Record(spec, res, out);
  if (s.ok() || s.sqlstate().empty()) return s;  // no SQLSTATE: the connection itself failed
  if (failed) {
    *failed = true;
    return Status::Ok();
  }
  if (!IsDataError(s)) {
    out->unavailable = s;
    return Status::Ok();
  }
  Status failure = s;
  s = conn->Exec("SELECT t.ctid::text FROM " + pg::QualifiedName(spec.schema, spec.table) + " t WHERE " + where, &res);
  std::vector<std::string> ctids;
  for (int r = 0; s.ok() && r < res.rows(); ++r) ctids.push_back(res.Get(r, 0));
  return s.ok() ? RunCtids(conn, spec, ctids, failure, out) : s;
}

Status RunCtids(pg::Connection* conn, const ScanSpec& spec, const std::vector<std::string>& ctids, const Status& failure,
                ScanResult* out) {
  if (ctids.size() == 1) return Classify(conn, spec, ctids[0], failure, out);
  size_t half = ctids.size() / 2;
  for (const auto& part : {std::vector<std::string>(ctids.begin(), ctids.begin() + half),
                           std::vector<std::string>(ctids.begin() + half, ctids.end())}) {
    if (part.empty() || !out->unavailable.ok()) continue;
    Status s = RunWhere(conn, spec, CtidIn(part), out);
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

void Progress(const ScanSpec& spec, long long done, double estimate) {
  if (!spec.log || estimate < kProgressEvery * spec.batch_rows) return;
  spec.log("check: table \"" + spec.table + "\": " + std::to_string(std::min<long long>(done, estimate)) +
           " of about " + std::to_string(static_cast<long long>(estimate)) + " rows");
}

// Batches of blocks (the caller's snapshot keeps every row where it is), in
// the order the table stores them, sized like the backfill's: from
// spec.batch_rows up, toward kBatchTargetMs. A batch larger than
// spec.batch_rows that fails (a row raises, a statement timeout) is run again
// from the same place at spec.batch_rows, where a raise is bisected down to its rows.
Status ScanAll(pg::Connection* conn, const ScanSpec& spec, double estimate, ScanResult* out) {
  backfill::TableWalk walk;
  Status s = backfill::TableWalk::OpenByCtid(conn, spec.schema, spec.table, &walk);
  const int max_rows = std::max(spec.batch_rows, kMaxBatchRows);
  backfill::BatchSizer sizer(spec.batch_rows, max_rows, kBatchTargetMs);
  nlohmann::json checkpoint;
  bool last = false;
  long long done = 0;
  for (long long batch = 1; s.ok() && !last && out->unavailable.ok(); ++batch) {
    std::string where;
    nlohmann::json next;
    const int rows = sizer.rows();
    s = walk.NextBatch(conn, checkpoint, rows, &where, &next, &last);
    bool failed = false;
    auto t0 = std::chrono::steady_clock::now();
    if (s.ok()) s = RunWhere(conn, spec, where, out, rows > spec.batch_rows ? &failed : nullptr);
    if (failed) {
      sizer = backfill::BatchSizer(spec.batch_rows, max_rows, kBatchTargetMs);
      last = false;
      continue;
    }
    sizer.Done(rows, std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    checkpoint = next;
    done += rows;
    if (batch % kProgressEvery == 0) Progress(spec, done, estimate);
  }
  return s;
}

// BERNOULLI picks rows from every block, so small tables are sampled too.
Status ScanSample(pg::Connection* conn, const ScanSpec& spec, double estimate, ScanResult* out) {
  double percent = estimate <= 0 ? 100 : std::clamp(200.0 * spec.sample_rows / estimate, 0.001, 100.0);
  pg::Result res;
  Status s = conn->Exec("SELECT t.ctid::text FROM " + pg::QualifiedName(spec.schema, spec.table) +
                            " t TABLESAMPLE BERNOULLI (" + std::to_string(percent) + ") LIMIT " +
                            std::to_string(spec.sample_rows),
                        &res);
  std::vector<std::string> ctids;
  for (int r = 0; s.ok() && r < res.rows(); ++r) ctids.push_back(res.Get(r, 0));
  out->rows = static_cast<long long>(ctids.size());
  out->sample = ctids;
  for (size_t i = 0; s.ok() && i < ctids.size() && out->unavailable.ok(); i += spec.batch_rows) {
    size_t end = std::min(ctids.size(), i + spec.batch_rows);
    s = RunWhere(conn, spec, CtidIn({ctids.begin() + i, ctids.begin() + end}), out);
  }
  return s;
}

}  // namespace

std::string CtidIn(const std::vector<std::string>& ctids) {
  std::string list;
  for (const auto& c : ctids) list += (list.empty() ? "" : ",") + std::string("\"") + c + "\"";
  return "t.ctid = ANY(" + pg::QuoteLiteral("{" + list + "}") + "::tid[])";
}

Status Guarded(pg::Connection* conn, const std::string& sql, pg::Result* out) {
  Status s = conn->Exec("SAVEPOINT pleat_check");
  if (!s.ok()) return s;
  Status result = conn->Exec(sql, out);
  s = conn->Exec(result.ok() ? "RELEASE SAVEPOINT pleat_check"
                             : "ROLLBACK TO SAVEPOINT pleat_check; RELEASE SAVEPOINT pleat_check");
  return s.ok() ? result : s;
}

Status Scan(pg::Connection* conn, const ScanSpec& spec, ScanResult* out) {
  std::string estimate;
  Status s = conn->QueryValue("SELECT reltuples FROM pg_class WHERE oid = $1::regclass", &estimate,
                              {pg::QualifiedName(spec.schema, spec.table)});
  if (!s.ok()) return s;
  double rows = estimate.empty() ? -1 : std::stod(estimate);
  if (spec.sample_rows > 0) return ScanSample(conn, spec, rows, out);
  out->rows = -1;
  return ScanAll(conn, spec, rows, out);
}

std::string KeyOfRow(pg::Connection* conn, const backfill::TableWalk& walk, const std::string& ctid) {
  pg::Result res;
  if (!Guarded(conn, walk.KeysSql("ctid = " + pg::QuoteLiteral(ctid) + "::tid"), &res).ok() || res.rows() != 1)
    return "(ctid)=(" + ctid + ")";
  std::vector<std::string> key;
  for (int c = 0; c < res.columns(); ++c) key.push_back(res.Get(0, c));
  return walk.Describe(key);
}

}  // namespace pleat::check

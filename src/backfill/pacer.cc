#include "backfill/pacer.h"

#include <chrono>
#include <thread>

#include "state/control.h"

namespace pleat::backfill {
namespace {

// A paused backfill notices `pleat resume` within this; the replica lag is
// read less often (it moves slowly and pg_stat_replication is not free).
constexpr auto kPausePoll = std::chrono::milliseconds(250);
constexpr auto kLagPoll = std::chrono::seconds(1);

std::string Duration(int ms) { return ms % 1000 ? std::to_string(ms) + "ms" : std::to_string(ms / 1000) + "s"; }

nlohmann::json Json(const Settings& s) {
  return {{"paused", s.paused}, {"backfill_target_ms", s.target_ms}, {"max_replica_lag_ms", s.max_replica_lag_ms},
          {"jobs", s.jobs}};
}

}  // namespace

Pacer::Pacer(const state::StateStore& state, const Options& options, Progress* progress)
    : state_(state), options_(options), progress_(progress), throttle_(options.backfill) {
  current_ = {false, options.backfill.target_ms, options.backfill.max_replica_lag_ms,
              std::max(1, options.backfill.jobs), ""};
}

Settings Pacer::current() const {
  std::lock_guard<std::mutex> lock(mu_);
  return current_;
}

void Pacer::LogChange(const Settings& before, const Settings& after) const {
  std::string by = after.changed_by.empty() ? "" : " (" + after.changed_by + ")";
  if (after.paused != before.paused)
    progress_->Log(after.paused ? "  backfill paused by `pleat pause`" + by + "; waiting for `pleat resume`"
                                : "  backfill resumed by `pleat resume`" + by);
  std::string changed;
  if (after.target_ms != before.target_ms) changed += " --backfill-target " + Duration(after.target_ms);
  if (after.max_replica_lag_ms != before.max_replica_lag_ms)
    changed += " --max-replica-lag " + Duration(after.max_replica_lag_ms);
  if (after.jobs != before.jobs) changed += " --jobs " + std::to_string(after.jobs);
  if (!changed.empty()) progress_->Log("  `pleat tune`" + by + ": from the next batch on," + changed);
}

// The flags, overridden by the control row; a change is logged and recorded
// once, by whichever worker sees it first.
Status Pacer::Refresh(pg::Connection* conn, Settings* out) {
  state::ControlRow row;
  Status s = state::ReadControlFor(conn, state_, &row);
  if (!s.ok()) return s;
  const BackfillOptions& o = options_.backfill;
  Settings now{row.paused, row.backfill_target_ms.value_or(o.target_ms),
               row.max_replica_lag_ms.value_or(o.max_replica_lag_ms), std::max(1, row.jobs.value_or(o.jobs)),
               row.changed_by};
  std::lock_guard<std::mutex> lock(mu_);
  *out = now;
  if (recorded_ && now == current_) return Status::Ok();
  LogChange(current_, now);
  current_ = now;
  recorded_ = true;
  return state::AcknowledgeControl(conn, state_, Json(now));
}

Status Pacer::Wait(pg::Connection* conn, const std::atomic<bool>& stop, bool replicas,
                   const std::function<Status(const std::string&)>& on_wait, Settings* out) {
  auto warn = [this](const std::string& line) { progress_->Log(line); };
  for (bool waited = false;;) {
    std::string reason;
    Status s = Refresh(conn, out);
    if (s.ok() && out->paused)
      reason = "paused by `pleat pause`" + (out->changed_by.empty() ? "" : " (" + out->changed_by + ")");
    else if (s.ok() && replicas)
      s = throttle_.Check(conn, out->max_replica_lag_ms, warn, &reason);
    if (s.ok()) s = state_.LeaseHeld();
    if (!s.ok() || stop) return s;
    if (reason.empty()) return waited ? on_wait("") : Status::Ok();
    s = on_wait(reason);
    if (!s.ok()) return s;
    waited = true;
    std::this_thread::sleep_for(out->paused ? std::chrono::duration_cast<std::chrono::milliseconds>(kPausePoll)
                                            : std::chrono::duration_cast<std::chrono::milliseconds>(kLagPoll));
  }
}

}  // namespace pleat::backfill

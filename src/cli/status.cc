// `pleat status [--json]`: the active migration, its phase and backfill progress.
#include <iostream>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "cli/context.h"
#include "engine/lifecycle.h"

namespace pleat::cli {
namespace {

std::string Quoted(const nlohmann::json& v) { return "\"" + v.get<std::string>() + "\""; }

std::string Holder(const nlohmann::json& r) {
  return "`pleat " + r["command"].get<std::string>() + "` from host " + r["host"].get<std::string>() + " pid " +
         std::to_string(r["pid"].get<long long>()) + " (backend " + std::to_string(r["backend_pid"].get<long long>()) +
         ") since " + r["started_at"].get<std::string>() + ", last heartbeat " + r["heartbeat_at"].get<std::string>();
}

// What to run next in each phase. A phase other than "active" means a command
// is running, or was interrupted when no pleat holds the lease.
std::string NextStep(const nlohmann::json& a, const nlohmann::json& running) {
  std::string phase = a["phase"];
  if (!running.is_null())
    return "wait: `pleat " + running["command"].get<std::string>() + "` is working on it (`pleat status` again shows "
           "its progress)";
  if (phase == "starting") return "start was interrupted: run `pleat start FILE` again to resume it, or `pleat rollback`";
  if (phase == "completing" && a.value("old_version_dropped", true))
    return "complete stopped after the old version was dropped: fix what stopped it and run `pleat complete` again "
           "to finish it (rollback is no longer possible)";
  if (phase == "completing")
    return "complete stopped before the old version was dropped (both versions are still served): run `pleat "
           "complete` again to finish it, or `pleat rollback`";
  if (phase == "rolling_back") return "rollback was interrupted: run `pleat rollback` again to finish it";
  return "run `pleat complete` once every client uses " + Quoted(a["version_schema"]) + ", or `pleat rollback`";
}

// rows_total is an estimate made when the backfill began; show it only when it says something.
std::string BackfillLine(const nlohmann::json& b) {
  long long done = b["rows_done"], total = b["rows_total"];
  std::string line = "backfill of " + Quoted(b["table"]) + ": ";
  if (b["done"].get<bool>()) return line + "done, " + std::to_string(done) + " rows";
  line += std::to_string(done) + (total > done ? " of about " + std::to_string(total) + " rows" : " rows so far");
  if (b["rows_per_second"].get<long long>() > 0)
    line += ", " + std::to_string(b["rows_per_second"].get<long long>()) + " rows/s";
  if (!b["eta_seconds"].is_null()) line += ", ETA " + std::to_string(b["eta_seconds"].get<long long>()) + " s";
  if (b.value("parts", 1) > 1)
    line += ", in " + std::to_string(b["parts"].get<int>()) + " key ranges (" +
            std::to_string(b["parts_done"].get<int>()) + " done)";
  if (!b["throttled"].is_null())
    line += "; paused since " + b["throttled_since"].get<std::string>() + ": " + b["throttled"].get<std::string>();
  return line + " (as of " + b["updated_at"].get<std::string>() + ")";
}

std::string Duration(const nlohmann::json& ms) {
  long long v = ms.get<long long>();
  return v % 1000 ? std::to_string(v) + "ms" : std::to_string(v / 1000) + "s";
}

// The running backfill's settings (its flags, or what `pleat tune` set) and
// whether `pleat pause` holds it; "applied" is what the backfill acknowledged.
void PrintControl(const nlohmann::json& c) {
  if (c["paused"].get<bool>())
    std::cout << "paused by `pleat pause` since " << c["paused_at"].get<std::string>()
              << (c["applied"].is_object() && c["applied"]["paused"].get<bool>() ? " (the backfill waits)"
                                                                                   : " (at the next batch)")
              << "; `pleat resume` continues it\n";
  const auto& a = c["applied"];
  if (!a.is_object()) return;
  std::cout << "backfill settings in force: --backfill-target " << Duration(a["backfill_target_ms"])
            << " --max-replica-lag " << Duration(a["max_replica_lag_ms"]) << " --jobs " << a["jobs"]
            << " (as of " << c["applied_at"].get<std::string>() << "; change them with `pleat tune`)\n";
}

void PrintActive(const nlohmann::json& a, const nlohmann::json& running) {
  std::cout << "active migration: " << Quoted(a["name"]) << ", phase " << a["phase"].get<std::string>() << " ("
            << a["start_steps_done"] << " of " << a["start_steps_total"] << " start steps done)\n";
  if (!a["previous_version_schema"].get<std::string>().empty())
    std::cout << "previous version schema: " << a["previous_version_schema"].get<std::string>()
              << (a.value("old_version_dropped", false) ? " (dropped by complete)\n" : " (still served until complete)\n");
  const auto& c = a["current_step"];
  if (!c.is_null() && !c["step"].is_null())
    std::cout << (a["interrupted"].get<bool>() ? "stopped at " : "working on ") << c["phase"].get<std::string>()
              << " step " << c["steps_done"].get<int>() + 1 << " of " << c["steps_total"] << ": "
              << c["step"]["description"].get<std::string>() << "\n";
  for (const auto& b : a["backfill"]) std::cout << BackfillLine(b) << "\n";
  std::cout << "next: " << NextStep(a, running) << std::endl;
}

void PrintText(const nlohmann::json& st, const std::string& state_schema) {
  if (!st["initialized"].get<bool>()) {
    std::cout << "pleat is not initialized in this database: no state schema \"" << state_schema
              << "\" (run `pleat init`)" << std::endl;
    return;
  }
  std::cout << "schema: " << st["schema"].get<std::string>() << "\n";
  if (!st["latest_version_schema"].is_null())
    std::cout << "latest version schema: " << st["latest_version_schema"].get<std::string>() << "\n";
  const auto& completed = st["completed"];
  std::cout << "completed migrations: " << completed.size();
  if (!completed.empty()) std::cout << " (last: " << completed.back().get<std::string>() << ")";
  std::cout << "\n";
  if (!st["running"].is_null()) std::cout << "running: " << Holder(st["running"]) << "\n";
  if (!st["control"].is_null()) PrintControl(st["control"]);
  if (st["active"].is_null())
    std::cout << "no migration in progress" << std::endl;
  else
    PrintActive(st["active"], st["running"]);
}

}  // namespace

void AddStatusCommand(CLI::App* app, CliContext* ctx) {
  auto* cmd = app->add_subcommand("status", "show the active migration, its phase and backfill progress");
  cmd->callback([ctx] {
    ctx->result = ResolveOptions(ctx);
    if (!ctx->result.ok()) return;
    engine::Lifecycle lifecycle(ctx->options);
    nlohmann::json st;
    ctx->result = lifecycle.GetStatus(&st);
    if (!ctx->result.ok()) return;
    if (ctx->json)
      std::cout << st.dump() << std::endl;
    else
      PrintText(st, ctx->options.state_schema);
  });
}

}  // namespace pleat::cli

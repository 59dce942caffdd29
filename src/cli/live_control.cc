// `pleat pause`, `pleat resume` and `pleat tune`: change the backfill of the
// running `start` (or `migrate`) from another terminal, through the control row
// of the state schema (state/control.h). It applies them before its next batch.
#include <iostream>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "cli/context.h"
#include "state/control.h"

namespace pleat::cli {
namespace {

std::string Duration(const nlohmann::json& ms) {
  long long v = ms.get<long long>();
  return v % 1000 ? std::to_string(v) + "ms" : std::to_string(v / 1000) + "s";
}

// "paused since T; --backfill-target 50ms, --jobs 4 (set by tune); the rest as its flags say".
std::string Describe(const nlohmann::json& c) {
  std::string line = c["paused"].get<bool>() ? "paused since " + c["paused_at"].get<std::string>() : "running";
  std::string set;
  if (!c["backfill_target_ms"].is_null()) set += ", --backfill-target " + Duration(c["backfill_target_ms"]);
  if (!c["max_replica_lag_ms"].is_null()) set += ", --max-replica-lag " + Duration(c["max_replica_lag_ms"]);
  if (!c["jobs"].is_null()) set += ", --jobs " + std::to_string(c["jobs"].get<long long>());
  return line + (set.empty() ? "" : "; tuned:" + set.substr(1)) + "; the backfill applies this before its next batch";
}

// REQUIRES: ResolveOptions(ctx) succeeded.
void Apply(CliContext* ctx, const state::ControlChange& change) {
  nlohmann::json row;
  ctx->result = state::ChangeControl(ctx->options, change, &row);
  if (!ctx->result.ok()) return;
  std::cout << (ctx->json ? row.dump() : "backfill on schema \"" + ctx->options.schema + "\": " + Describe(row))
            << std::endl;
}

}  // namespace

void AddPauseCommand(CLI::App* app, CliContext* ctx) {
  auto* cmd = app->add_subcommand("pause", "pause the backfill of the running start before its next batch");
  cmd->callback([ctx] {
    ctx->result = ResolveOptions(ctx);
    if (ctx->result.ok()) Apply(ctx, {.paused = true});
  });
}

void AddResumeCommand(CLI::App* app, CliContext* ctx) {
  auto* cmd = app->add_subcommand("resume", "resume a backfill paused by `pleat pause`");
  cmd->callback([ctx] {
    ctx->result = ResolveOptions(ctx);
    if (ctx->result.ok()) Apply(ctx, {.paused = false});
  });
}

// The flags are the global ones `start` reads; only those given change.
void AddTuneCommand(CLI::App* app, CliContext* ctx) {
  auto* cmd = app->add_subcommand(
      "tune", "change --backfill-target, --max-replica-lag or --jobs of the running start's backfill");
  cmd->callback([app, ctx] {
    bool target = !ctx->backfill_target.empty(), lag = !ctx->max_replica_lag.empty();
    bool jobs = app->get_option("--jobs")->count() > 0;
    if (!target && !lag && !jobs) {
      ctx->result = Status::Usage("tune: nothing to change",
                                  "give --backfill-target, --max-replica-lag or --jobs, e.g. `pleat tune --jobs 4`");
      return;
    }
    ctx->result = ResolveOptions(ctx);
    if (!ctx->result.ok()) return;
    const BackfillOptions& b = ctx->options.backfill;
    state::ControlChange change;
    if (target) change.backfill_target_ms = b.target_ms;
    if (lag) change.max_replica_lag_ms = b.max_replica_lag_ms;
    if (jobs) change.jobs = b.jobs;
    Apply(ctx, change);
  });
}

}  // namespace pleat::cli

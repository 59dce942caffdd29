// `pleat complete`: contract the active migration.
#include <iostream>

#include <CLI/CLI.hpp>

#include "cli/context.h"
#include "engine/lifecycle.h"

namespace pleat::cli {

void AddCompleteCommand(CLI::App* app, CliContext* ctx) {
  auto* cmd = app->add_subcommand("complete", "complete the active migration: drop the old version and the old structure");
  cmd->add_flag("--force", ctx->options.force_complete, "complete even when verify finds problems (what only the old version holds is lost)");
  cmd->callback([ctx] {
    ctx->result = ResolveOptions(ctx);
    if (!ctx->result.ok()) return;
    engine::Lifecycle lifecycle(ctx->options);
    ctx->result = lifecycle.Complete();
    RunHooks(*ctx, "complete", lifecycle.migration(), lifecycle.version_schema());
    if (ctx->result.ok() && ctx->json) std::cout << "{\"completed\":true}" << std::endl;
  });
}

}  // namespace pleat::cli

// `pleat rollback`: undo the active migration's expansion.
#include <iostream>

#include <CLI/CLI.hpp>

#include "cli/context.h"
#include "engine/lifecycle.h"

namespace pleat::cli {

void AddRollbackCommand(CLI::App* app, CliContext* ctx) {
  auto* cmd = app->add_subcommand("rollback", "roll back the active migration; the old version never changed");
  cmd->callback([ctx] {
    ctx->result = ResolveOptions(ctx);
    if (!ctx->result.ok()) return;
    engine::Lifecycle lifecycle(ctx->options);
    ctx->result = lifecycle.Rollback();
    RunHooks(*ctx, "rollback", lifecycle.migration(), lifecycle.version_schema());
    if (ctx->result.ok() && ctx->json) std::cout << "{\"rolled_back\":true}" << std::endl;
  });
}

}  // namespace pleat::cli

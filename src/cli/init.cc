// `pleat init`: create the state schema (idempotent).
#include <iostream>

#include <CLI/CLI.hpp>

#include "cli/context.h"
#include "engine/lifecycle.h"

namespace pleat::cli {

void AddInitCommand(CLI::App* app, CliContext* ctx) {
  auto* cmd = app->add_subcommand("init", "create pleat's state schema (safe to run again)");
  cmd->callback([ctx] {
    ctx->result = ResolveOptions(ctx);
    if (!ctx->result.ok()) return;
    engine::Lifecycle lifecycle(ctx->options);
    ctx->result = lifecycle.Init();
    if (ctx->result.ok())
      std::cout << (ctx->json ? "{\"initialized\":true}" : "pleat state schema \"" + ctx->options.state_schema + "\" is ready")
                << std::endl;
  });
}

}  // namespace pleat::cli

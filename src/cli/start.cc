// `pleat start FILE [--complete]`: expand, sync, backfill; prints the new version schema.
#include <iostream>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "cli/context.h"
#include "engine/lifecycle.h"

namespace pleat::cli {

void AddStartCommand(CLI::App* app, CliContext* ctx) {
  auto* cmd = app->add_subcommand("start", "start a migration: expand, dual-write, backfill; prints the new version schema");
  static std::string file;
  static bool complete = false;
  cmd->add_option("FILE", file, "migration file (.yaml, .yml or .json)")->required();
  cmd->add_flag("--complete", complete, "complete the migration right after starting it");
  cmd->add_flag("--force", ctx->options.preflight.force, "start even when the preflight finds errors in the data");
  cmd->callback([ctx] {
    ctx->result = ResolveOptions(ctx);
    if (!ctx->result.ok()) return;
    engine::Lifecycle lifecycle(ctx->options);
    std::string version_schema;
    ctx->result = lifecycle.Start(file, complete, &version_schema);
    RunHooks(*ctx, "start", lifecycle.migration(), lifecycle.version_schema());
    if (!ctx->result.ok()) return;
    if (ctx->json)
      std::cout << nlohmann::json{{"version_schema", version_schema}, {"completed", complete}}.dump() << std::endl;
    else
      std::cout << version_schema << std::endl;
  });
}

}  // namespace pleat::cli

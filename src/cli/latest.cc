// `pleat latest`: the newest version schema name, for application config.
#include <iostream>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "cli/context.h"
#include "engine/lifecycle.h"

namespace pleat::cli {

void AddLatestCommand(CLI::App* app, CliContext* ctx) {
  auto* cmd = app->add_subcommand("latest", "print the newest version schema (for the application's configuration)");
  cmd->callback([ctx] {
    ctx->result = ResolveOptions(ctx);
    if (!ctx->result.ok()) return;
    engine::Lifecycle lifecycle(ctx->options);
    std::string name;
    ctx->result = lifecycle.Latest(&name);
    if (!ctx->result.ok()) return;
    if (name.empty()) {
      ctx->result = Status::NotFound("no migration has been started in schema \"" + ctx->options.schema + "\"",
                                     "start one with `pleat start FILE`");
      return;
    }
    std::cout << (ctx->json ? nlohmann::json{{"version_schema", name}}.dump() : name) << std::endl;
  });
}

}  // namespace pleat::cli

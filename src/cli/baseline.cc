// `pleat baseline NAME DIR`: record the schema as it is as pleat's first
// migration, written to DIR, without running anything on the tables.
#include <iostream>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "cli/context.h"
#include "history/baseline.h"

namespace pleat::cli {

void AddBaselineCommand(CLI::App* app, CliContext* ctx) {
  auto* cmd = app->add_subcommand(
      "baseline", "write migrations that rebuild the schema as it is to DIR and record them as completed (no DDL)");
  static std::string name, dir;
  cmd->add_option("NAME", name, "migration name, e.g. 00_baseline (files DIR/NAME.yaml, DIR/NAME_2.yaml, ...)")
      ->required();
  cmd->add_option("DIR", dir, "directory of migration files")->required();
  cmd->callback([ctx] {
    ctx->result = ResolveOptions(ctx);
    if (!ctx->result.ok()) return;
    std::vector<std::string> files;
    std::string version_schema;
    ctx->result = history::Baseline(ctx->options, name, dir, &files, &version_schema);
    if (!ctx->result.ok()) return;
    for (const auto& f : files) ctx->options.log("wrote " + f + " (recorded as completed)");
    if (ctx->json)
      std::cout << nlohmann::json{{"files", files}, {"version_schema", version_schema}}.dump() << std::endl;
    else
      std::cout << version_schema << std::endl;
  });
}

}  // namespace pleat::cli

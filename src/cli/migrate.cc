// `pleat migrate DIR [--complete] [--together]`: apply the pending migration
// files in name order, one by one or (--together) as one window.
#include <iostream>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "cli/context.h"
#include "engine/lifecycle.h"

namespace pleat::cli {

void AddMigrateCommand(CLI::App* app, CliContext* ctx) {
  auto* cmd = app->add_subcommand("migrate", "apply pending migration files in order; the last stays started unless --complete");
  static std::string dir;
  static bool complete = false;
  static bool together = false;
  cmd->add_option("DIR", dir, "directory of migration files")->required();
  cmd->add_flag("--complete", complete, "complete the last migration too");
  cmd->add_flag("--together", together,
                "start all pending files as one window: one new version schema; complete and rollback act on all");
  cmd->callback([ctx] {
    ctx->result = ResolveOptions(ctx);
    if (!ctx->result.ok()) return;
    engine::Lifecycle lifecycle(ctx->options);
    std::string version_schema;
    ctx->result = lifecycle.Migrate(dir, complete, together, &version_schema);
    RunHooks(*ctx, "migrate", lifecycle.migration(), lifecycle.version_schema());
    // Nothing pending: still print the current version schema, so scripts can always
    // read it from the last line of stdout.
    if (ctx->result.ok() && version_schema.empty()) {
      ctx->options.log("nothing to migrate: every migration in " + dir + " is completed");
      ctx->result = lifecycle.Latest(&version_schema);
    }
    if (!ctx->result.ok() || version_schema.empty()) return;
    std::cout << (ctx->json ? nlohmann::json{{"version_schema", version_schema}}.dump() : version_schema) << std::endl;
  });
}

}  // namespace pleat::cli

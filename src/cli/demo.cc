// `pleat demo [--rows N]`: a live expand/contract migration, narrated, on a
// private PostgreSQL (or, with --url / DATABASE_URL, in a schema of its own).
#include <iostream>

#include <CLI/CLI.hpp>

#include "cli/context.h"
#include "demo/demo.h"

namespace pleat::cli {

void AddDemoCommand(CLI::App* app, CliContext* ctx) {
  auto* cmd = app->add_subcommand(
      "demo", "watch a live migration with two app versions writing (private PostgreSQL unless --url is given)");
  static long long rows = 5000;
  cmd->add_option("--rows", rows, "contracts to seed before the migration")
      ->check(CLI::Range(100, 10000000))
      ->capture_default_str();
  cmd->callback([ctx] {
    ctx->result = ResolveOptions(ctx);
    if (!ctx->result.ok()) return;
    demo::DemoOptions options;
    options.engine = ctx->options;
    options.rows = rows;
    options.out = &std::cout;
    ctx->result = demo::RunDemo(options);
  });
}

}  // namespace pleat::cli

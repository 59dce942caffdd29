// pleat: zero-downtime, reversible PostgreSQL schema migrations. main() only
// registers the commands, runs the chosen one and turns its Status into the
// exit code: 0 ok, 1 a check failed, 2 usage, 3 migration or database error.
#include <CLI/CLI.hpp>

#include "cli/context.h"

int main(int argc, char** argv) {
  using namespace pleat::cli;
  CLI::App app{"pleat: zero-downtime, reversible PostgreSQL schema migrations (expand/contract)"};
  CliContext ctx;
  AddGlobalOptions(&app, &ctx);
  AddInitCommand(&app, &ctx);
  AddStartCommand(&app, &ctx);
  AddCompleteCommand(&app, &ctx);
  AddRollbackCommand(&app, &ctx);
  AddStatusCommand(&app, &ctx);
  AddLatestCommand(&app, &ctx);
  AddMigrateCommand(&app, &ctx);
  app.require_subcommand(1);
  app.fallthrough();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  if (!ctx.result.ok()) PrintError(ctx, ctx.result);
  return ctx.result.ExitCode();
}

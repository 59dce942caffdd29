// pleat: zero-downtime, reversible PostgreSQL schema migrations. main() only
// registers the commands, runs the chosen one and turns its Status into the
// exit code: 0 ok, 1 a check failed, 2 usage, 3 migration or database error.
#include <CLI/CLI.hpp>

#include "cli/context.h"

int main(int argc, char** argv) {
  using namespace pleat::cli;
  CLI::App app{"pleat: zero-downtime, reversible PostgreSQL schema migrations (expand/contract)"};
  CliContext ctx;
  // Before the subcommands: each copies fallthrough from the app when it is
  // added, and fallthrough lets global flags follow the command (`status --json`).
  app.fallthrough();
  AddGlobalOptions(&app, &ctx);
  AddInitCommand(&app, &ctx);
  AddStartCommand(&app, &ctx);
  AddCompleteCommand(&app, &ctx);
  AddRollbackCommand(&app, &ctx);
  AddStatusCommand(&app, &ctx);
  AddLatestCommand(&app, &ctx);
  AddMigrateCommand(&app, &ctx);
  AddCheckCommand(&app, &ctx);
  AddConvertCommand(&app, &ctx);
  AddDemoCommand(&app, &ctx);
  AddVerifyCommand(&app, &ctx);
  AddSandboxCommand(&app, &ctx);
  AddBaselineCommand(&app, &ctx);
  AddPullCommand(&app, &ctx);
  AddPauseCommand(&app, &ctx);
  AddResumeCommand(&app, &ctx);
  AddTuneCommand(&app, &ctx);
  app.require_subcommand(1);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help
    ctx.result = UsageError(&app, e.what());
  }
  if (!ctx.result.ok()) PrintError(ctx, ctx.result);
  return ctx.result.ExitCode();
}

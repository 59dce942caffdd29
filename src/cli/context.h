#ifndef PLEAT_CLI_CONTEXT_H_
#define PLEAT_CLI_CONTEXT_H_
// CliContext: what the global flags set and what a command's callback leaves
// behind (its Status), shared by main and the command files. Each command file
// registers one subcommand with Add<Name>Command(); no SQL lives in src/cli.

#include <string>

#include "options.h"
#include "status.h"

namespace CLI {
class App;
}

namespace pleat::cli {

struct CliContext {
  Options options;
  std::string url;           // --url / --postgres-url
  std::string lock_timeout;  // --lock-timeout as written ("500ms", "2s")
  std::string backfill_target, backfill_batch_size, max_replica_lag;  // as written
  std::string on_success, on_failure;  // --on-success / --on-failure shell commands (hooks.cc)
  bool json = false;
  Status result;
};

// Fills ctx->options from the flags and the environment (DATABASE_URL).
Status ResolveOptions(CliContext* ctx);
// Prints a failed Status: text to stderr, or one JSON object to stdout with --json.
void PrintError(const CliContext& ctx, const Status& status);
// Turns a command-line parse error (CLI11's `what`) into a usage Status that
// names the command and says where to read its usage.
Status UsageError(CLI::App* app, const std::string& what);

// Runs --on-success or --on-failure (as ctx->result says) for `command` on
// `migration`, with the PLEAT_* environment variables of docs/cli.md. A failing
// hook is reported on stderr; pleat's own exit code stays.
void RunHooks(const CliContext& ctx, const std::string& command, const std::string& migration,
              const std::string& version_schema);

void AddGlobalOptions(CLI::App* app, CliContext* ctx);
void AddInitCommand(CLI::App* app, CliContext* ctx);
void AddStartCommand(CLI::App* app, CliContext* ctx);
void AddCompleteCommand(CLI::App* app, CliContext* ctx);
void AddRollbackCommand(CLI::App* app, CliContext* ctx);
void AddStatusCommand(CLI::App* app, CliContext* ctx);
void AddLatestCommand(CLI::App* app, CliContext* ctx);
void AddMigrateCommand(CLI::App* app, CliContext* ctx);
void AddCheckCommand(CLI::App* app, CliContext* ctx);
void AddConvertCommand(CLI::App* app, CliContext* ctx);
void AddDemoCommand(CLI::App* app, CliContext* ctx);
void AddVerifyCommand(CLI::App* app, CliContext* ctx);
void AddSandboxCommand(CLI::App* app, CliContext* ctx);
void AddBaselineCommand(CLI::App* app, CliContext* ctx);
void AddPullCommand(CLI::App* app, CliContext* ctx);
void AddPauseCommand(CLI::App* app, CliContext* ctx);
void AddResumeCommand(CLI::App* app, CliContext* ctx);
void AddTuneCommand(CLI::App* app, CliContext* ctx);

}  // namespace pleat::cli

#endif  // PLEAT_CLI_CONTEXT_H_

// --on-success / --on-failure: a shell command run after start, complete,
// rollback or migrate, for chat-ops and CI. It gets the migration in PLEAT_*
// environment variables; its stdout goes to pleat's stderr, so pleat's stdout
// (the version schema, or --json) stays what scripts read.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <map>

#include "cli/context.h"

namespace pleat::cli {

void RunHooks(const CliContext& ctx, const std::string& command, const std::string& migration,
              const std::string& version_schema) {
  bool ok = ctx.result.ok();
  const std::string& hook = ok ? ctx.on_success : ctx.on_failure;
  if (hook.empty()) return;
  std::map<std::string, std::string> env = {
      {"PLEAT_COMMAND", command},          {"PLEAT_STATUS", ok ? "success" : "failure"},
      {"PLEAT_SCHEMA", ctx.options.schema}, {"PLEAT_MIGRATION", migration},
      {"PLEAT_VERSION_SCHEMA", version_schema}, {"PLEAT_ERROR", ctx.result.message()},
      {"PLEAT_HINT", ctx.result.hint()},    {"PLEAT_EXIT_CODE", std::to_string(ctx.result.ExitCode())}};
  std::cout.flush();
  pid_t pid = fork();
  if (pid == 0) {
    for (const auto& [k, v] : env) setenv(k.c_str(), v.c_str(), 1);
    dup2(STDERR_FILENO, STDOUT_FILENO);
    execl("/bin/sh", "sh", "-c", hook.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  int status = 0;
  if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
    std::cerr << "pleat: warning: the " << (ok ? "--on-success" : "--on-failure") << " hook `" << hook
              << "` failed (" << (pid < 0 ? "could not start it" : "exit status " + std::to_string(WEXITSTATUS(status)))
              << "); pleat's own result stands" << std::endl;
}

}  // namespace pleat::cli

// `pleat sandbox start|status|stop`: a private PostgreSQL that outlives the
// command, for trying pleat on your own files. start and stop print shell
// lines on stdout for `eval "$(pleat sandbox start)"`; messages go to stderr.
#include <unistd.h>

#include <iostream>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "cli/context.h"
#include "pg/sandbox.h"

namespace pleat::cli {
namespace {

void PrintNote(const std::string& note) {
  if (!note.empty()) std::cerr << "pleat: " << note << std::endl;
}

void Start(CliContext* ctx) {
  pg::Sandbox sandbox;
  bool reused = false;
  std::string note;
  ctx->result = pg::StartSandbox(&sandbox, &reused, &note);
  PrintNote(note);
  if (!ctx->result.ok()) return;
  std::cout << pg::SandboxExports(sandbox) << std::flush;
  std::cerr << "pleat: " << (reused ? "reusing the" : "started a") << " sandbox PostgreSQL in " << sandbox.dir
            << "; eval \"$(pleat sandbox stop)\" removes it" << std::endl;
  // On a terminal the lines above were not evaluated: say how.
  if (isatty(STDOUT_FILENO)) std::cerr << "pleat: to use it, run: eval \"$(pleat sandbox start)\"" << std::endl;
}

void Stop(CliContext* ctx) {
  pg::Sandbox sandbox;
  bool stopped = false;
  std::string note;
  ctx->result = pg::StopSandbox(&sandbox, &stopped, &note);
  PrintNote(note);
  if (!ctx->result.ok()) return;
  std::cout << pg::SandboxUnsets() << std::flush;
  if (stopped) std::cerr << "pleat: stopped the sandbox PostgreSQL and removed " << sandbox.dir << std::endl;
  else if (note.empty()) std::cerr << "pleat: no sandbox PostgreSQL was running" << std::endl;
}

// Exit 0 and the URL when one runs; exit 1 when none does.
void Show(CliContext* ctx) {
  pg::Sandbox sandbox;
  bool running = false;
  std::string note;
  ctx->result = pg::FindSandbox(&sandbox, &running, &note);
  PrintNote(note);
  if (!ctx->result.ok()) return;
  if (ctx->json) {
    nlohmann::json j = {{"running", running}};
    if (running) j.update({{"url", sandbox.url}, {"dir", sandbox.dir}, {"port", sandbox.port}});
    std::cout << j.dump() << std::endl;
    if (!running) ctx->result = Status::CheckFailed("no sandbox PostgreSQL is running");
    return;
  }
  if (running) {
    std::cout << "running in " << sandbox.dir << ": " << sandbox.url << std::endl;
    return;
  }
  std::cout << "not running" << std::endl;
  ctx->result = Status::CheckFailed("no sandbox PostgreSQL is running", "start one: eval \"$(pleat sandbox start)\"");
}

}  // namespace

void AddSandboxCommand(CLI::App* app, CliContext* ctx) {
  auto* cmd = app->add_subcommand("sandbox", "a private PostgreSQL to try pleat on: start, status, stop");
  cmd->require_subcommand(1);
  cmd->add_subcommand("start", "start one (or reuse the running one); prints `export DATABASE_URL=...` for eval")
      ->callback([ctx] { Start(ctx); });
  cmd->add_subcommand("status", "say whether one is running and its URL (exit 1 when none)")
      ->callback([ctx] { Show(ctx); });
  cmd->add_subcommand("stop", "stop it and remove its directory; prints `unset DATABASE_URL ...` for eval")
      ->callback([ctx] { Stop(ctx); });
}

}  // namespace pleat::cli

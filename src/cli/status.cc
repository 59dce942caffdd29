// `pleat status [--json]`: the active migration, its phase and backfill progress.
#include <iostream>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "cli/context.h"
#include "engine/lifecycle.h"

namespace pleat::cli {
namespace {

void PrintText(const nlohmann::json& st) {
  if (!st["initialized"].get<bool>()) {
    std::cout << "pleat is not initialized in this database (run `pleat init`)" << std::endl;
    return;
  }
  std::cout << "schema: " << st["schema"].get<std::string>() << "\n";
  std::cout << "completed migrations: " << st["completed"].size() << "\n";
  if (!st["latest_version_schema"].is_null())
    std::cout << "latest version schema: " << st["latest_version_schema"].get<std::string>() << "\n";
  const auto& a = st["active"];
  if (a.is_null()) {
    std::cout << "no migration in progress" << std::endl;
    return;
  }
  std::cout << "active migration: " << a["name"].get<std::string>() << " (" << a["phase"].get<std::string>() << ")\n"
            << "start steps done: " << a["start_steps_done"] << " of " << a["start_steps_total"] << "\n";
  for (const auto& b : a["backfill"])
    std::cout << "backfill " << b["table"].get<std::string>() << ": " << b["rows_done"] << " rows done of about "
              << b["rows_total"] << (b["done"].get<bool>() ? " (done)" : "") << "\n";
  std::cout.flush();
}

}  // namespace

void AddStatusCommand(CLI::App* app, CliContext* ctx) {
  auto* cmd = app->add_subcommand("status", "show the active migration, its phase and backfill progress");
  cmd->callback([ctx] {
    ctx->result = ResolveOptions(ctx);
    if (!ctx->result.ok()) return;
    engine::Lifecycle lifecycle(ctx->options);
    nlohmann::json st;
    ctx->result = lifecycle.GetStatus(&st);
    if (!ctx->result.ok()) return;
    if (ctx->json)
      std::cout << st.dump() << std::endl;
    else
      PrintText(st);
  });
}

}  // namespace pleat::cli

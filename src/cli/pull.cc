// `pleat pull DIR`: write the migration history to DIR as the files pleat ran.
#include <iostream>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "cli/context.h"
#include "history/history.h"

namespace pleat::cli {

void AddPullCommand(CLI::App* app, CliContext* ctx) {
  auto* cmd = app->add_subcommand("pull", "write every completed and the active migration to DIR as the files they were");
  static std::string dir;
  cmd->add_option("DIR", dir, "directory to write the migration files to")->required();
  cmd->callback([ctx] {
    ctx->result = ResolveOptions(ctx);
    if (!ctx->result.ok()) return;
    std::vector<std::string> written, unchanged;
    ctx->result = history::Pull(ctx->options, dir, &written, &unchanged);
    if (!ctx->result.ok()) return;
    if (ctx->json) {
      std::cout << nlohmann::json{{"written", written}, {"unchanged", unchanged}}.dump() << std::endl;
      return;
    }
    for (const auto& f : written) std::cout << f << std::endl;
    if (!unchanged.empty())
      ctx->options.log(std::to_string(unchanged.size()) + " file(s) already in " + dir + " with the same text");
  });
}

}  // namespace pleat::cli

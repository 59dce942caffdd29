// `pleat verify`: the pattern's test step for the active migration; exit 1 on any error finding.
#include <iostream>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "check/report.h"
#include "cli/context.h"
#include "engine/lifecycle.h"

namespace pleat::cli {

void AddVerifyCommand(CLI::App* app, CliContext* ctx) {
  auto* cmd = app->add_subcommand("verify", "check that old and new agree and that complete's constraints hold");
  cmd->callback([ctx] {
    ctx->result = ResolveOptions(ctx);
    if (!ctx->result.ok()) return;
    engine::Lifecycle lifecycle(ctx->options);
    std::vector<Finding> findings;
    ctx->result = lifecycle.Verify(&findings);
    if (!ctx->result.ok()) return;
    size_t errors = 0;
    nlohmann::json list = nlohmann::json::array();
    for (const auto& f : findings) {
      errors += f.severity == Severity::kError;
      list.push_back(check::FindingJson(f));
    }
    if (ctx->json) {
      std::cout << nlohmann::json{{"clean", errors == 0}, {"findings", list}}.dump() << std::endl;
    } else {
      for (const auto& f : findings) std::cout << check::FormatFinding(f) << "\n";
      std::cout << (errors == 0 ? "verify: clean" : "verify: " + check::Summary(findings)) << std::endl;
    }
    if (errors) ctx->result = Status::CheckFailed("verify found " + std::to_string(errors) + " problem(s)",
                                                  "fix them before `pleat complete`, or roll back");
  });
}

}  // namespace pleat::cli

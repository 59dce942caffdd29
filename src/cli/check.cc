// `pleat check FILE [--sample N] [--statement-timeout SECONDS] [--sql]`: validates
// the file, runs the data-aware preflight and the lint, and prints the findings
// and the planned steps of start, complete and rollback. Changes nothing.
// Exit 1 when a finding is an error.
#include <iostream>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "check/preflight.h"
#include "check/report.h"
#include "cli/context.h"
#include "engine/lifecycle.h"

namespace pleat::cli {
namespace {

void PrintPlan(const nlohmann::json& plans, bool sql) {
  for (const char* phase : {"start", "complete", "rollback"}) {
    std::cout << "\nplan of " << phase << ":\n";
    for (const auto& step : plans[phase]) {
      std::cout << "  " << step["id"].get<std::string>() << ": " << step["description"].get<std::string>() << "\n";
      if (!sql) continue;
      for (const auto& statement : step["sql"]) std::cout << "      " << statement.get<std::string>() << ";\n";
      if (step["kind"] != "sql") std::cout << "      -- " << step["kind"].get<std::string>() << " step, run by pleat\n";
    }
  }
}

void PrintText(const std::string& file, const std::vector<Finding>& findings, const nlohmann::json& plans,
               bool sql) {
  std::cout << "check of " << file << ": " << (findings.empty() ? "no findings" : check::Summary(findings)) << "\n";
  for (const auto& f : findings) std::cout << "\n" << check::FormatFinding(f) << "\n";
  PrintPlan(plans, sql);
  std::cout.flush();
}

}  // namespace

void AddCheckCommand(CLI::App* app, CliContext* ctx) {
  auto* cmd = app->add_subcommand("check", "validate a migration against the data, lint it and print its plan; changes nothing");
  static std::string file;
  static int timeout_s = 0;
  static bool sql = false;
  cmd->add_option("FILE", file, "migration file (.yaml, .yml or .json)")->required();
  cmd->add_option("--sample", ctx->options.preflight.sample_rows,
                  "check about N rows per table instead of every row (faster, incomplete)");
  cmd->add_option("--statement-timeout", timeout_s, "seconds each preflight query may run (default 60)");
  cmd->add_flag("--sql", sql, "print the SQL of every planned step, not only its description");
  cmd->callback([ctx] {
    ctx->result = ResolveOptions(ctx);
    if (!ctx->result.ok()) return;
    if (timeout_s > 0) ctx->options.preflight.statement_timeout_ms = timeout_s * 1000;
    engine::Lifecycle lifecycle(ctx->options);
    std::vector<Finding> findings;
    nlohmann::json plans;
    ctx->result = lifecycle.Check(file, &findings, &plans);
    if (!ctx->result.ok()) return;
    if (ctx->json) {
      nlohmann::json list = nlohmann::json::array();
      for (const auto& f : findings) list.push_back(check::FindingJson(f));
      std::cout << nlohmann::json{{"file", file}, {"findings", list}, {"plans", plans}}.dump() << std::endl;
    } else {
      PrintText(file, findings, plans, sql);
    }
    if (check::HasErrors(findings))
      ctx->result = Status::CheckFailed(file + ": the check found " + check::Summary(findings),
                                        "fix what each error says, then check again");
  });
}

}  // namespace pleat::cli

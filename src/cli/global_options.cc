#include <cctype>
#include <cstdlib>
#include <iostream>
#include <regex>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "cli/context.h"

namespace pleat::cli {
namespace {

Status ParseDuration(const std::string& text, int* ms) {
  std::smatch m;
  static const std::regex kDuration(R"(^\s*(\d+)\s*(ms|s|m)?\s*$)");
  if (!std::regex_match(text, m, kDuration))
    return Status::Usage("--lock-timeout \"" + text + "\" is not a duration", "write it as 500ms, 2s or 1m");
  long long n = std::stoll(m[1]);
  std::string unit = m[2];
  *ms = static_cast<int>(unit == "s" ? n * 1000 : unit == "m" ? n * 60000 : n);
  return Status::Ok();
}

std::string CommandNames(CLI::App* app) {
  std::string names;
  for (const CLI::App* sub : app->get_subcommands([](const CLI::App*) { return true; }))
    names += (names.empty() ? "" : ", ") + sub->get_name();
  return names;
}

// CLI11 writes "The following argument was not expected: x"; our messages are lower-case.
std::string LowerFirst(std::string text) {
  if (text.size() > 1 && std::isupper(static_cast<unsigned char>(text[0])) &&
      std::islower(static_cast<unsigned char>(text[1])))
    text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
  return text;
}

}  // namespace

Status UsageError(CLI::App* app, const std::string& what) {
  std::vector<CLI::App*> chosen = app->get_subcommands();
  if (chosen.empty()) {
    std::vector<std::string> words = app->remaining();
    if (!words.empty() && words[0].rfind("-", 0) == 0)
      return Status::Usage("unknown option \"" + words[0] + "\"", "see `pleat --help` for the options");
    std::string msg = words.empty() ? "a command is required" : "unknown command \"" + words[0] + "\"";
    return Status::Usage(msg, "use one of: " + CommandNames(app) + " (see `pleat --help`)");
  }
  std::string name = chosen.front()->get_name();
  return Status::Usage(name + ": " + LowerFirst(what), "see `pleat " + name + " --help` for its usage");
}

void AddGlobalOptions(CLI::App* app, CliContext* ctx) {
  app->add_option("--url,--postgres-url", ctx->url, "PostgreSQL URL (default: $DATABASE_URL, then libpq's PG* variables)");
  app->add_option("--schema", ctx->options.schema, "target schema")->capture_default_str();
  app->add_option("--state-schema", ctx->options.state_schema, "schema for pleat's own state")->capture_default_str();
  app->add_option("--lock-timeout", ctx->lock_timeout, "lock_timeout for each DDL statement (default 500ms)");
  app->add_flag("--json", ctx->json, "machine-readable output");
}

Status ResolveOptions(CliContext* ctx) {
  ctx->options.conninfo = ctx->url;
  if (ctx->options.conninfo.empty())
    if (const char* env = std::getenv("DATABASE_URL")) ctx->options.conninfo = env;
  if (!ctx->lock_timeout.empty()) {
    Status s = ParseDuration(ctx->lock_timeout, &ctx->options.lock_timeout_ms);
    if (!s.ok()) return s;
  }
  ctx->options.log = [](const std::string& line) { std::cerr << line << std::endl; };
  return Status::Ok();
}

void PrintError(const CliContext& ctx, const Status& status) {
  if (ctx.json) {
    nlohmann::json j = {{"error", status.message()}, {"hint", status.hint()}, {"sqlstate", status.sqlstate()},
                        {"exit_code", status.ExitCode()}};
    std::cout << j.dump() << std::endl;
    return;
  }
  std::cerr << "pleat: error: " << status.message();
  if (!status.sqlstate().empty()) std::cerr << " (SQLSTATE " << status.sqlstate() << ")";
  std::cerr << std::endl;
  if (!status.hint().empty()) std::cerr << "hint: " << status.hint() << std::endl;
}

}  // namespace pleat::cli

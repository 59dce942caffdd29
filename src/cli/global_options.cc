#include <cctype>
#include <cstdlib>
#include <iostream>
#include <regex>

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "cli/context.h"

namespace pleat::cli {
namespace {

// A day, in milliseconds: far past any sensible timeout, and well inside an int
// (PostgreSQL's own limit for lock_timeout is about 24.8 days).
constexpr long long kMaxDurationMs = 24LL * 60 * 60 * 1000;

Status ParseDuration(const std::string& flag, const std::string& text, int* ms) {
  std::smatch m;
  static const std::regex kDuration(R"(^\s*(\d+)\s*(ms|s|m)?\s*$)");
  if (!std::regex_match(text, m, kDuration))
    return Status::Usage(flag + " \"" + text + "\" is not a duration", "write it as 500ms, 2s or 1m");
  std::string digits = m[1], unit = m[2];
  long long scale = unit == "s" ? 1000 : unit == "m" ? 60000 : 1, n = 0;
  for (char c : digits) {  // stops at the bound, so no digit count can overflow
    n = n * 10 + (c - '0');
    if (n * scale > kMaxDurationMs)
      return Status::Usage(flag + " \"" + text + "\" is longer than a day", "write at most 86400s (1440m)");
  }
  *ms = static_cast<int>(n * scale);
  return Status::Ok();
}

// "MIN:MAX" rows, or "N" for fixed batches of N rows.
Status ParseBatchSize(const std::string& text, BackfillOptions* out) {
  std::smatch m;
  static const std::regex kRange(R"(^\s*(\d{1,9})\s*(?::\s*(\d{1,9})\s*)?$)");
  if (!std::regex_match(text, m, kRange) || std::stoi(m[1]) < 1 ||
      (m[2].matched && std::stoi(m[2]) < std::stoi(m[1])))
    return Status::Usage("--backfill-batch-size \"" + text + "\" is not a row count or range",
                         "write it as MIN:MAX rows (1 <= MIN <= MAX), e.g. 100:100000, or N for fixed batches");
  out->min_rows = std::stoi(m[1]);
  out->max_rows = m[2].matched ? std::stoi(m[2]) : out->min_rows;
  return Status::Ok();
}

// Progress bars stay below the log lines: a log line first erases the bars,
// and the next redraw paints them again under it. Both run on the thread that
// holds the backfill's progress lock, or on the only thread.
size_t bar_lines = 0;

void EraseBars() {
  if (bar_lines) std::cerr << "\x1b[" << bar_lines << "F\x1b[J";
  bar_lines = 0;
}

void DrawBars(const std::vector<std::string>& lines) {
  EraseBars();
  for (const auto& line : lines) std::cerr << line << "\n";
  std::cerr << std::flush;
  bar_lines = lines.size();
}

Status ResolveBackfillOptions(CliContext* ctx) {
  BackfillOptions& b = ctx->options.backfill;
  Status s;
  if (!ctx->backfill_target.empty()) s = ParseDuration("--backfill-target", ctx->backfill_target, &b.target_ms);
  if (s.ok() && b.target_ms < 1) s = Status::Usage("--backfill-target must be at least 1ms", "write it as 200ms or 1s");
  if (s.ok() && !ctx->backfill_batch_size.empty()) s = ParseBatchSize(ctx->backfill_batch_size, &b);
  if (s.ok() && !ctx->max_replica_lag.empty())
    s = ParseDuration("--max-replica-lag", ctx->max_replica_lag, &b.max_replica_lag_ms);
  if (s.ok() && b.jobs < 1) s = Status::Usage("--jobs must be at least 1", "write e.g. --jobs 2");
  if (s.ok() && isatty(STDERR_FILENO)) b.bars = DrawBars;
  return s;
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
  app->add_option("--role", ctx->options.role,
                  "SET ROLE to this role after connecting (it then owns what pleat creates)");
  app->add_option("--lock-timeout", ctx->lock_timeout, "lock_timeout for each DDL statement (default 500ms)");
  app->add_flag("--json", ctx->json, "machine-readable output");
  app->add_option("--backfill-target", ctx->backfill_target, "aim of each backfill batch's duration (default 200ms)");
  app->add_option("--backfill-batch-size", ctx->backfill_batch_size,
                  "backfill batch bounds in rows, MIN:MAX (default 100:100000), or N for fixed batches");
  app->add_option("--jobs", ctx->options.backfill.jobs, "backfill workers: tables at once, or key ranges of a large table")->capture_default_str();
  app->add_option("--max-replica-lag", ctx->max_replica_lag,
                  "pause the backfill while a streaming replica lags more (default 5s; 0 never)");
  app->add_option("--on-success", ctx->on_success,
                  "shell command run after start, complete, rollback or migrate succeeds (PLEAT_* variables)");
  app->add_option("--on-failure", ctx->on_failure,
                  "shell command run after start, complete, rollback or migrate fails (PLEAT_* variables)");
}

Status ResolveOptions(CliContext* ctx) {
  ctx->options.conninfo = ctx->url;
  if (ctx->options.conninfo.empty())
    if (const char* env = std::getenv("DATABASE_URL")) ctx->options.conninfo = env;
  if (!ctx->lock_timeout.empty()) {
    Status s = ParseDuration("--lock-timeout", ctx->lock_timeout, &ctx->options.lock_timeout_ms);
    if (!s.ok()) return s;
  }
  ctx->options.log = [](const std::string& line) {
    EraseBars();
    std::cerr << line << std::endl;
  };
  return ResolveBackfillOptions(ctx);
}

void PrintError(const CliContext& ctx, const Status& status) {
  if (ctx.json) {
    // An error the server did not raise has no SQLSTATE: null, not "".
    nlohmann::json sqlstate = status.sqlstate().empty() ? nlohmann::json() : nlohmann::json(status.sqlstate());
    nlohmann::json j = {{"error", status.message()}, {"hint", status.hint()}, {"sqlstate", sqlstate},
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

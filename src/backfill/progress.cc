#include "backfill/progress.h"

#include <algorithm>
#include <cmath>

namespace pleat::backfill {
namespace {

constexpr auto kBarInterval = std::chrono::milliseconds(250);
constexpr auto kLineInterval = std::chrono::milliseconds(5000);
constexpr int kBarWidth = 24;

int Percent(const TableProgress& p) {
  if (p.rows_total <= 0) return 0;
  return static_cast<int>(std::min<long long>(100, p.rows_done * 100 / p.rows_total));
}

std::string Duration(long long s) {
  if (s < 60) return std::to_string(s) + "s";
  if (s < 3600) return std::to_string(s / 60) + "m" + std::to_string(s % 60) + "s";
  return std::to_string(s / 3600) + "h" + std::to_string(s % 3600 / 60) + "m";
}

std::string Rate(const TableProgress& p) { return std::to_string(std::llround(p.rows_per_second)) + " rows/s"; }

std::string Eta(const TableProgress& p) {
  long long eta = EtaSeconds(p);
  return eta < 0 ? "ETA ?" : "ETA " + Duration(eta);
}

}  // namespace

long long EtaSeconds(const TableProgress& p) {
  if (p.rows_per_second <= 0 || p.rows_total <= 0) return -1;
  return std::llround(std::max(0LL, p.rows_total - p.rows_done) / p.rows_per_second);
}

std::string FormatBar(const TableProgress& p, size_t name_width) {
  int filled = Percent(p) * kBarWidth / 100;
  std::string name = "\"" + p.table + "\"";
  name.resize(std::max(name.size(), name_width), ' ');
  std::string line = name + "  [" + std::string(filled, '#') + std::string(kBarWidth - filled, '-') + "] " +
                     std::to_string(Percent(p)) + "%  " + std::to_string(p.rows_done) + "/" +
                     std::to_string(p.rows_total) + " rows  " + Rate(p) + "  " + Eta(p);
  return p.throttled.empty() ? line : line + "  paused: " + p.throttled;
}

std::string FormatLine(const TableProgress& p) {
  std::string line = "backfilled \"" + p.table + "\": " + std::to_string(p.rows_done) + " of about " +
                     std::to_string(p.rows_total) + " rows (" + std::to_string(Percent(p)) + "%), " + Rate(p) +
                     ", " + Eta(p);
  return p.throttled.empty() ? line : line + ", paused: " + p.throttled;
}

TableTally::TableTally(std::string table, long long rows_done, long long rows_total, int parts)
    : p_{std::move(table), rows_done, rows_total}, parts_running_(parts) {}

double TableTally::RateLocked(long long pending) const {
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - run_start_).count();
  return s > 0 ? (run_rows_ + pending) / s : 0;
}

void TableTally::PartStarted() {
  std::lock_guard<std::mutex> lock(mu_);
  if (run_start_ == std::chrono::steady_clock::time_point{}) run_start_ = std::chrono::steady_clock::now();
}

TableProgress TableTally::Add(long long rows) {
  std::lock_guard<std::mutex> lock(mu_);
  p_.rows_done += rows;
  run_rows_ += rows;
  p_.rows_per_second = RateLocked(0);
  p_.throttled.clear();
  return p_;
}

TableProgress TableTally::Throttled(const std::string& reason) {
  std::lock_guard<std::mutex> lock(mu_);
  p_.throttled = reason;
  return p_;
}

bool TableTally::PartEnded() {
  std::lock_guard<std::mutex> lock(mu_);
  return --parts_running_ == 0;
}

double TableTally::rows_per_second(long long pending) {
  std::lock_guard<std::mutex> lock(mu_);
  return RateLocked(pending);
}

void Progress::Log(const std::string& line) {
  std::lock_guard<std::mutex> lock(mu_);
  options_.log(line);
  if (options_.backfill.bars) ShowLocked(true);  // the log line moved the bars below it
}

void Progress::Update(const TableProgress& p) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = std::find_if(tables_.begin(), tables_.end(), [&](const TableProgress& t) { return t.table == p.table; });
  bool first = it == tables_.end();
  if (first)
    tables_.push_back(p);
  else
    *it = p;
  ShowLocked(first && options_.backfill.bars);  // a new bar appears at once; a new line can wait
}

void Progress::Finish(const std::string& table) {
  std::lock_guard<std::mutex> lock(mu_);
  std::erase_if(tables_, [&](const TableProgress& t) { return t.table == table; });
  if (options_.backfill.bars) ShowLocked(true);
}

void Progress::ShowLocked(bool now) {
  auto t = std::chrono::steady_clock::now();
  bool bars = static_cast<bool>(options_.backfill.bars);
  if (!now && t - last_shown_ < (bars ? kBarInterval : kLineInterval)) return;
  last_shown_ = t;
  if (!bars) {
    for (const auto& p : tables_) options_.log("  " + FormatLine(p));
    return;
  }
  size_t width = 0;
  for (const auto& p : tables_) width = std::max(width, p.table.size() + 2);
  std::vector<std::string> lines;
  for (const auto& p : tables_) lines.push_back(FormatBar(p, width));
  options_.backfill.bars(lines);
}

}  // namespace pleat::backfill

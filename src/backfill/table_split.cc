#include "backfill/table_split.h"

#include <algorithm>

#include <fmt/format.h>

namespace pleat::backfill {
namespace {

// Fewer rows than 10 full batches: a single worker finishes soon enough.
constexpr long long kSplitMinBatches = 10;
// Quantiles of 30,000 sampled rows land within ~1% of the exact ones
// (measured: 1M rows, 3 parts); a larger sample costs sorting, not accuracy.
constexpr double kSampleRows = 30000;

// The last key of each but the last of `parts` equal slices of a random
// sample, in key order. BERNOULLI, not SYSTEM: SYSTEM samples whole blocks, and
// its quantiles missed by 10% and more on the same table.
std::string QuantilesSql(const TableWalk& walk, int parts, long long rows_total) {
  std::vector<std::string> columns, as_text, descending;
  for (const auto& k : walk.key()) {
    columns.push_back("t." + k);
    as_text.push_back("s." + k + "::text");
    descending.push_back("s." + k + " DESC");
  }
  double percent = std::min(100.0, 100.0 * kSampleRows / static_cast<double>(std::max(1LL, rows_total)));
  std::string n = std::to_string(parts);
  return "SELECT DISTINCT ON (s._pleat_tile) " + Join(as_text, ", ") + " FROM (SELECT " + Join(columns, ", ") +
         ", ntile(" + n + ") OVER (ORDER BY " + Join(columns, ", ") + ") AS _pleat_tile FROM " + walk.qualified() +
         " t TABLESAMPLE BERNOULLI (" + fmt::format("{:.6f}", std::max(percent, 0.000001)) +
         ") REPEATABLE (0)) s WHERE s._pleat_tile < " + n + " ORDER BY s._pleat_tile, " + Join(descending, ", ");
}

Status SplitByKey(pg::Connection* conn, const TableWalk& walk, int parts, long long rows_total,
                  std::vector<nlohmann::json>* starts) {
  pg::Result res;
  Status s = conn->Exec(QuantilesSql(walk, parts, rows_total), &res);
  if (!s.ok()) return s;
  nlohmann::json previous;  // the last key of the part before; null for the first part
  for (int r = 0; r < res.rows(); ++r) {
    nlohmann::json upto = nlohmann::json::array();
    for (int c = 0; c < res.columns(); ++c) upto.push_back(res.Get(r, c));
    nlohmann::json start = {{"upto", upto}};
    if (!previous.is_null()) start["key"] = previous;
    starts->push_back(start);
    previous = upto;
  }
  starts->push_back(previous.is_null() ? nlohmann::json() : nlohmann::json{{"key", previous}});
  return Status::Ok();
}

}  // namespace

int PartsFor(long long rows_total, int jobs, int tables_left, int max_batch_rows) {
  bool split = jobs > tables_left && rows_total >= kSplitMinBatches * max_batch_rows;
  return split ? jobs : 1;
}

Status SplitTable(pg::Connection* conn, const TableWalk& walk, int parts, long long rows_total,
                  std::vector<nlohmann::json>* starts) {
  starts->clear();
  if (!walk.key().empty()) return SplitByKey(conn, walk, parts, rows_total, starts);
  for (int i = 0; i < parts; ++i) {
    long long from = walk.blocks() * i / parts, to = walk.blocks() * (i + 1) / parts;
    if (to > from) starts->push_back({{"block", from}, {"end", to}});
  }
  return Status::Ok();
}

}  // namespace pleat::backfill

#include "backfill/checkpoints.h"

#include "pg/transaction.h"

namespace pleat::backfill {
namespace {

constexpr const char* kWhere = " WHERE target_schema = $1 AND migration = $2 AND table_name = $3";

std::optional<std::string> JsonOrNull(const nlohmann::json& value) {
  return value.is_null() ? std::nullopt : std::optional<std::string>(value.dump());
}

}  // namespace

Status CheckpointStore::Load(pg::Connection* conn, const std::string& table, TableCheckpoints* out,
                             bool* found) const {
  pg::Result res;
  Status s = conn->ExecParams("SELECT last_key::text, rows_done, rows_total, done FROM " + state_.Name("backfill") +
                                  kWhere, Key(table), &res);
  *found = s.ok() && res.rows() > 0;
  if (!*found) return s;
  out->rows_done = std::stoll(res.Get(0, 1));
  out->rows_total = std::stoll(res.Get(0, 2));
  out->done = res.Get(0, 3) == "t";
  Part whole{0, res.IsNull(0, 0) ? nlohmann::json() : nlohmann::json::parse(res.Get(0, 0)), out->rows_done,
             out->done};
  out->parts = {whole};
  return LoadParts(conn, table, out);
}

Status CheckpointStore::LoadParts(pg::Connection* conn, const std::string& table, TableCheckpoints* out) const {
  pg::Result res;
  Status s = conn->ExecParams("SELECT part, last_key::text, rows_done, done FROM " + state_.Name("backfill_parts") +
                                  kWhere + " ORDER BY part", Key(table), &res);
  if (!s.ok() || res.rows() == 0) return s;
  out->parts.clear();
  for (int r = 0; r < res.rows(); ++r)
    out->parts.push_back({std::stoi(res.Get(r, 0)),
                          res.IsNull(r, 1) ? nlohmann::json() : nlohmann::json::parse(res.Get(r, 1)),
                          std::stoll(res.Get(r, 2)), res.Get(r, 3) == "t"});
  return Status::Ok();
}

Status CheckpointStore::Create(pg::Connection* conn, const std::string& table, long long rows_total,
                               const std::vector<nlohmann::json>& starts) const {
  std::vector<std::optional<std::string>> params = Key(table);
  params.push_back(std::to_string(rows_total));
  pg::Transaction tx;
  Status s = pg::Transaction::Begin(conn, &tx);
  if (s.ok())
    s = conn->ExecParams("INSERT INTO " + state_.Name("backfill") +
                             " (target_schema, migration, table_name, rows_total) VALUES ($1, $2, $3, $4)",
                         params);
  params.back() = nlohmann::json(starts).dump();
  if (s.ok() && starts.size() >= 2)
    s = conn->ExecParams("INSERT INTO " + state_.Name("backfill_parts") +
                             " (target_schema, migration, table_name, part, start_key, last_key)"
                             " SELECT $1, $2, $3, n, s, s FROM jsonb_array_elements($4::jsonb) WITH ORDINALITY e(s, n)",
                         params);
  return tx.Finish(s);
}

Status CheckpointStore::Save(pg::Connection* conn, const std::string& table, const Part& part,
                             const nlohmann::json& next, const BatchFigures& figures) const {
  std::vector<std::optional<std::string>> params = Key(table);
  params.push_back(std::to_string(figures.rows));
  Status s;
  if (part.number > 0) {
    std::vector<std::optional<std::string>> part_params = params;
    part_params.push_back(std::to_string(part.number));
    part_params.push_back(JsonOrNull(next));
    s = conn->ExecParams("UPDATE " + state_.Name("backfill_parts") + " SET last_key = $6::jsonb, rows_done ="
                             " rows_done + $4, done = $6::jsonb IS NULL, updated_at = clock_timestamp()" +
                             kWhere + " AND part = $5", part_params);
  }
  params.push_back(std::to_string(figures.batch_rows));
  params.push_back(std::to_string(figures.rows_per_second));
  if (part.number == 0) params.push_back(JsonOrNull(next));
  if (s.ok())
    s = conn->ExecParams("UPDATE " + state_.Name("backfill") + " SET " +
                             (part.number == 0 ? "last_key = $7::jsonb, done = $7::jsonb IS NULL, " : "") +
                             "rows_done = rows_done + $4, batches = batches + 1, batch_rows = $5, rows_per_second = $6,"
                             " throttled = NULL, throttled_since = NULL, updated_at = clock_timestamp()" + kWhere,
                         params);
  // A statement of its own: its snapshot is taken after the row lock above was
  // granted, so it sees every other part whose last batch committed before.
  if (s.ok() && part.number > 0 && next.is_null())
    s = conn->ExecParams("UPDATE " + state_.Name("backfill") + " SET done = NOT EXISTS (SELECT FROM " +
                             state_.Name("backfill_parts") + " p WHERE (p.target_schema, p.migration, p.table_name) ="
                             " ($1, $2, $3) AND NOT p.done)" + kWhere, Key(table));
  return s;
}

Status CheckpointStore::SetThrottled(pg::Connection* conn, const std::string& table, const std::string& reason) const {
  std::vector<std::optional<std::string>> params = Key(table);
  params.push_back(reason);
  return conn->ExecParams("UPDATE " + state_.Name("backfill") + " SET throttled = $4, throttled_since ="
                          " coalesce(throttled_since, clock_timestamp())" + kWhere, params);
}

}  // namespace pleat::backfill

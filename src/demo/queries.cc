#include "demo/queries.h"

#include "pg/quote.h"

namespace pleat::demo {
namespace {

std::string Table(const std::string& schema, const char* name) { return pg::QualifiedName(schema, name); }

// A contract lacks its `side` ("client" or "worker") when no row of
// contract_<side>s holds its key and its fee; the key is unique, so one at most.
std::string Lacks(const std::string& schema, const std::string& side) {
  return "NOT EXISTS (SELECT FROM " + Table(schema, ("contract_" + side + "s").c_str()) +
         " k WHERE k.contract_id = c.id AND k.commission_fee IS NOT DISTINCT FROM c.commission_fee_" + side + ")";
}

}  // namespace

Status SeedContracts(pg::Connection* conn, const std::string& schema, long long rows) {
  return conn->ExecParams(
      "INSERT INTO " + Table(schema, "contracts") +
          " (title, start_date, end_date, commission_fee_client, commission_fee_worker)"
          " SELECT 'seed-' || i, date '2024-01-01' + (i % 365)::int,"
          " CASE WHEN i % 4 = 0 THEN NULL ELSE date '2025-01-01' + (i % 365)::int END,"
          " 100 + i % 900, (50 + i % 450) / 2.0"
          " FROM generate_series(1, $1::bigint) AS i",
      {std::to_string(rows)});
}

Status CheckConsistency(pg::Connection* conn, const std::string& schema, Consistency* out) {
  std::string sql = "SELECT count(*), count(*) FILTER (WHERE title LIKE 'seed-%'),"
                    " count(*) FILTER (WHERE title LIKE 'v1-%'), count(*) FILTER (WHERE title LIKE 'v2-%'),"
                    " count(*) FILTER (WHERE " + Lacks(schema, "client") + " OR " + Lacks(schema, "worker") +
                    ") FROM " + Table(schema, "contracts") + " c";
  pg::Result res;
  Status s = conn->Exec(sql, &res);
  if (!s.ok()) return s.WithContext("consistency check");
  out->rows = std::stoll(res.Get(0, 0));
  out->seeded = std::stoll(res.Get(0, 1));
  out->by_old = std::stoll(res.Get(0, 2));
  out->by_new = std::stoll(res.Get(0, 3));
  out->mismatches = std::stoll(res.Get(0, 4));
  return Status::Ok();
}

Status NewestContractOf(pg::Connection* conn, const std::string& schema, const std::string& app, std::string* id) {
  return conn->QueryValue("SELECT max(id) FROM " + Table(schema, "contracts") + " WHERE title LIKE $1 || '-%'", id,
                          {app});
}

Status ReadContract(pg::Connection* conn, const std::string& version_schema, bool split, const std::string& id,
                    std::string* out) {
  std::string from = split ? "c.title, k.commission_fee, w.commission_fee FROM " +
                                 Table(version_schema, "contracts") + " c JOIN " +
                                 Table(version_schema, "contract_clients") + " k ON k.contract_id = c.id JOIN " +
                                 Table(version_schema, "contract_workers") + " w ON w.contract_id = c.id"
                           : "title, commission_fee_client, commission_fee_worker FROM " +
                                 Table(version_schema, "contracts") + " c";
  pg::Result res;
  Status s = conn->ExecParams("SELECT " + from + " WHERE c.id = $1", {id}, &res);
  if (!s.ok()) return s;
  if (res.rows() == 0)
    return Status::NotFound("contract " + id + " is missing from " + Table(version_schema, "contracts"), "");
  const char* labels[] = {"title", "client fee", "worker fee"};
  out->clear();
  for (int c = 0; c < 3; ++c)
    *out += (c ? ", " : "") + std::string(labels[c]) + " = " +
            (res.IsNull(0, c) ? "NULL" : pg::QuoteLiteral(res.Get(0, c)));
  return Status::Ok();
}

Status ExistingSchemas(pg::Connection* conn, const std::vector<std::string>& names, std::vector<std::string>* out) {
  out->clear();
  for (const auto& name : names) {
    std::string n;
    Status s = conn->QueryValue("SELECT count(*) FROM pg_namespace WHERE nspname = $1", &n, {name});
    if (!s.ok()) return s;
    if (n != "0") out->push_back(name);
  }
  return Status::Ok();
}

Status TableColumns(pg::Connection* conn, const std::string& schema, const std::string& table, std::string* out) {
  return conn->QueryValue(
      "SELECT string_agg(attname, ', ' ORDER BY attnum) FROM pg_attribute"
      " WHERE attrelid = to_regclass($1) AND attnum > 0 AND NOT attisdropped",
      out, {pg::QualifiedName(schema, table)});
}

Status CountRows(pg::Connection* conn, const std::string& schema, long long* out) {
  std::string n;
  Status s = conn->QueryValue("SELECT count(*) FROM " + Table(schema, "contracts"), &n);
  if (s.ok()) *out = std::stoll(n);
  return s;
}

}  // namespace pleat::demo

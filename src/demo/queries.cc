#include "demo/queries.h"

#include "demo/migrations.h"
#include "demo/names.h"
#include "pg/quote.h"

namespace pleat::demo {
namespace {

std::string Users(const std::string& schema) { return pg::QualifiedName(schema, "users"); }

}  // namespace

Status SeedUsers(pg::Connection* conn, const std::string& schema, long long rows) {
  // Person i of names.h, built in SQL from the same lists, in one statement.
  return conn->ExecParams(
      "INSERT INTO " + Users(schema) + " (name, email)"
      " SELECT f[1 + i % cardinality(f)] || ' ' || l[1 + i % cardinality(l)],"
      " 'seed-' || i || '@example.com'"
      " FROM generate_series(0, $3::bigint - 1) AS i, CAST($1 AS text[]) AS f, CAST($2 AS text[]) AS l",
      {TextArrayLiteral(FirstNames()), TextArrayLiteral(LastNames()), std::to_string(rows)});
}

Status CheckConsistency(pg::Connection* conn, const std::string& schema, Consistency* out) {
  std::string sql = std::string("SELECT count(*), count(*) FILTER (WHERE email LIKE 'seed-%'),") +
                    " count(*) FILTER (WHERE email LIKE 'v1-%'), count(*) FILTER (WHERE email LIKE 'v2-%')," +
                    " count(*) FILTER (WHERE first_name IS DISTINCT FROM " + kFirstNameUp +
                    " OR last_name IS DISTINCT FROM " + kLastNameUp + " OR name IS DISTINCT FROM " + kNameDown +
                    ") FROM " + Users(schema);
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

Status NewestRowOf(pg::Connection* conn, const std::string& schema, const std::string& app, std::string* id) {
  return conn->QueryValue("SELECT max(id) FROM " + Users(schema) + " WHERE email LIKE $1 || '-%'", id, {app});
}

Status ReadRow(pg::Connection* conn, const std::string& version_schema, const std::vector<std::string>& columns,
               const std::string& id, std::string* out) {
  std::string list;
  for (const auto& c : columns) list += (list.empty() ? "" : ", ") + pg::QuoteIdent(c);
  pg::Result res;
  Status s = conn->ExecParams("SELECT " + list + " FROM " + Users(version_schema) + " WHERE id = $1", {id}, &res);
  if (!s.ok()) return s;
  if (res.rows() == 0) return Status::NotFound("row " + id + " is missing from " + Users(version_schema), "");
  out->clear();
  for (int c = 0; c < res.columns(); ++c)
    *out += (c ? ", " : "") + columns[c] + " = " + (res.IsNull(0, c) ? "NULL" : pg::QuoteLiteral(res.Get(0, c)));
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
  Status s = conn->QueryValue("SELECT count(*) FROM " + Users(schema), &n);
  if (s.ok()) *out = std::stoll(n);
  return s;
}

}  // namespace pleat::demo

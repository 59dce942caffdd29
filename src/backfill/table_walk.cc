#include "backfill/table_walk.h"

#include <algorithm>

#include "pg/quote.h"

namespace pleat::backfill {
namespace {

// The primary key, else the unique, non-partial, expression-free index over
// NOT NULL columns with the fewest columns.
constexpr const char* kKeySql = R"(
SELECT array_to_json(array_agg(a.attname ORDER BY k.ord))::text
FROM (SELECT i.indexrelid, i.indkey FROM pg_index i
      WHERE i.indrelid = to_regclass($1) AND i.indisunique AND i.indisvalid AND i.indpred IS NULL
        AND i.indexprs IS NULL
        AND NOT EXISTS (SELECT 1 FROM unnest(i.indkey) c(n) JOIN pg_attribute a
                        ON a.attrelid = i.indrelid AND a.attnum = c.n WHERE NOT a.attnotnull)
      ORDER BY i.indisprimary DESC, i.indnatts, i.indexrelid LIMIT 1) i
CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY k(attnum, ord)
JOIN pg_attribute a ON a.attrelid = to_regclass($1) AND a.attnum = k.attnum)";

// A keyless partitioned table is walked by ctid through its parent: a range of
// blocks [from, to) is that range in every leaf partition, so walking up to the
// largest leaf's size meets each row of each leaf exactly once (its parent has no
// blocks of its own; walking those found nothing and lost every row). A plain
// table is its own single leaf.
// The leaves (pg_partition_tree lists nothing for a table outside any partition tree).
constexpr const char* kLeaves =
    " FROM (SELECT relid FROM pg_partition_tree($1::regclass) UNION SELECT $1::regclass) t JOIN pg_class c "
    "ON c.oid = t.relid WHERE c.relkind <> 'p'";
// The largest leaf's size in blocks, and the number of leaves.
const std::string kBlocksSql =
    std::string("SELECT coalesce(max(pg_relation_size(c.oid)), 0) / current_setting('block_size')::int, count(*)") +
    kLeaves;

constexpr int kBlocksPerBatchDivisor = 50;  // ~50 narrow rows per 8 kB block
// A table never vacuumed or analyzed (reltuples -1, or no pages then) up to
// 128 MB (8 kB blocks) is counted: well under a second. Otherwise the
// planner's estimate, which reads no row: the count was a full read of the
// table at every start (66 ms of a 1M-row start, bench/README.md, issue 18).
constexpr long long kCountBlocks = 16384;
const std::string kCountSql =
    std::string("SELECT coalesce(sum(pg_relation_size(c.oid)), 0) / current_setting('block_size')::int <= ") +
    std::to_string(kCountBlocks) + " AND bool_or(c.reltuples < 0 OR c.relpages = 0)" + kLeaves;

// Qualified: a bare key name in ORDER BY would mean the select list's text copy
// of the key (it has the same output name) and sort as text, '100897' < '2'.
std::string OrderByKey(const std::string& qualified, const std::vector<std::string>& key) {
  std::vector<std::string> columns;
  for (const auto& k : key) columns.push_back(qualified + "." + k);
  return " ORDER BY " + Join(columns, ", ");
}

std::string Tid(long long block) { return pg::QuoteLiteral("(" + std::to_string(block) + ",0)") + "::tid"; }

// Key values travel as text literals; PostgreSQL types them from the key columns.
std::string Literals(const nlohmann::json& values) {
  std::vector<std::string> literals;
  for (const auto& v : values) literals.push_back(pg::QuoteLiteral(v.get<std::string>()));
  return "(" + Join(literals, ", ") + ")";
}

}  // namespace

std::string Join(const std::vector<std::string>& items, const std::string& sep) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : sep) + i;
  return out;
}

Status TableWalk::Open(pg::Connection* conn, const std::string& schema, const std::string& table, TableWalk* out) {
  out->qualified_ = pg::QualifiedName(schema, table);
  std::string key_json;
  Status s = conn->QueryValue(kKeySql, &key_json, {out->qualified_});
  if (!s.ok()) return s;
  out->key_.clear();
  if (!key_json.empty())
    for (const auto& k : nlohmann::json::parse(key_json)) out->key_.push_back(pg::QuoteIdent(k.get<std::string>()));
  return out->key_.empty() ? out->ReadBlocks(conn) : Status::Ok();
}

Status TableWalk::OpenByCtid(pg::Connection* conn, const std::string& schema, const std::string& table,
                             TableWalk* out) {
  out->qualified_ = pg::QualifiedName(schema, table);
  out->key_.clear();
  return out->ReadBlocks(conn);
}

Status TableWalk::ReadBlocks(pg::Connection* conn) {
  pg::Result res;
  Status s = conn->ExecParams(kBlocksSql, {qualified_}, &res);
  if (!s.ok()) return s;
  blocks_ = std::stoll(res.Get(0, 0));
  leaves_ = std::max(1LL, std::stoll(res.Get(0, 1)));
  return s;
}

std::string TableWalk::KeyList() const { return "(" + Join(key_, ", ") + ")"; }

Status TableWalk::NextBatch(pg::Connection* conn, const nlohmann::json& checkpoint, int rows, std::string* where,
                            nlohmann::json* next, bool* last) const {
  if (!key_.empty()) return KeyBatch(conn, checkpoint, rows, where, next, last);
  long long from = checkpoint.is_object() ? checkpoint.value("block", 0LL) : 0;
  long long end = checkpoint.is_object() ? checkpoint.value("end", blocks_) : blocks_;  // fixed at the first batch
  long long to = std::min(end, from + std::max(1LL, rows / kBlocksPerBatchDivisor / leaves_));
  *last = to >= end;
  // The walk stops at the table's end as it was when the walk began: rows
  // stored beyond it since were written through the triggers, and so are the
  // new versions of rows this backfill updated that landed there.
  *where = "ctid >= " + Tid(from) + " AND ctid < " + Tid(to);
  *next = *last ? nlohmann::json(nullptr) : nlohmann::json{{"block", to}, {"end", end}};
  return Status::Ok();
}

// The batch ends at the key `rows` rows on (inclusive); the last batch of a
// walk without "upto" is open-ended, so it also takes rows inserted meanwhile.
Status TableWalk::KeyBatch(pg::Connection* conn, const nlohmann::json& checkpoint, int rows, std::string* where,
                           nlohmann::json* next, bool* last) const {
  std::vector<std::string> bounds;
  if (checkpoint.contains("key")) bounds.push_back(KeyList() + " > " + Literals(checkpoint["key"]));
  if (checkpoint.contains("upto")) bounds.push_back(KeyList() + " <= " + Literals(checkpoint["upto"]));
  std::vector<std::string> as_text;
  for (const auto& k : key_) as_text.push_back(k + "::text");
  pg::Result res;
  Status s = conn->Exec("SELECT " + Join(as_text, ", ") + " FROM " + qualified_ +
                            (bounds.empty() ? "" : " WHERE " + Join(bounds, " AND ")) + OrderByKey(qualified_, key_) +
                            " OFFSET " + std::to_string(rows - 1) + " LIMIT 1",
                        &res);
  if (!s.ok()) return s;
  *last = res.rows() == 0;
  nlohmann::json upper = nlohmann::json::array();
  for (int c = 0; !*last && c < res.columns(); ++c) upper.push_back(res.Get(0, c));
  if (!*last) bounds.push_back(KeyList() + " <= " + Literals(upper));
  *where = bounds.empty() ? "true" : Join(bounds, " AND ");
  *next = nullptr;
  if (!*last) *next = {{"key", upper}};
  if (!*last && checkpoint.contains("upto")) (*next)["upto"] = checkpoint["upto"];
  return Status::Ok();
}

Status TableWalk::EstimateRows(pg::Connection* conn, long long* rows) const {
  std::string count;
  Status s = conn->QueryValue(kCountSql, &count, {qualified_});
  if (!s.ok()) return s;
  std::string value;
  if (count == "t") {
    s = conn->QueryValue("SELECT count(*) FROM " + qualified_, &value);
  } else {
    s = conn->QueryValue("EXPLAIN (FORMAT JSON) SELECT 1 FROM " + qualified_, &value);
    if (s.ok()) value = std::to_string(nlohmann::json::parse(value).at(0).at("Plan").at("Plan Rows").get<double>());
  }
  if (s.ok()) *rows = static_cast<long long>(std::stod(value));
  return s;
}

std::string TableWalk::KeysSql(const std::string& where) const {
  std::vector<std::string> as_text;
  for (const auto& k : key_) as_text.push_back(k + "::text");
  if (key_.empty()) return "SELECT ctid::text FROM " + qualified_ + " WHERE " + where + OrderByKey(qualified_, {"ctid"});
  return "SELECT " + Join(as_text, ", ") + " FROM " + qualified_ + " WHERE " + where + OrderByKey(qualified_, key_);
}

std::string TableWalk::RowSql(const std::vector<std::string>& key) const {
  if (key_.empty()) return "ctid = " + pg::QuoteLiteral(key.at(0)) + "::tid";
  std::vector<std::string> conds;
  for (size_t i = 0; i < key_.size(); ++i) conds.push_back(key_[i] + " = " + pg::QuoteLiteral(key.at(i)));
  return Join(conds, " AND ");
}

std::string TableWalk::Describe(const std::vector<std::string>& key) const {
  return (key_.empty() ? std::string("(ctid)") : KeyList()) + "=(" + Join(key, ", ") + ")";
}

}  // namespace pleat::backfill

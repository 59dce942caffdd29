#include "schema/catalog.h"

#include <map>

#include <nlohmann/json.hpp>

namespace pleat::schema {
namespace {

// Columns of every ordinary or partitioned table, in attnum order.
constexpr const char* kColumnsSql = R"(
SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), NOT a.attnotnull,
       pg_get_expr(d.adbin, d.adrelid), a.attidentity <> '', a.attgenerated <> '',
       col_description(c.oid, a.attnum)
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
WHERE n.nspname = $1 AND c.relkind IN ('r', 'p')
ORDER BY c.relname, a.attnum)";

constexpr const char* kPrimaryKeysSql = R"(
SELECT c.relname, a.attname
FROM pg_index i
JOIN pg_class c ON c.oid = i.indrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY k(attnum, ord)
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
WHERE n.nspname = $1 AND i.indisprimary
ORDER BY c.relname, k.ord)";

constexpr const char* kRelationsSql = R"(
SELECT c.relname, c.relkind, COALESCE(t.relname, ''), pg_get_indexdef(c.oid), i.indisunique,
       EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = c.oid AND k.contype IN ('u', 'p', 'x')),
       (SELECT coalesce(json_agg(a.attname ORDER BY k.ord), '[]')::text
        FROM unnest(i.indkey) WITH ORDINALITY k(attnum, ord)
        JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum),
       coalesce((SELECT pc.relname FROM pg_inherits ih JOIN pg_class pc ON pc.oid = ih.inhparent
                 WHERE ih.inhrelid = c.oid AND c.relkind IN ('i', 'I')), '')
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_index i ON i.indexrelid = c.oid
LEFT JOIN pg_class t ON t.oid = i.indrelid
WHERE n.nspname = $1)";

// Per index: method, keys (column, opclass, collation, order), INCLUDE columns,
// predicate and storage parameters, so an index can be rebuilt on a shadow.
constexpr const char* kIndexDetailsSql = R"(
SELECT c.relname, am.amname, i.indexprs IS NOT NULL, coalesce(pg_get_expr(i.indpred, i.indrelid), ''),
       coalesce(array_to_string(c.reloptions, ', '), ''),
       (SELECT coalesce(json_agg(json_build_object(
                  'column', coalesce(a.attname, ''),
                  'opclass', CASE WHEN oc.opcdefault THEN '' ELSE quote_ident(ns.nspname) || '.' || quote_ident(oc.opcname) END,
                  'desc', (k.opt & 1) <> 0, 'nulls_first', (k.opt & 2) <> 0,
                  'expression', CASE WHEN k.attnum = 0 THEN pg_get_indexdef(i.indexrelid, k.ord::int, true) ELSE '' END,
                  'collation', CASE WHEN k.coll <> 0 AND k.coll <> a.attcollation
                                    THEN quote_ident(cn.nspname) || '.' || quote_ident(co.collname) ELSE '' END)
                ORDER BY k.ord), '[]')::text
        FROM unnest(i.indkey::int2[], i.indclass::oid[], i.indoption::int2[], i.indcollation::oid[])
             WITH ORDINALITY k(attnum, cls, opt, coll, ord)
        LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
        LEFT JOIN pg_opclass oc ON oc.oid = k.cls LEFT JOIN pg_namespace ns ON ns.oid = oc.opcnamespace
        LEFT JOIN pg_collation co ON co.oid = k.coll LEFT JOIN pg_namespace cn ON cn.oid = co.collnamespace
        WHERE k.ord <= i.indnkeyatts),
       (SELECT coalesce(json_agg(a.attname ORDER BY k.ord), '[]')::text
        FROM unnest(i.indkey::int2[]) WITH ORDINALITY k(attnum, ord)
        JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
        WHERE k.ord > i.indnkeyatts)
FROM pg_index i
JOIN pg_class c ON c.oid = i.indexrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_am am ON am.oid = c.relam
WHERE n.nspname = $1)";

constexpr const char* kConstraintsSql = R"(
SELECT t.relname, k.conname, k.contype, pg_get_constraintdef(k.oid), coalesce(ic.relname, ''),
       (SELECT coalesce(json_agg(a.attname ORDER BY c.ord), '[]')::text
        FROM unnest(k.conkey) WITH ORDINALITY c(attnum, ord)
        JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = c.attnum)
FROM pg_constraint k
JOIN pg_class t ON t.oid = k.conrelid
JOIN pg_namespace n ON n.oid = t.relnamespace
LEFT JOIN pg_class ic ON ic.oid = k.conindid
WHERE n.nspname = $1
ORDER BY t.relname, k.conname)";

// The partitions of every partitioned table that is not a partition itself, at every level.
constexpr const char* kPartitionsSql = R"(
SELECT t.relname, pn.nspname, pc.relname, qn.nspname, qc.relname,
       pt.isleaf, pt.level
FROM pg_class t
JOIN pg_namespace n ON n.oid = t.relnamespace
CROSS JOIN LATERAL pg_partition_tree(t.oid) pt
JOIN pg_class pc ON pc.oid = pt.relid JOIN pg_namespace pn ON pn.oid = pc.relnamespace
JOIN pg_class qc ON qc.oid = pt.parentrelid JOIN pg_namespace qn ON qn.oid = qc.relnamespace
WHERE n.nspname = $1 AND t.relkind = 'p' AND NOT t.relispartition AND pt.level > 0
ORDER BY t.relname, pt.level, pn.nspname, pc.relname)";

// Replica identity of every table (ALTER TABLE ... REPLICA IDENTITY), for set_replica_identity's rollback.
constexpr const char* kReplicaIdentitySql = R"(
SELECT c.relname, c.relreplident,
       coalesce((SELECT ic.relname FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
                 WHERE i.indrelid = c.oid AND i.indisreplident), '')
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = $1 AND c.relkind IN ('r', 'p'))";

std::vector<std::string> JsonNames(const std::string& text) {
  return nlohmann::json::parse(text.empty() ? "[]" : text).get<std::vector<std::string>>();
}

Status ReadIndexDetails(pg::Connection* conn, const std::string& schema_name, std::vector<Index>* indexes) {
  pg::Result res;
  Status s = conn->ExecParams(kIndexDetailsSql, {schema_name}, &res);
  for (int r = 0; s.ok() && r < res.rows(); ++r) {
    for (Index& index : *indexes) {
      if (index.name != res.Get(r, 0)) continue;
      index.method = res.Get(r, 1);
      index.has_expressions = res.Get(r, 2) == "t";
      index.predicate = res.Get(r, 3);
      index.storage = res.Get(r, 4);
      for (const auto& k : nlohmann::json::parse(res.Get(r, 5)))
        index.keys.push_back(IndexKey{k.at("column"), k.at("opclass"), k.at("collation"), k.at("desc"), k.at("nulls_first"),
                                      k.at("expression")});
      index.include = JsonNames(res.Get(r, 6));
    }
  }
  return s;
}

Status ReadConstraints(pg::Connection* conn, const std::string& schema_name, VirtualSchema* out) {
  pg::Result res;
  Status s = conn->ExecParams(kConstraintsSql, {schema_name}, &res);
  for (int r = 0; s.ok() && r < res.rows(); ++r)
    if (Table* t = out->FindTable(res.Get(r, 0)))
      t->constraints.push_back(
          Constraint{res.Get(r, 1), res.Get(r, 2)[0], JsonNames(res.Get(r, 5)), res.Get(r, 3), res.Get(r, 4)});
  return s;
}

Status ReadReplicaIdentities(pg::Connection* conn, const std::string& schema_name, VirtualSchema* out) {
  pg::Result res;
  Status s = conn->ExecParams(kReplicaIdentitySql, {schema_name}, &res);
  for (int r = 0; s.ok() && r < res.rows(); ++r)
    if (Table* t = out->FindTable(res.Get(r, 0))) {
      t->replica_identity = res.Get(r, 1)[0];
      t->replica_identity_index = res.Get(r, 2);
    }
  return s;
}

Status ReadPartitions(pg::Connection* conn, const std::string& schema_name, VirtualSchema* out) {
  pg::Result res;
  Status s = conn->ExecParams(kPartitionsSql, {schema_name}, &res);
  for (int r = 0; s.ok() && r < res.rows(); ++r)
    if (Table* t = out->FindTable(res.Get(r, 0)))
      t->partitions.push_back(
          Partition{res.Get(r, 1), res.Get(r, 2), res.Get(r, 3), res.Get(r, 4), res.Get(r, 5) == "t",
                    std::stoi(res.Get(r, 6))});
  return s;
}

Status ReadColumns(pg::Connection* conn, const std::string& schema_name, VirtualSchema* out) {
  pg::Result res;
  Status s = conn->ExecParams(kColumnsSql, {schema_name}, &res);
  if (!s.ok()) return s;
  for (int r = 0; r < res.rows(); ++r) {
    std::string table = res.Get(r, 0);
    if (!out->FindTable(table)) out->AddTable(Table{table, table});
    Column col;
    col.name = col.physical = res.Get(r, 1);
    col.type = res.Get(r, 2);
    col.nullable = res.Get(r, 3) == "t";
    if (!res.IsNull(r, 4)) col.default_sql = res.Get(r, 4);
    col.identity = res.Get(r, 5) == "t";
    col.generated = res.Get(r, 6) == "t";
    if (!res.IsNull(r, 7)) col.comment = res.Get(r, 7);
    out->FindTable(table)->columns.push_back(col);
  }
  return Status::Ok();
}

}  // namespace

Status ReadCatalog(pg::Connection* conn, const std::string& schema_name, VirtualSchema* out) {
  *out = VirtualSchema(schema_name);
  Status s = ReadColumns(conn, schema_name, out);
  if (!s.ok()) return s;
  pg::Result keys;
  s = conn->ExecParams(kPrimaryKeysSql, {schema_name}, &keys);
  if (!s.ok()) return s;
  for (int r = 0; r < keys.rows(); ++r)
    if (Table* t = out->FindTable(keys.Get(r, 0))) t->primary_key.push_back(keys.Get(r, 1));
  pg::Result rels;
  s = conn->ExecParams(kRelationsSql, {schema_name}, &rels);
  if (!s.ok()) return s;
  std::vector<Index> indexes;
  for (int r = 0; r < rels.rows(); ++r) {
    const std::string kind = rels.Get(r, 1);
    if (kind == "i" || kind == "I") {
      indexes.push_back(Index{rels.Get(r, 0), rels.Get(r, 2), JsonNames(rels.Get(r, 6)), rels.Get(r, 3),
                              rels.Get(r, 4) == "t", rels.Get(r, 5) == "t"});
      indexes.back().partitioned = kind == "I";
      indexes.back().parent = rels.Get(r, 7);
    } else {
      out->AddRelationName(rels.Get(r, 0));
      if (kind == "p" && out->FindTable(rels.Get(r, 0))) out->FindTable(rels.Get(r, 0))->partitioned = true;
    }
  }
  s = ReadIndexDetails(conn, schema_name, &indexes);
  if (!s.ok()) return s;
  for (auto& index : indexes) out->AddIndex(std::move(index));
  s = ReadConstraints(conn, schema_name, out);
  if (!s.ok()) return s;
  for (const auto& t : out->tables())
    for (const auto& k : t.constraints) out->AddConstraintName(t.physical, k.name);
  s = ReadReplicaIdentities(conn, schema_name, out);
  if (s.ok()) s = ReadPartitions(conn, schema_name, out);
  if (!s.ok()) return s;
  pg::Result volatile_fns;
  s = conn->Exec("SELECT DISTINCT proname FROM pg_proc WHERE provolatile = 'v'", &volatile_fns);
  for (int r = 0; s.ok() && r < volatile_fns.rows(); ++r) out->AddVolatileFunction(volatile_fns.Get(r, 0));
  return s;
}

}  // namespace pleat::schema

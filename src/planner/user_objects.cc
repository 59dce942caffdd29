#include "planner/user_objects.h"

#include "ops/type_change.h"
#include "pg/quote.h"

namespace pleat::planner {
namespace {

using schema::Table;

// Runs a one-value query with the table as $1 (and `extra` as $2); "" when it returns no row.
Status Ask(pg::Connection* conn, const std::string& sql, const std::string& table, std::string* out,
           const std::string& extra = "") {
  std::vector<std::optional<std::string>> params = {table};
  if (!extra.empty()) params.push_back(extra);
  pg::Result res;
  Status s = conn->ExecParams(sql, params, &res);
  *out = s.ok() && res.rows() > 0 && !res.IsNull(0, 0) ? res.Get(0, 0) : "";
  return s;
}

constexpr const char* kInheritanceChildren =
    "SELECT string_agg('\"' || c.relname || '\"', ', ' ORDER BY c.relname) FROM pg_inherits i "
    "JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent "
    "WHERE i.inhparent = to_regclass($1) AND p.relkind = 'r'";
constexpr const char* kInheritedColumn =
    "SELECT attname FROM pg_attribute WHERE attrelid = to_regclass($1) AND attname = $2 AND attinhcount > 0";
constexpr const char* kRelkind = "SELECT relkind::text FROM pg_class WHERE oid = to_regclass($1)";
constexpr const char* kPartitionKeyColumn =
    "SELECT a.attname FROM pg_partitioned_table pt CROSS JOIN unnest(pt.partattrs) k(n) JOIN pg_attribute a "
    "ON a.attrelid = pt.partrelid AND a.attnum = k.n WHERE pt.partrelid = to_regclass($1) AND a.attname = $2";
// Partitions (at any level) in another schema than their table's.
constexpr const char* kForeignSchemaPartitions =
    "SELECT string_agg(pt.relid::regclass::text, ', ') FROM pg_partition_tree($1::regclass) pt "
    "JOIN pg_class c ON c.oid = pt.relid WHERE c.relnamespace <> (SELECT relnamespace FROM pg_class "
    "WHERE oid = $1::regclass)";
// Foreign-table partitions (at any level): PostgreSQL builds no index on them
// and pleat's backfill and sync triggers cannot write through them.
constexpr const char* kForeignTablePartitions =
    "SELECT string_agg(pt.relid::regclass::text, ', ' ORDER BY pt.relid::regclass::text) "
    "FROM pg_partition_tree($1::regclass) pt JOIN pg_class c ON c.oid = pt.relid WHERE c.relkind = 'f'";
// Unique and exclusion constraints of a partitioned table over the column
// (plain indexes are rebuilt per partition, ops/partitioned_index.h).
constexpr const char* kPartitionedConstraintOn =
    "SELECT string_agg('\"' || k.conname || '\"', ', ') FROM pg_constraint k JOIN pg_attribute a "
    "ON a.attrelid = k.conrelid AND a.attnum = ANY (k.conkey) "
    "WHERE k.conrelid = to_regclass($1) AND a.attname = $2 AND k.contype IN ('u', 'x')";
// User BEFORE row triggers that would fire after pleat's sync trigger ('~' sorts after ASCII names).
constexpr const char* kLateTriggers =
    "SELECT string_agg('\"' || tgname || '\"', ', ') FROM pg_trigger WHERE tgrelid = to_regclass($1) "
    "AND NOT tgisinternal AND tgtype & 3 = 3 AND tgname COLLATE \"C\" >= '~' AND tgname NOT LIKE '~\\_pleat%'";

// Objects of the user that depend on the column, so that dropping it at complete
// would fail ("other objects depend on it"): views (but plain views when $4,
// the column is replaced: PlanUserViews rebuilds those) and materialized views (not
// pleat's version schemas, $3), policies, triggers (UPDATE OF, WHEN), foreign
// keys of other tables (but those to a primary key) and generated columns. Indexes and the table's own
// constraints are rebuilt on a shadow by the operations themselves.
constexpr const char* kDependents = R"(
SELECT string_agg(DISTINCT CASE WHEN r.oid IS NOT NULL THEN pg_describe_object('pg_class'::regclass, r.ev_class, 0)
                                 WHEN ad.oid IS NOT NULL THEN pg_describe_object('pg_class'::regclass, ad.adrelid, ad.adnum)
                                 ELSE pg_describe_object(d.classid, d.objid, d.objsubid) END, '; ')
FROM pg_depend d
JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
LEFT JOIN pg_rewrite r ON d.classid = 'pg_rewrite'::regclass AND r.oid = d.objid
LEFT JOIN pg_class v ON v.oid = r.ev_class LEFT JOIN pg_namespace vn ON vn.oid = v.relnamespace
LEFT JOIN pg_trigger t ON d.classid = 'pg_trigger'::regclass AND t.oid = d.objid
LEFT JOIN pg_constraint c ON d.classid = 'pg_constraint'::regclass AND c.oid = d.objid
LEFT JOIN pg_attrdef ad ON d.classid = 'pg_attrdef'::regclass AND ad.oid = d.objid
WHERE d.refclassid = 'pg_class'::regclass AND d.refobjid = to_regclass($1) AND a.attname = $2
  AND ((r.oid IS NOT NULL AND v.oid <> d.refobjid AND vn.nspname <> ALL ($3::text[]) AND NOT ($4 AND v.relkind = 'v'))
    OR d.classid = 'pg_policy'::regclass
    OR (t.oid IS NOT NULL AND t.tgname NOT LIKE '\_pleat%' AND t.tgname NOT LIKE '~\_pleat%' AND NOT t.tgisinternal)
    OR (c.oid IS NOT NULL AND c.conrelid <> d.refobjid  -- foreign keys to a primary key move with it (shadow_primary_key.h)
        AND NOT EXISTS (SELECT 1 FROM pg_index pk WHERE pk.indexrelid = c.conindid AND pk.indisprimary))
    OR (ad.oid IS NOT NULL AND ad.adnum <> a.attnum)))";

// Publications that publish UPDATEs of the table (or of one of its partitions)
// where that table has no replica identity: PostgreSQL refuses every UPDATE of
// it, the backfill's included (SQLSTATE 55000).
constexpr const char* kPublishedWithoutIdentity = R"(
WITH rels AS (SELECT relid FROM pg_partition_tree($1::regclass) UNION SELECT $1::regclass)
SELECT string_agg(DISTINCT '"' || p.pubname || '"', ', ') FROM rels
JOIN pg_class c ON c.oid = rels.relid AND c.relkind = 'r' JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_publication_tables pt ON pt.schemaname = n.nspname AND pt.tablename = c.relname
JOIN pg_publication p ON p.pubname = pt.pubname
WHERE p.pubupdate AND (c.relreplident = 'n' OR (c.relreplident = 'd' AND NOT EXISTS
      (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary))))";

bool Backfilled(const Table& t) {
  for (const auto& c : t.columns)
    if (c.added && c.up) return true;
  return false;
}

bool Synced(const Table& t) {
  for (const auto& c : t.columns)
    if (c.added && c.up) return true;
  for (const auto& h : t.hidden)
    if (h.down) return true;
  return false;
}

// Whether the migration builds an index on `t` (create_index).
bool BuildsIndex(const schema::VirtualSchema& after, const Table& t) {
  for (const auto& index : after.indexes())
    if (index.created && index.table == t.physical) return true;
  return false;
}

Status Refuse(const std::string& what, const std::string& fix) { return Status::Invalid(what, fix); }

// Writes into an inheritance child go to the child alone: the parent's sync
// trigger and its backfill never see them.
Status CheckInheritance(pg::Connection* conn, const Table& t, const std::string& qualified) {
  std::string found;
  Status s = Synced(t) ? Ask(conn, kInheritanceChildren, qualified, &found) : Status::Ok();
  if (s.ok() && !found.empty())
    return Refuse("table \"" + t.physical + "\" has inheritance children (" + found +
                      "): their rows would miss pleat's sync triggers and backfill",
                  "migrate each table with plain SQL in a maintenance window, or detach the children "
                  "(ALTER TABLE child NO INHERIT parent) for the migration");
  for (const auto& h : t.hidden) {
    if (s.ok()) s = Ask(conn, kInheritedColumn, qualified, &found, h.physical);
    if (s.ok() && !found.empty())
      return Refuse("column \"" + h.physical + "\" of table \"" + t.physical +
                        "\" is inherited from a parent table, so complete could not drop it",
                    "change the column on the parent table instead");
  }
  return s;
}

// Indexes are built per partition (ops/partitioned_index.h) and the backfill
// and sync triggers write each partition's rows: a foreign partition would
// fail at start with a raw server error.
Status CheckForeignPartitions(pg::Connection* conn, const schema::VirtualSchema& after, const Table& t,
                              const std::string& qualified) {
  std::string found;
  bool builds = BuildsIndex(after, t);
  Status s = builds || Synced(t) ? Ask(conn, kForeignTablePartitions, qualified, &found) : Status::Ok();
  if (s.ok() && !found.empty())
    return Refuse("partition " + found + " of table \"" + t.physical + "\" is a foreign table, which pleat cannot " +
                      (builds ? "build an index on" : "backfill or keep in sync"),
                  "detach the foreign partition (ALTER TABLE ... DETACH PARTITION) for the migration and attach it "
                  "again after complete, or make the change with plain SQL");
  return s;
}

Status CheckPartitioned(pg::Connection* conn, const schema::VirtualSchema& after, const Table& t,
                        const std::string& qualified) {
  std::string found;
  Status s = CheckForeignPartitions(conn, after, t, qualified);
  if (!s.ok()) return s;
  if (!t.shadows.empty()) s = Ask(conn, kForeignSchemaPartitions, qualified, &found);
  if (s.ok() && !found.empty())
    return Refuse("partition " + found + " of table \"" + t.physical + "\" is in another schema, where pleat does "
                      "not rebuild the indexes over the columns the migration replaces",
                  "move the partition into the table's schema (ALTER TABLE ... SET SCHEMA), or make the change "
                  "with plain SQL");
  if (!s.ok()) return s;
  for (const auto& h : t.hidden) {
    s = Ask(conn, kPartitionKeyColumn, qualified, &found, h.physical);
    if (s.ok() && !found.empty())
      return Refuse("column \"" + h.physical + "\" is in the partition key of table \"" + t.physical +
                        "\", and PostgreSQL cannot drop or replace a partition key column",
                    "leave the partition key column out of the migration");
    if (s.ok()) s = Ask(conn, kPartitionedConstraintOn, qualified, &found, h.physical);
    if (s.ok() && !found.empty())
      return Refuse("constraint " + found + " of partitioned table \"" + t.physical + "\" is over column \"" +
                        h.physical + "\", which the migration drops or replaces; pleat cannot rebuild unique and "
                        "exclusion constraints of partitioned tables",
                    "drop the constraint before the migration and add it again after complete, or make the change "
                    "with plain SQL");
    if (!s.ok()) return s;
  }
  return s;
}

// `version_schemas` is a text[] literal of pleat's version schemas (their views go first at complete).
Status CheckDependents(pg::Connection* conn, const Table& old, const Table& t, const std::string& qualified,
                       const std::string& version_schemas) {
  std::vector<std::pair<std::string, bool>> columns;  // column, whether its plain views are rebuilt
  for (const auto& h : t.hidden) {
    bool replaced = false;
    for (const auto& sh : t.shadows) replaced = replaced || sh.original == h.physical;
    columns.emplace_back(h.physical, replaced);
  }
  for (const auto& c : RetypedInPlace(old, t)) columns.emplace_back(c, true);
  for (const auto& [column, rebuilt] : columns) {
    pg::Result res;
    Status s = conn->ExecParams(kDependents, {qualified, column, version_schemas, rebuilt ? "true" : "false"}, &res);
    if (!s.ok()) return s;
    if (res.rows() > 0 && !res.IsNull(0, 0))
      return Refuse("column \"" + column + "\" of table \"" + t.physical +
                        "\", which the migration drops, replaces or retypes at complete, is used by: " + res.Get(0, 0),
                    "drop those objects before the migration and create them again after complete, or make the "
                    "change with plain SQL");
  }
  return Status::Ok();
}

Status CheckTable(pg::Connection* conn, const schema::VirtualSchema& after, const Table& old, const Table& t,
                  const std::string& version_schemas) {
  std::string qualified = pg::QualifiedName(after.schema_name(), t.physical), relkind, late;
  Status s = CheckInheritance(conn, t, qualified);
  if (s.ok()) s = CheckDependents(conn, old, t, qualified, version_schemas);
  if (s.ok()) s = Ask(conn, kRelkind, qualified, &relkind);
  if (s.ok() && relkind == "p") s = CheckPartitioned(conn, after, t, qualified);
  std::string publications;
  if (s.ok() && Backfilled(t)) s = Ask(conn, kPublishedWithoutIdentity, qualified, &publications);
  if (s.ok() && !publications.empty())
    return Refuse("table \"" + t.physical + "\" is in publication " + publications +
                      ", which publishes updates, but has no replica identity, so PostgreSQL would refuse the "
                      "backfill's updates",
                  "give the table a primary key or set one with ALTER TABLE ... REPLICA IDENTITY USING INDEX "
                  "(or FULL), then run the command again");
  if (s.ok() && Synced(t)) s = Ask(conn, kLateTriggers, qualified, &late);
  if (s.ok() && !late.empty())
    return Refuse("trigger " + late + " on table \"" + t.physical + "\" would run after pleat's sync trigger, "
                      "whose name starts with '~', and so change a column after the other version's copy was made",
                  "rename the trigger so that its name starts with an ASCII letter, digit or '_'");
  return s;
}

}  // namespace

std::vector<std::string> RetypedInPlace(const schema::Table& old, const schema::Table& t) {
  std::vector<std::string> out;
  for (const auto& c : t.columns)
    if (const schema::Column* was = old.FindByPhysical(c.physical); !c.added && was && !ops::SameType(was->type, c.type))
      out.push_back(c.physical);
  return out;
}

Status VersionSchemas(pg::Connection* conn, const std::string& state_schema, std::string* out) {
  std::string exists;
  std::string migrations = pg::QualifiedName(state_schema, "migrations");
  *out = "{}";
  Status s = conn->QueryValue("SELECT to_regclass($1) IS NOT NULL", &exists, {migrations});
  if (s.ok() && exists == "t")
    s = conn->QueryValue("SELECT coalesce(array_agg(version_schema), '{}')::text FROM " + migrations, out);
  return s;
}

Status RefuseUserObjects(pg::Connection* conn, const std::string& state_schema, const schema::VirtualSchema& before,
                         const schema::VirtualSchema& after) {
  std::string version_schemas;
  Status s = VersionSchemas(conn, state_schema, &version_schemas);
  for (const auto& t : after.tables()) {
    if (!s.ok()) return s;
    if (t.created || !before.FindByPhysical(t.physical)) continue;
    s = CheckTable(conn, after, *before.FindByPhysical(t.physical), t, version_schemas);
  }
  plan::Plan start, drop, create;  // only to refuse what PlanUserViews cannot rebuild, in check too
  std::vector<std::string> retype;
  return s.ok() ? PlanUserViews(conn, version_schemas, before, after, &start, &drop, &create, &retype) : s;
}

}  // namespace pleat::planner

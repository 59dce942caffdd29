// The tables half of ReadBaseline: create_table, create_constraint (foreign
// keys) and create_index operations, and raw SQL for the rest of a table. The
// constraints and indexes are converted in history/baseline_constraints.cc.
#include <fmt/format.h>

#include "history/baseline_constraints.h"
#include "history/baseline_reader.h"
#include "pg/quote.h"

namespace pleat::history {
namespace {

using nlohmann::ordered_json;

// $1 is the schema's oid. Each query returns one JSON object per row. A
// serial column is one whose owned sequence is what `serial` makes: named
// <table>_<column>_seq, of the column's type, with default settings, and the
// column's default is its nextval.
constexpr const char* kTablesSql = R"(
SELECT json_build_object('name', c.relname, 'kind', c.relkind, 'partition', c.relispartition,
  'inherits', EXISTS (SELECT FROM pg_inherits WHERE inhrelid = c.oid), 'comment', obj_description(c.oid, 'pg_class'),
  'qualified', format('%I.%I', n.nspname, c.relname), 'rls', c.relrowsecurity, 'force_rls', c.relforcerowsecurity,
  'columns', (SELECT coalesce(json_agg(json_build_object('name', a.attname, 'type', format_type(a.atttypid, a.atttypmod),
      'nullable', NOT a.attnotnull, 'default', pg_get_expr(d.adbin, d.adrelid), 'identity', a.attidentity,
      'generated', a.attgenerated, 'comment', col_description(c.oid, a.attnum),
      'collation', CASE WHEN a.attcollation <> t.typcollation THEN
        (SELECT format('%I.%I', cn.nspname, co.collname) FROM pg_collation co JOIN pg_namespace cn ON cn.oid = co.collnamespace
         WHERE co.oid = a.attcollation) END,
      'sequence', (SELECT json_build_object('name', format('%I.%I', sn.nspname, sc.relname),
          'serial', dep.deptype = 'a' AND a.atttypid IN (20, 21, 23) AND s.seqtypid = a.atttypid
            AND sc.relname = c.relname || '_' || a.attname || '_seq' AND s.seqstart = 1 AND s.seqincrement = 1
            AND s.seqmin = 1 AND s.seqcache = 1 AND NOT s.seqcycle
            AND s.seqmax = CASE a.atttypid WHEN 21 THEN 32767 WHEN 23 THEN 2147483647 ELSE 9223372036854775807 END
            AND pg_get_expr(d.adbin, d.adrelid) = 'nextval(' || quote_literal(sc.oid::regclass::text) || '::regclass)',
          'options', CASE WHEN s.seqstart <> 1 OR s.seqincrement <> 1 OR s.seqmin <> 1 OR s.seqcache <> 1 OR s.seqcycle
            OR s.seqmax <> CASE a.atttypid WHEN 21 THEN 32767 WHEN 23 THEN 2147483647 ELSE 9223372036854775807 END
            THEN format('START WITH %s INCREMENT BY %s MINVALUE %s MAXVALUE %s CACHE %s %s', s.seqstart, s.seqincrement,
                        s.seqmin, s.seqmax, s.seqcache, CASE WHEN s.seqcycle THEN 'CYCLE' ELSE 'NO CYCLE' END) END)
        FROM pg_depend dep JOIN pg_class sc ON sc.oid = dep.objid JOIN pg_namespace sn ON sn.oid = sc.relnamespace
        JOIN pg_sequence s ON s.seqrelid = sc.oid
        WHERE dep.classid = 'pg_class'::regclass AND dep.refclassid = 'pg_class'::regclass AND dep.refobjid = c.oid
          AND dep.refobjsubid = a.attnum AND dep.deptype IN ('a', 'i') AND sc.relkind = 'S' LIMIT 1))
      ORDER BY a.attnum), '[]')
    FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
    LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
    WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped))::text
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relnamespace = $1::oid AND c.relkind IN ('r', 'p')
  AND NOT EXISTS (SELECT FROM pg_depend e WHERE e.objid = c.oid AND e.deptype = 'e')
ORDER BY c.oid)";

ordered_json Column(const nlohmann::json& a, BaselineParts* out, const std::string& table,
                    std::vector<std::string>* serials) {
  ordered_json c = {{"name", a["name"]}, {"type", a["type"]}, {"nullable", a["nullable"]}};
  const nlohmann::json& seq = a["sequence"];
  std::string identity = a["identity"], generated = a["generated"];
  if (!identity.empty()) {
    ordered_json id = {{"user_specified_values", identity == "a" ? "ALWAYS" : "BY DEFAULT"}};
    if (seq.is_object() && seq["options"].is_string()) id["sequence_options"] = seq["options"];
    c["generated"] = {{"identity", id}};
  } else if (!generated.empty()) {
    c["generated"] = {{"expression", a["default"]}};
  } else if (seq.is_object() && seq["serial"] == true) {
    std::string type = a["type"];
    c["type"] = type == "smallint" ? "smallserial" : type == "integer" ? "serial" : "bigserial";
    serials->push_back(seq["name"].get<std::string>());
  } else if (a["default"].is_string()) {
    c["default"] = a["default"];
  }
  if (a["comment"].is_string()) c["comment"] = a["comment"];
  // `type` takes no COLLATE: the collation is set once the table exists.
  if (a["collation"].is_string())
    out->after.push_back({fmt::format("ALTER TABLE {} ALTER COLUMN {} TYPE {} COLLATE {}", table,
                                      pg::QuoteIdent(a["name"].get<std::string>()), std::string(a["type"]), std::string(a["collation"])),
                          ""});
  return c;
}

Status QueryJson(pg::Connection* conn, const char* sql, const std::string& schema_oid,
                 std::vector<nlohmann::json>* out) {
  pg::Result res;
  Status s = conn->ExecParams(sql, {schema_oid}, &res);
  for (int r = 0; s.ok() && r < res.rows(); ++r) out->push_back(nlohmann::json::parse(res.Get(r, 0)));
  return s;
}

}  // namespace

Status QueryBaselineJson(pg::Connection* conn, const char* sql, const std::string& schema_oid,
                         std::vector<nlohmann::json>* out) {
  return QueryJson(conn, sql, schema_oid, out);
}

Status ReadBaselineTables(pg::Connection* conn, const std::string& schema, BaselineParts* out,
                          std::vector<std::string>* serials) {
  std::string oid;
  Status s = conn->QueryValue("SELECT oid FROM pg_namespace WHERE nspname = $1", &oid, {schema});
  if (s.ok() && oid.empty())
    return Status::NotFound("schema \"" + schema + "\" does not exist", "check --schema and the database");
  std::vector<nlohmann::json> tables, constraints, indexes;
  if (s.ok()) s = QueryJson(conn, kTablesSql, oid, &tables);
  if (s.ok()) s = QueryJson(conn, kBaselineConstraintsSql, oid, &constraints);
  if (s.ok()) s = QueryJson(conn, kBaselineIndexesSql, oid, &indexes);
  if (!s.ok()) return s.WithContext("reading schema \"" + schema + "\"");
  std::map<std::string, ordered_json> bodies;
  for (const auto& t : tables) {
    std::string name = t["name"], qualified = t["qualified"];
    if (t["kind"] == "p" || t["partition"] == true || t["inherits"] == true)
      return Status::Invalid("table \"" + name + "\" is partitioned or inherits: baseline cannot express it yet",
                                 "baseline a schema without it, or write its migration by hand");
    ordered_json body = {{"name", name}, {"columns", ordered_json::array()}};
    for (const auto& a : t["columns"]) body["columns"].push_back(Column(a, out, qualified, serials));
    if (t["comment"].is_string()) body["comment"] = t["comment"];
    bodies[name] = body;
    if (t["rls"] == true) out->after.push_back({"ALTER TABLE " + qualified + " ENABLE ROW LEVEL SECURITY", ""});
    if (t["force_rls"] == true) out->after.push_back({"ALTER TABLE " + qualified + " FORCE ROW LEVEL SECURITY", ""});
  }
  std::vector<ordered_json> foreign_keys;
  for (const auto& k : constraints) BaselineConstraint(k, &bodies, out, &foreign_keys);
  const std::string source = "baseline of schema \"" + schema + "\"";
  for (const auto& t : tables) out->operations.push_back({"create_table", bodies[t["name"].get<std::string>()], {}, source});
  for (const auto& fk : foreign_keys) out->operations.push_back({"create_constraint", fk, {}, source});
  for (const auto& i : indexes) BaselineIndex(i, source, out);
  return Status::Ok();
}

}  // namespace pleat::history

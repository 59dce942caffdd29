// The objects half of ReadBaseline: raw SQL for what the tables may use
// (extensions, types, sequences, functions) and what may use them (views,
// triggers, policies, grants to other roles). Each statement comes with the one that undoes it.
#include <algorithm>

#include "history/baseline_reader.h"
#include "pg/quote.h"

namespace pleat::history {
namespace {

// $1 is the schema's oid. Each query returns {"up", "down"} objects in the
// order the objects were created; members of extensions are left to them.
constexpr const char* kExtensionsSql = R"(
SELECT json_build_object('up', format('CREATE EXTENSION IF NOT EXISTS %I WITH SCHEMA %I', x.extname, n.nspname),
                         'down', format('DROP EXTENSION IF EXISTS %I', x.extname))::text
FROM pg_extension x JOIN pg_namespace n ON n.oid = x.extnamespace WHERE x.extnamespace = $1::oid ORDER BY x.oid)";

// Enums, domains and composite types; `kind` names any other (refused).
constexpr const char* kTypesSql = R"(
SELECT json_build_object('name', t.typname, 'kind', t.typtype, 'down', format('DROP TYPE %I.%I', n.nspname, t.typname),
  'up', format('CREATE TYPE %I.%I', n.nspname, t.typname) || CASE t.typtype
    WHEN 'e' THEN ' AS ENUM (' || (SELECT coalesce(string_agg(quote_literal(enumlabel), ', ' ORDER BY enumsortorder), '')
                                   FROM pg_enum WHERE enumtypid = t.oid) || ')'
    WHEN 'c' THEN ' AS (' || (SELECT string_agg(format('%I %s', attname, format_type(atttypid, atttypmod)), ', '
                                               ORDER BY attnum)
                              FROM pg_attribute WHERE attrelid = t.typrelid AND attnum > 0 AND NOT attisdropped) || ')'
    END)::text
FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
WHERE t.typnamespace = $1::oid AND t.typtype IN ('e', 'c', 'r', 'b')
  AND (t.typtype <> 'c' OR (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c')
  AND (t.typtype <> 'b' OR NOT EXISTS (SELECT FROM pg_type el WHERE el.typarray = t.oid))
  AND NOT EXISTS (SELECT FROM pg_depend e WHERE e.objid = t.oid AND e.deptype = 'e')
UNION ALL
SELECT json_build_object('name', t.typname, 'kind', 'd', 'down', format('DROP DOMAIN %I.%I', n.nspname, t.typname),
  'up', format('CREATE DOMAIN %I.%I AS %s', n.nspname, t.typname, format_type(t.typbasetype, t.typtypmod))
    || coalesce(' DEFAULT ' || t.typdefault, '') || CASE WHEN t.typnotnull THEN ' NOT NULL' ELSE '' END
    || coalesce((SELECT string_agg(format(' CONSTRAINT %I %s', conname, pg_get_constraintdef(oid)), '' ORDER BY conname)
                 FROM pg_constraint WHERE contypid = t.oid AND contype = 'c'), ''))::text
FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
WHERE t.typnamespace = $1::oid AND t.typtype = 'd'
  AND NOT EXISTS (SELECT FROM pg_depend e WHERE e.objid = t.oid AND e.deptype = 'e'))";

// Sequences other than identity ones; `owned_by` is set when a column owns it.
constexpr const char* kSequencesSql = R"(
SELECT json_build_object('name', format('%I.%I', n.nspname, c.relname), 'down', format('DROP SEQUENCE %I.%I', n.nspname, c.relname),
  'up', format('CREATE SEQUENCE %I.%I AS %s START WITH %s INCREMENT BY %s MINVALUE %s MAXVALUE %s CACHE %s %s',
               n.nspname, c.relname, format_type(s.seqtypid, NULL), s.seqstart, s.seqincrement, s.seqmin, s.seqmax,
               s.seqcache, CASE WHEN s.seqcycle THEN 'CYCLE' ELSE 'NO CYCLE' END),
  'owned_by', (SELECT format('ALTER SEQUENCE %I.%I OWNED BY %I.%I.%I', n.nspname, c.relname, rn.nspname, r.relname, a.attname)
               FROM pg_depend d JOIN pg_class r ON r.oid = d.refobjid JOIN pg_namespace rn ON rn.oid = r.relnamespace
               JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum = d.refobjsubid
               WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.refclassid = 'pg_class'::regclass
                 AND d.deptype = 'a'))::text
FROM pg_class c JOIN pg_sequence s ON s.seqrelid = c.oid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relnamespace = $1::oid AND c.relkind = 'S'
  AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype IN ('i', 'e'))
ORDER BY c.oid)";

constexpr const char* kFunctionsSql = R"(
SELECT json_build_object('kind', p.prokind, 'name', p.oid::regprocedure::text, 'up', CASE WHEN p.prokind IN ('f', 'p') THEN pg_get_functiondef(p.oid) END,
  'down', format('DROP %s %s', CASE p.prokind WHEN 'p' THEN 'PROCEDURE' ELSE 'FUNCTION' END, p.oid::regprocedure))::text
FROM pg_proc p WHERE p.pronamespace = $1::oid
  AND NOT EXISTS (SELECT FROM pg_depend e WHERE e.objid = p.oid AND e.deptype = 'e')
ORDER BY p.oid)";

// Views and materialized views, with their comments; the indexes of a
// materialized view follow it.
constexpr const char* kViewsSql = R"(
SELECT json_build_object('down', format('DROP %s %I.%I', CASE c.relkind WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE 'VIEW' END,
                                        n.nspname, c.relname),
  'up', format('CREATE %s %I.%I%s AS ', CASE c.relkind WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE 'VIEW' END, n.nspname,
               c.relname, ' WITH (' || array_to_string(c.reloptions, ', ') || ')')
        || rtrim(btrim(pg_get_viewdef(c.oid), E' \n'), ';')
        || CASE WHEN obj_description(c.oid, 'pg_class') IS NOT NULL THEN
             format('; COMMENT ON %s %I.%I IS %L', CASE c.relkind WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE 'VIEW' END,
                    n.nspname, c.relname, obj_description(c.oid, 'pg_class')) ELSE '' END
        || coalesce((SELECT string_agg('; ' || pg_get_indexdef(i.indexrelid), '' ORDER BY i.indexrelid)
                     FROM pg_index i WHERE i.indrelid = c.oid), ''))::text
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relnamespace = $1::oid AND c.relkind IN ('v', 'm')
  AND NOT EXISTS (SELECT FROM pg_depend e WHERE e.objid = c.oid AND e.deptype = 'e')
ORDER BY c.oid)";

constexpr const char* kTriggersAndPoliciesSql = R"(
SELECT json_build_object('up', pg_get_triggerdef(t.oid) ||
    CASE t.tgenabled WHEN 'D' THEN format('; ALTER TABLE %I.%I DISABLE TRIGGER %I', n.nspname, c.relname, t.tgname)
    ELSE '' END,
  'down', format('DROP TRIGGER %I ON %I.%I', t.tgname, n.nspname, c.relname))::text
FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relnamespace = $1::oid AND NOT t.tgisinternal
UNION ALL
SELECT json_build_object('down', format('DROP POLICY %I ON %I.%I', p.policyname, p.schemaname, p.tablename),
  'up', format('CREATE POLICY %I ON %I.%I AS %s FOR %s TO %s', p.policyname, p.schemaname, p.tablename, p.permissive,
               p.cmd, (SELECT string_agg(CASE r WHEN 'public' THEN 'PUBLIC' ELSE quote_ident(r) END, ', ')
                       FROM unnest(p.roles) r))
        || coalesce(' USING (' || p.qual || ')', '') || coalesce(' WITH CHECK (' || p.with_check || ')', ''))::text
FROM pg_policies p WHERE p.schemaname = (SELECT nspname FROM pg_namespace WHERE oid = $1::oid))";

BaselineSql Sql(const nlohmann::json& row) {
  return {row["up"].get<std::string>(), row["down"].is_string() ? row["down"].get<std::string>() : ""};
}

// Privileges the owner granted to other roles on tables, views and sequences.
constexpr const char* kGrantsSql = R"(
SELECT json_build_object(
  'up', format('GRANT %s ON %s %I.%I TO %s%s', a.privilege_type, CASE c.relkind WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END,
               n.nspname, c.relname, CASE a.grantee WHEN 0 THEN 'PUBLIC' ELSE quote_ident(a.grantee::regrole::text) END,
               CASE WHEN a.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END),
  'down', format('REVOKE %s ON %s %I.%I FROM %s', a.privilege_type, CASE c.relkind WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END,
                 n.nspname, c.relname, CASE a.grantee WHEN 0 THEN 'PUBLIC' ELSE quote_ident(a.grantee::regrole::text) END))::text
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace, LATERAL aclexplode(c.relacl) a
WHERE c.relnamespace = $1::oid AND c.relkind IN ('r', 'p', 'v', 'm', 'S') AND a.grantee <> c.relowner
ORDER BY c.oid, a.grantee, a.privilege_type)";

Status Append(pg::Connection* conn, const char* sql, const std::string& oid, std::vector<BaselineSql>* to,
              std::vector<nlohmann::json>* rows = nullptr) {
  std::vector<nlohmann::json> local;
  std::vector<nlohmann::json>* out = rows ? rows : &local;
  Status s = QueryBaselineJson(conn, sql, oid, out);
  if (s.ok() && !rows)
    for (const auto& r : *out) to->push_back(Sql(r));
  return s;
}

}  // namespace

Status ReadBaselineObjects(pg::Connection* conn, const std::string& schema, const std::vector<std::string>& serials,
                           BaselineParts* out) {
  std::string oid;
  Status s = conn->QueryValue("SELECT oid FROM pg_namespace WHERE nspname = $1", &oid, {schema});
  std::vector<nlohmann::json> types, sequences, functions;
  if (s.ok()) s = Append(conn, kExtensionsSql, oid, &out->before);
  if (s.ok()) s = Append(conn, kTypesSql, oid, nullptr, &types);
  if (s.ok()) s = Append(conn, kSequencesSql, oid, nullptr, &sequences);
  if (s.ok()) s = Append(conn, kFunctionsSql, oid, nullptr, &functions);
  if (!s.ok()) return s.WithContext("reading schema \"" + schema + "\"");
  for (const auto& t : types) {
    if (t["kind"] == "r" || t["kind"] == "b")
      return Status::Invalid("type \"" + std::string(t["name"]) + "\" is a range or base type: baseline cannot express it yet",
                             "baseline a schema without it, or write its migration by hand");
    out->before.push_back(Sql(t));
  }
  for (const auto& q : sequences) {
    if (std::count(serials.begin(), serials.end(), q["name"].get<std::string>())) continue;  // a serial column makes it
    out->before.push_back(Sql(q));
    if (q["owned_by"].is_string()) out->after.push_back({q["owned_by"].get<std::string>(), ""});
  }
  // Bodies are checked when they run, not now: a function may read tables created later.
  if (!functions.empty()) out->before.push_back({"SET LOCAL check_function_bodies = off", ""});
  for (const auto& f : functions) {
    if (f["kind"] == "a" || f["kind"] == "w")
      return Status::Invalid("function \"" + std::string(f["name"]) + "\" is an aggregate: baseline cannot express it yet",
                             "baseline a schema without it, or write its migration by hand");
    std::string up = f["up"];
    while (!up.empty() && (up.back() == '\n' || up.back() == ' ')) up.pop_back();
    out->before.push_back({up, f["down"].get<std::string>()});
  }
  if (s.ok()) s = Append(conn, kViewsSql, oid, &out->after);
  if (s.ok()) s = Append(conn, kTriggersAndPoliciesSql, oid, &out->after);
  if (s.ok()) s = Append(conn, kGrantsSql, oid, &out->after);
  return s.ok() ? s : s.WithContext("reading schema \"" + schema + "\"");
}

Status ReadBaseline(pg::Connection* conn, const std::string& schema, BaselineParts* out) {
  std::vector<std::string> serials;
  Status s = ReadBaselineTables(conn, schema, out, &serials);
  return s.ok() ? ReadBaselineObjects(conn, schema, serials, out) : s;
}

}  // namespace pleat::history

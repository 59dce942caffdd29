// PlanUserViews (user_objects.h): the user's plain views over a column that a
// shadow replaces, rebuilt on the new column at complete.
#include "planner/user_objects.h"

#include "pg/quote.h"

namespace pleat::planner {
namespace {

// Per plain view (not of pleat's version schemas, $3) over columns $2 of table
// $1: its name, definition, the objects that depend on it (other views,
// functions; those pleat does not rebuild), whether it has triggers or rules of
// its own, whether the current role may own it, and the statements that make
// it again as it is: CREATE with its options, owner, grants (table and
// column), comments and column defaults.
constexpr const char* kViews = R"(
WITH views AS (
  SELECT DISTINCT r.ev_class AS oid
  FROM pg_depend d
  JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
  JOIN pg_rewrite r ON d.classid = 'pg_rewrite'::regclass AND r.oid = d.objid
  JOIN pg_class v ON v.oid = r.ev_class JOIN pg_namespace vn ON vn.oid = v.relnamespace
  WHERE d.refclassid = 'pg_class'::regclass AND d.refobjid = to_regclass($1) AND a.attname = ANY ($2::text[])
    AND v.relkind = 'v' AND vn.nspname <> ALL ($3::text[])),
named AS (
  SELECT c.*, quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS qname
  FROM views JOIN pg_class c ON c.oid = views.oid JOIN pg_namespace n ON n.oid = c.relnamespace)
SELECT c.qname, pg_get_viewdef(c.oid),
       coalesce((SELECT string_agg(DISTINCT coalesce(pg_describe_object('pg_class'::regclass, w.ev_class, 0),
                                                      pg_describe_object(d.classid, d.objid, d.objsubid)), '; ')
                 FROM pg_depend d
                 LEFT JOIN pg_rewrite w ON d.classid = 'pg_rewrite'::regclass AND w.oid = d.objid
                 WHERE d.refclassid = 'pg_class'::regclass AND d.refobjid = c.oid AND d.deptype = 'n'
                   AND w.ev_class IS DISTINCT FROM c.oid), ''),
       (EXISTS (SELECT 1 FROM pg_trigger t WHERE t.tgrelid = c.oid)
        OR EXISTS (SELECT 1 FROM pg_rewrite w WHERE w.ev_class = c.oid AND w.rulename <> '_RETURN'))::text,
       pg_has_role(c.relowner, 'MEMBER')::text,
       json_build_array(
         'CREATE OR REPLACE VIEW ' || c.qname || coalesce(' WITH (' || array_to_string(c.reloptions, ', ') || ')', '') ||
           ' AS ' || pg_get_viewdef(c.oid),
         'ALTER VIEW ' || c.qname || ' OWNER TO ' || quote_ident(pg_get_userbyid(c.relowner)))::jsonb
       || CASE WHEN c.relacl IS NULL THEN '[]'::jsonb ELSE jsonb_build_array(
            'REVOKE ALL ON ' || c.qname || ' FROM ' || quote_ident(pg_get_userbyid(c.relowner))) END
       || coalesce((SELECT jsonb_agg(format('GRANT %s%s ON %s TO %s%s', e.privilege_type,
                                            coalesce(' (' || quote_ident(a.attname) || ')', ''), c.qname,
                                            CASE WHEN e.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(e.grantee)) END,
                                            CASE WHEN e.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END))
                    FROM (SELECT NULL::name AS attname, c.relacl AS acl
                          UNION ALL SELECT attname, attacl FROM pg_attribute
                          WHERE attrelid = c.oid AND attnum > 0 AND attacl IS NOT NULL) a
                    CROSS JOIN LATERAL aclexplode(a.acl) e), '[]')
       || coalesce((SELECT jsonb_agg(format('COMMENT ON VIEW %s IS %L', c.qname, description)) FROM pg_description
                    WHERE objoid = c.oid AND classoid = 'pg_class'::regclass AND objsubid = 0), '[]')
       || coalesce((SELECT jsonb_agg(format('COMMENT ON COLUMN %s.%I IS %L', c.qname, a.attname, ds.description))
                    FROM pg_description ds JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = ds.objsubid
                    WHERE ds.objoid = c.oid AND ds.classoid = 'pg_class'::regclass AND ds.objsubid > 0), '[]')
       || coalesce((SELECT jsonb_agg(format('ALTER VIEW %s ALTER COLUMN %I SET DEFAULT %s', c.qname, a.attname,
                                            pg_get_expr(ad.adbin, ad.adrelid)))
                    FROM pg_attrdef ad JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = ad.adnum
                    WHERE ad.adrelid = c.oid), '[]')
FROM named c ORDER BY c.qname)";

// Fails when the view's definition is no longer the one planned at start.
std::string UnchangedSql(const std::string& view, const std::string& definition) {
  return pg::DoBlockSql("BEGIN IF to_regclass(" + pg::QuoteLiteral(view) + ") IS NOT NULL AND pg_get_viewdef(" +
                        pg::QuoteLiteral(view) + "::regclass) <> " + pg::QuoteLiteral(definition) +
                        " THEN RAISE EXCEPTION 'view % changed since the migration started', " +
                        pg::QuoteLiteral(view) + " USING HINT = 'put back its definition as it was at start, or "
                        "drop it, then run complete again; create it anew after complete'; END IF; END");
}

struct View {
  std::string name, definition;
  std::vector<std::string> create;
};

// The text[] literal of `columns`.
std::string ArrayLiteral(const std::vector<std::string>& columns) {
  std::string out;
  for (const auto& c : columns) out += (out.empty() ? "" : ",") + pg::QuoteIdent(c);
  return "{" + out + "}";
}

// The plain views over `columns` of `table`, or a refusal of one pleat cannot rebuild.
Status Load(pg::Connection* conn, const std::string& version_schemas, const std::string& schema,
            const std::string& table, const std::vector<std::string>& columns, std::vector<View>* out) {
  if (columns.empty()) return Status::Ok();
  pg::Result res;
  Status s = conn->ExecParams(kViews, {pg::QualifiedName(schema, table), ArrayLiteral(columns), version_schemas}, &res);
  for (int r = 0; s.ok() && r < res.rows(); ++r) {
    View v{res.Get(r, 0), res.Get(r, 1)};
    const std::string what = "view " + v.name + " over a column of table \"" + table + "\" that the migration replaces";
    if (!res.Get(r, 2).empty())
      return Status::Invalid(what + " is used by " + res.Get(r, 2) + ", which pleat would have to rebuild too",
                             "drop those objects before the migration and create them again after complete");
    if (res.Get(r, 3) == "true")
      return Status::Invalid(what + " has triggers or rules of its own, which pleat does not rebuild",
                             "drop the view before the migration and create it again after complete");
    if (res.Get(r, 4) != "true")
      return Status::Invalid(what + " belongs to a role pleat's role is not a member of, so pleat cannot "
                                    "drop and rebuild it at complete",
                             "run pleat as a role that is a member of the view's owner");
    for (const auto& sql : nlohmann::json::parse(res.Get(r, 5))) v.create.push_back(sql.get<std::string>());
    out->push_back(v);
  }
  return s;
}

bool Has(const std::vector<View>& views, const std::string& name) {
  for (const auto& v : views)
    if (v.name == name) return true;
  return false;
}

// At start, once the shadows exist: makes each view again, as a temporary view,
// with each shadow under its column's name, then undoes it all, so that a
// definition the new types do not fit (`code + 1` once code is text) fails
// start, naming the view, instead of complete after the view was dropped.
std::string ProbeSql(const std::vector<std::string>& renames, const std::vector<View>& views) {
  std::string body = "BEGIN\n";
  for (const auto& sql : renames) body += "  " + sql + ";\n";
  for (size_t i = 0; i < views.size(); ++i)
    body += "  BEGIN EXECUTE " + pg::QuoteLiteral("CREATE TEMP VIEW " + pg::QuoteIdent("_pleat_probe_" + std::to_string(i)) +
                                                  " AS " + views[i].definition) +
            ";\n  EXCEPTION WHEN OTHERS THEN RAISE EXCEPTION 'view % cannot be made again over the new column "
            "types: %', " + pg::QuoteLiteral(views[i].name) + ", SQLERRM USING HINT = 'change the view so that it "
            "fits the new types (or drop it and create it after complete), then run pleat rollback and start "
            "again'; END;\n";
  return pg::DoBlockSql(body + "  RAISE EXCEPTION USING ERRCODE = 'PLPRB';\nEXCEPTION WHEN SQLSTATE 'PLPRB' THEN NULL;\nEND");
}

}  // namespace

Status PlanUserViews(pg::Connection* conn, const std::string& version_schemas, const schema::VirtualSchema& before,
                     const schema::VirtualSchema& after, plan::Plan* start, plan::Plan* drop, plan::Plan* create,
                     std::vector<std::string>* retype_sql) {
  std::vector<View> shadowed, retyped;  // views over shadowed columns, over columns retyped in place
  std::vector<std::string> renames;     // for the probe: each shadow under its column's name
  for (const auto& t : after.tables()) {
    const schema::Table* old = before.FindByPhysical(t.physical);
    if (t.created || !old) continue;
    std::vector<std::string> shadows, in_place = RetypedInPlace(*old, t);
    for (const auto& sh : t.shadows) shadows.push_back(sh.original);
    size_t found = shadowed.size();
    Status s = Load(conn, version_schemas, after.schema_name(), t.physical, shadows, &shadowed);
    std::string table = "ALTER TABLE " + pg::QualifiedName(after.schema_name(), t.physical) + " RENAME COLUMN ";
    for (size_t i = 0; shadowed.size() > found && i < t.shadows.size(); ++i) {
      renames.push_back(table + pg::QuoteIdent(t.shadows[i].original) + " TO " +
                        pg::QuoteIdent("_pleat_probe_" + std::to_string(i)));
      renames.push_back(table + pg::QuoteIdent(t.shadows[i].physical) + " TO " + pg::QuoteIdent(t.shadows[i].original));
    }
    if (s.ok()) s = Load(conn, version_schemas, after.schema_name(), t.physical, in_place, &retyped);
    if (!s.ok()) return s;
  }
  // A view over a shadowed column goes before the old column is dropped; it
  // comes back once the shadows have their names, unless it also reads a
  // column retyped in place: then after that ALTER TYPE, which it would block.
  std::vector<std::string> drops, creates, retype_drops, retype_creates;
  for (const auto& v : shadowed) {
    drops.push_back(UnchangedSql(v.name, v.definition));
    drops.push_back("DROP VIEW IF EXISTS " + v.name);
    auto& to = Has(retyped, v.name) ? retype_creates : creates;
    to.insert(to.end(), v.create.begin(), v.create.end());
  }
  for (const auto& v : retyped) {
    if (Has(shadowed, v.name)) continue;
    retype_drops.push_back(UnchangedSql(v.name, v.definition));
    retype_drops.push_back("DROP VIEW IF EXISTS " + v.name);
    retype_creates.insert(retype_creates.end(), v.create.begin(), v.create.end());
  }
  if (!shadowed.empty())
    start->AddSql("user_views.probe", "check that the user's views over replaced columns fit the new types",
                  {ProbeSql(renames, shadowed)});
  if (!drops.empty())
    drop->AddSql("user_views.drop", "drop the user's views over replaced columns, to rebuild them", drops);
  if (!creates.empty())
    create->AddSql("user_views.create", "rebuild the user's views over replaced columns on the new columns", creates);
  retype_sql->insert(retype_sql->begin(), retype_drops.begin(), retype_drops.end());
  retype_sql->insert(retype_sql->end(), retype_creates.begin(), retype_creates.end());
  return Status::Ok();
}

}  // namespace pleat::planner

#include "check/rights.h"

#include <set>

#include <nlohmann/json.hpp>

namespace pleat::check {
namespace {

// Everything about a physical table that an operation can change, as text.
std::string Shape(const schema::VirtualSchema& vs, const std::string& physical) {
  const schema::Table* t = vs.FindByPhysical(physical);
  if (!t) return "";
  nlohmann::json j = {{"name", t->name}, {"replica", std::string(1, t->replica_identity) + t->replica_identity_index},
                      {"pk", t->primary_key}};
  for (const auto& c : t->columns)
    j["columns"].push_back({c.name, c.physical, c.type, c.nullable, c.default_sql.value_or("\x01"), c.added,
                            c.up.value_or("\x01"), c.comment.value_or("\x01"), c.identity, c.generated});
  for (const auto& h : t->hidden) j["hidden"].push_back({h.physical, h.down.value_or("\x01")});
  for (const auto& k : t->constraints) j["constraints"].push_back({k.name, k.definition});
  for (const auto& sh : t->shadows) j["shadows"].push_back({sh.original, sh.physical});
  for (const auto& i : vs.indexes())
    if (i.table == physical) j["indexes"].push_back({i.name, i.definition});
  return j.dump();
}

}  // namespace

// Only the tables the operation touched (after.ChangedTables()) are compared,
// so the cost follows the operation, not the schema.
void NoteChangedTables(const schema::VirtualSchema& catalog, const schema::VirtualSchema& before,
                       const schema::VirtualSchema& after, std::set<std::string>* changed) {
  for (const auto& physical : after.ChangedTables())
    if (!changed->count(physical) && catalog.FindByPhysical(physical) &&
        Shape(before, physical) != Shape(after, physical))
      changed->insert(physical);
}

namespace {

Finding RightsFinding(const std::string& rule, const std::string& object, const std::string& message,
                      const std::string& fix) {
  Finding f;
  f.severity = Severity::kError;
  f.rule = rule;
  f.object = object;
  f.message = message;
  f.fix = fix;
  return f;
}

Status CheckTables(pg::Connection* conn, const Options& options, const std::set<std::string>& tables,
                   std::vector<Finding>* out) {
  if (tables.empty()) return Status::Ok();
  nlohmann::json names = std::vector<std::string>(tables.begin(), tables.end());
  pg::Result res;
  Status s = conn->ExecParams(
      "SELECT c.relname, pg_catalog.pg_get_userbyid(c.relowner), pg_catalog.pg_has_role(c.relowner, 'USAGE'), "
      "c.relforcerowsecurity AND c.relrowsecurity AND NOT (SELECT r.rolsuper OR r.rolbypassrls FROM pg_catalog.pg_roles r "
      "WHERE r.rolname OPERATOR(pg_catalog.=) current_user), current_user "
      "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
      "WHERE n.nspname = $1 AND c.relname IN (SELECT pg_catalog.json_array_elements_text($2::pg_catalog.json)) "
      "ORDER BY c.relname",
      {options.schema, names.dump()}, &res);
  for (int r = 0; s.ok() && r < res.rows(); ++r) {
    std::string table = res.Get(r, 0), owner = res.Get(r, 1), me = res.Get(r, 4);
    std::string object = "table \"" + table + "\"";
    if (res.Get(r, 2) != "t")
      out->push_back(RightsFinding(
          "rights-not-owner", object,
          "is owned by role \"" + owner + "\"; pleat runs as \"" + me + "\", which neither is nor inherits that role, "
          "so it cannot alter the table",
          "run pleat as \"" + owner + "\", or as a member of it with `--role " + owner + "`"));
    if (res.Get(r, 3) == "t")
      out->push_back(RightsFinding(
          "rights-forced-row-security", object,
          "has FORCE ROW LEVEL SECURITY: its policies would hide rows from pleat's role \"" + me +
              "\", so the backfill, check and verify would skip them (and their new values would be lost)",
          "run pleat as a role with BYPASSRLS (a superuser runs ALTER ROLE \"" + me + "\" BYPASSRLS), or run "
          "ALTER TABLE \"" + table + "\" NO FORCE ROW LEVEL SECURITY until the migration is complete"));
  }
  return s;
}

Status CheckCreate(pg::Connection* conn, const Options& options, std::vector<Finding>* out) {
  pg::Result res;
  Status s = conn->ExecParams(
      "SELECT pg_catalog.has_schema_privilege($1, 'CREATE'), "
      "pg_catalog.has_database_privilege(pg_catalog.current_database(), 'CREATE'), current_user, "
      "pg_catalog.current_database()",
      {options.schema}, &res);
  if (!s.ok()) return s;
  std::string me = res.Get(0, 2), db = res.Get(0, 3);
  if (res.Get(0, 0) != "t")
    out->push_back(RightsFinding("rights-create-schema", "schema \"" + options.schema + "\"",
                                 "role \"" + me + "\" may not create objects in it (new tables, trigger functions)",
                                 "GRANT CREATE ON SCHEMA \"" + options.schema + "\" TO \"" + me + "\""));
  if (res.Get(0, 1) != "t")
    out->push_back(RightsFinding("rights-create-database", "database \"" + db + "\"",
                                 "role \"" + me + "\" may not create schemas in it (each migration's version schema)",
                                 "GRANT CREATE ON DATABASE \"" + db + "\" TO \"" + me + "\""));
  return Status::Ok();
}

// A column moved into an existing table is read under that table's policies:
// from a table with row-level security into one without, every role that may
// read the target would read the values the source's policies hide.
Status CheckMoves(pg::Connection* conn, const Options& options, const schema::VirtualSchema& after,
                  std::vector<Finding>* out) {
  for (const auto& m : after.moves()) {
    if (m.create_rows) continue;  // a split's new tables follow the source's policies (ops/grants.h)
    pg::Result res;
    Status s = conn->ExecParams(
        "SELECT bool_or(c.relrowsecurity) FILTER (WHERE c.relname = $2), bool_or(c.relrowsecurity) FILTER (WHERE "
        "c.relname = $3) FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = $1",
        {options.schema, m.source, m.target}, &res);
    if (!s.ok()) return s;
    if (res.Get(0, 0) == "t" && res.Get(0, 1) != "t")
      out->push_back(RightsFinding(
          "rights-row-security-move", "table \"" + m.source + "\"",
          "has row-level security and \"" + m.target + "\" has none: the moved columns would be readable there by "
          "every role that may read \"" + m.target + "\", whatever the policies of \"" + m.source + "\" hide",
          "enable row-level security on \"" + m.target + "\" with policies that fit, then run the migration"));
  }
  return Status::Ok();
}

}  // namespace

Status CheckRights(pg::Connection* conn, const Options& options, const schema::VirtualSchema& catalog,
                   std::set<std::string> changed, const schema::VirtualSchema& after, std::vector<Finding>* out) {
  Status s = CheckCreate(conn, options, out);
  if (!s.ok()) return s;
  for (const auto& m : after.moves())
    for (const std::string& table : {m.source, m.target})
      if (catalog.FindByPhysical(table)) changed.insert(table);
  s = CheckTables(conn, options, changed, out);
  return s.ok() ? CheckMoves(conn, options, after, out) : s;
}

bool IsRightsFinding(const Finding& f) { return f.rule.rfind("rights-", 0) == 0; }

}  // namespace pleat::check

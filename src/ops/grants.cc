#include "ops/grants.h"

#include "pg/quote.h"

namespace pleat::ops {
namespace {

// A DO block that runs `grant` (a format() string taking the privilege, then
// the grantee) for each distinct (privilege, grantee, grant option) of `acl_query`
// (rows of aclexplode(): privilege_type, grantee, is_grantable).
std::string GrantEachSql(const std::string& acl_query, const std::string& grant) {
  std::string body =
      "DECLARE g record;\nBEGIN\n"
      "  FOR g IN SELECT DISTINCT a.privilege_type, a.is_grantable, CASE WHEN a.grantee OPERATOR(pg_catalog.=) 0 "
      "THEN 'PUBLIC' ELSE pg_catalog.quote_ident(r.rolname) END AS grantee\n"
      "    FROM (" + acl_query + ") a LEFT JOIN pg_catalog.pg_roles r ON r.oid OPERATOR(pg_catalog.=) a.grantee\n"
      "  LOOP\n"
      "    EXECUTE pg_catalog.format(" + pg::QuoteLiteral(grant) + ", g.privilege_type, g.grantee) "
      "OPERATOR(pg_catalog.||) CASE WHEN g.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END;\n"
      "  END LOOP;\nEND";
  return pg::DoBlockSql(body);
}

std::string Regclass(const std::string& table) { return pg::QuoteLiteral(table) + "::pg_catalog.regclass"; }

// `text` inside a format() string: a % in a quoted name is not a placeholder.
std::string FormatText(const std::string& text) {
  std::string out;
  for (char ch : text) out += ch == '%' ? std::string("%%") : std::string(1, ch);
  return out;
}

}  // namespace

std::string CopyTableGrantsSql(const std::string& source, const std::string& target) {
  std::string owner = "(SELECT relowner FROM pg_catalog.pg_class WHERE oid OPERATOR(pg_catalog.=) " +
                      Regclass(source) + ")";
  std::string acl = "SELECT x.* FROM pg_catalog.pg_class c, pg_catalog.aclexplode(c.relacl) x WHERE c.oid "
                    "OPERATOR(pg_catalog.=) " + Regclass(source) + " AND x.grantee OPERATOR(pg_catalog.<>) c.relowner";
  std::string same_owner = pg::DoBlockSql(
      "BEGIN\n  IF " + owner + " OPERATOR(pg_catalog.<>) (SELECT relowner FROM pg_catalog.pg_class WHERE oid "
      "OPERATOR(pg_catalog.=) " + Regclass(target) + ") THEN\n    EXECUTE pg_catalog.format('ALTER TABLE %s OWNER TO %I', " +
      pg::QuoteLiteral(target) + ", (SELECT rolname FROM pg_catalog.pg_roles WHERE oid OPERATOR(pg_catalog.=) " + owner +
      "));\n  END IF;\nEND");
  return same_owner + ";\n" + GrantEachSql(acl, "GRANT %s ON TABLE " + FormatText(target) + " TO %s");
}

std::string CopyColumnGrantsSql(const std::string& source, const std::vector<std::string>& source_columns,
                                const std::string& target, const std::string& target_column) {
  std::string names;
  for (const auto& c : source_columns) names += std::string(names.empty() ? "" : ", ") + pg::QuoteLiteral(c);
  std::string acl = "SELECT x.* FROM pg_catalog.pg_attribute a, pg_catalog.aclexplode(a.attacl) x WHERE a.attrelid "
                    "OPERATOR(pg_catalog.=) " + Regclass(source) + " AND a.attname OPERATOR(pg_catalog.=) ANY (ARRAY[" +
                    names + "]::pg_catalog.name[])";
  return GrantEachSql(acl, "GRANT %s (" + FormatText(pg::QuoteIdent(target_column)) + ") ON TABLE " +
                               FormatText(target) + " TO %s");
}

std::string FollowRowSecuritySql(const std::string& source, const std::string& source_key, const std::string& target,
                                 const std::string& target_key, const std::string& policy) {
  std::string rls = "(SELECT relrowsecurity FROM pg_catalog.pg_class WHERE oid OPERATOR(pg_catalog.=) " +
                    Regclass(source) + ")";
  std::string force = "(SELECT relforcerowsecurity FROM pg_catalog.pg_class WHERE oid OPERATOR(pg_catalog.=) " +
                      Regclass(source) + ")";
  std::string create = "CREATE POLICY " + pg::QuoteIdent(policy) + " ON " + target + " USING (EXISTS (SELECT 1 FROM " +
                       source + " s WHERE s." + pg::QuoteIdent(source_key) + " OPERATOR(pg_catalog.=) " + target + "." +
                       pg::QuoteIdent(target_key) + "))";
  std::string body = "BEGIN\n  IF " + rls + " THEN\n    EXECUTE " +
                     pg::QuoteLiteral("ALTER TABLE " + target + " ENABLE ROW LEVEL SECURITY") + ";\n    EXECUTE " +
                     pg::QuoteLiteral(create) + ";\n  END IF;\n  IF " + force + " THEN\n    EXECUTE " +
                     pg::QuoteLiteral("ALTER TABLE " + target + " FORCE ROW LEVEL SECURITY") + ";\n  END IF;\nEND";
  return pg::DoBlockSql(body);
}

}  // namespace pleat::ops

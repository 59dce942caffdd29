#include "state/session.h"

#include "pg/quote.h"

namespace pleat::state {

Status OpenSession(const Options& options, pg::Connection* out) {
  Status s = pg::Connection::Open(options.conninfo, out);
  if (!s.ok()) return s;
  // Version schemas are security_invoker views (PostgreSQL 15 or later).
  if (int version = out->ServerVersion(); version < kMinServerVersion)
    return Status::Invalid("the server runs PostgreSQL " + std::to_string(version / 10000) + "." +
                               std::to_string(version % 10000) + "; pleat needs PostgreSQL 15 or later",
                           "upgrade the server: version schemas are views with security_invoker, which "
                           "PostgreSQL has since 15");
  if (!options.role.empty()) {
    s = out->Exec("SET ROLE " + pg::QuoteIdent(options.role));
    if (!s.ok())
      return Status::Invalid("cannot act as role \"" + options.role + "\" (--role): " + s.message(),
                             "grant the login role membership in it (GRANT \"" + options.role +
                                 "\" TO <login role>), or leave out --role");
  }
  std::string first = pg::QuoteLiteral("pg_catalog, " + pg::QuoteIdent(options.schema) + ", ");
  return out->Exec("SET application_name = 'pleat'; SET row_security = off; "
                   "SELECT pg_catalog.set_config('search_path', " + first +
                   " || pg_catalog.current_setting('search_path'), false)");
}

}  // namespace pleat::state

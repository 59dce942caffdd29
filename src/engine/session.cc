#include "engine/session.h"

#include "pg/quote.h"

namespace pleat::engine {

Status OpenSession(const Options& options, pg::Connection* out) {
  Status s = pg::Connection::Open(options.conninfo, out);
  if (!s.ok()) return s;
  std::string first = pg::QuoteLiteral("pg_catalog, " + pg::QuoteIdent(options.schema) + ", ");
  return out->Exec("SET application_name = 'pleat'; SELECT pg_catalog.set_config('search_path', " + first +
                   " || pg_catalog.current_setting('search_path'), false)");
}

}  // namespace pleat::engine

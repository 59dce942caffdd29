#include "demo/database.h"

#include "pg/connection.h"
#include "pg/quote.h"
#include "pg/transaction.h"
#include "planner/planner.h"

namespace pleat::demo {
namespace {

constexpr const char* kDemoSchema = "pleat_demo";
constexpr const char* kDemoStateSchema = "pleat_demo_state";
// Marks the schema as the demo's, so a later run may drop it and nothing else.
constexpr const char* kMarker = "created by pleat demo; safe to drop";

}  // namespace

std::string DemoDatabase::VersionSchema(const std::string& name) const {
  return planner::VersionSchemaName(schema_, name);
}

Status DemoDatabase::Open(const std::string& url, const std::vector<std::string>& migrations) {
  if (!url.empty()) {
    conninfo_ = url;
    schema_ = kDemoSchema;
    state_schema_ = kDemoStateSchema;
    return ResetSchemas(migrations);
  }
  server_ = std::make_unique<pg::ThrowawayServer>();
  Status s = server_->Start();
  if (!s.ok())
    return s.WithContext("private PostgreSQL for the demo")
        .WithHint("install the PostgreSQL server (scripts/install-deps.sh), or pass --url to use your own database");
  conninfo_ = server_->Url();
  return Status::Ok();
}

// One transaction: the schemas of an earlier run go together or not at all.
Status DemoDatabase::ResetSchemas(const std::vector<std::string>& migrations) {
  pg::Connection conn;
  Status s = pg::Connection::Open(conninfo_, &conn);
  std::string foreign;
  if (s.ok())
    s = conn.QueryValue("SELECT count(*) FROM pg_namespace WHERE nspname = $1"
                        " AND obj_description(oid, 'pg_namespace') IS DISTINCT FROM $2",
                        &foreign, {schema_, std::string(kMarker)});
  if (s.ok() && foreign != "0")
    return Status::Invalid("schema \"" + schema_ + "\" exists and was not created by `pleat demo`",
                           "rename or drop that schema yourself, then run `pleat demo --url ...` again");
  std::string drop = pg::QuoteIdent(schema_) + ", " + pg::QuoteIdent(state_schema_);
  for (const auto& m : migrations) drop += ", " + pg::QuoteIdent(VersionSchema(m));
  pg::Transaction tx;
  if (s.ok()) s = pg::Transaction::Begin(&conn, &tx);
  if (s.ok())
    s = conn.Exec("DROP SCHEMA IF EXISTS " + drop + " CASCADE; CREATE SCHEMA " + pg::QuoteIdent(schema_) +
                  "; COMMENT ON SCHEMA " + pg::QuoteIdent(schema_) + " IS " + pg::QuoteLiteral(kMarker));
  s = tx.Finish(s);
  return s.WithContext("preparing schema \"" + schema_ + "\" for the demo");
}

}  // namespace pleat::demo

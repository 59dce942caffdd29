#ifndef PLEAT_HISTORY_BASELINE_READER_H_
#define PLEAT_HISTORY_BASELINE_READER_H_
// ReadBaseline: the live target schema as pleat operations that rebuild it
// (`pleat baseline`). Tables become create_table (columns in order, types,
// defaults, serial and identity, primary key, uniques, checks, comments),
// foreign keys create_constraint, plain indexes create_index. What no operation
// expresses is raw SQL: `before` (extensions, types, sequences, functions: what
// the tables may use) and `after` (views, triggers, policies, other indexes and
// constraints: what may use the tables). Names are read schema-qualified, so
// the SQL does not depend on a search_path. Reads the catalog in one snapshot;
// changes nothing. Fails, naming the object, on what it cannot express at all
// (partitioned or inherited tables, range types, aggregates).

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "convert/convert.h"
#include "pg/connection.h"
#include "status.h"

namespace pleat::history {

// One statement of raw SQL and the statement that undoes it ("" when none).
struct BaselineSql {
  std::string up;
  std::string down;
};

struct BaselineParts {
  std::vector<BaselineSql> before;
  convert::ConvertedMigration operations;
  std::vector<BaselineSql> after;
};

// REQUIRES: `conn` is in a transaction whose search_path is pg_catalog only.
Status ReadBaseline(pg::Connection* conn, const std::string& schema, BaselineParts* out);

// The two halves of ReadBaseline (baseline_tables.cc with baseline_constraints.cc, baseline_objects.cc).
// `serial_sequences` are the sequences the tables' serial columns make again.
Status ReadBaselineTables(pg::Connection* conn, const std::string& schema, BaselineParts* out,
                          std::vector<std::string>* serial_sequences);
Status ReadBaselineObjects(pg::Connection* conn, const std::string& schema,
                           const std::vector<std::string>& serial_sequences, BaselineParts* out);
// Runs `sql` with $1 = the schema's oid; each row is one JSON object as text.
Status QueryBaselineJson(pg::Connection* conn, const char* sql, const std::string& schema_oid,
                         std::vector<nlohmann::json>* out);

}  // namespace pleat::history

#endif  // PLEAT_HISTORY_BASELINE_READER_H_

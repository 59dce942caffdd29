#ifndef PLEAT_DEMO_QUERIES_H_
#define PLEAT_DEMO_QUERIES_H_
// The SQL `pleat demo` runs itself, outside pleat: seeding the users table,
// checking that old and new columns agree, and reading rows through a version
// schema. Each function takes the connection to use (one thread) and the
// schema that holds the physical `users` table; each returns a Status.

#include <string>
#include <vector>

#include "pg/connection.h"
#include "status.h"

namespace pleat::demo {

// What CheckConsistency found.
struct Consistency {
  long long rows = 0;
  long long seeded = 0, by_old = 0, by_new = 0;  // by who inserted the row
  long long mismatches = 0;  // rows where name and first_name/last_name disagree
};

// Inserts `rows` users with full names, through the physical table.
Status SeedUsers(pg::Connection* conn, const std::string& schema, long long rows);
// One statement (one snapshot): every row must have first_name and last_name
// equal to up(name), and name equal to down(first_name, last_name).
Status CheckConsistency(pg::Connection* conn, const std::string& schema, Consistency* out);
// The id of the newest row an app version inserted ("v1" or "v2"); "" when none.
Status NewestRowOf(pg::Connection* conn, const std::string& schema, const std::string& app, std::string* id);
// Row `id` read through `version_schema`.users, as "col = 'value', ...".
Status ReadRow(pg::Connection* conn, const std::string& version_schema, const std::vector<std::string>& columns,
               const std::string& id, std::string* out);
// Which of `names` exist as schemas, in the order given.
Status ExistingSchemas(pg::Connection* conn, const std::vector<std::string>& names, std::vector<std::string>* out);
// The columns of `schema`.`table`, in table order, joined by ", ".
Status TableColumns(pg::Connection* conn, const std::string& schema, const std::string& table, std::string* out);
Status CountRows(pg::Connection* conn, const std::string& schema, long long* out);

}  // namespace pleat::demo

#endif  // PLEAT_DEMO_QUERIES_H_

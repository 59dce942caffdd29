#ifndef PLEAT_DEMO_QUERIES_H_
#define PLEAT_DEMO_QUERIES_H_
// The SQL `pleat demo` runs itself, outside pleat: seeding the contracts table,
// checking that every contract and its client and worker rows agree, and
// reading a contract through a version schema. Each function takes the
// connection to use (one thread) and the schema that holds the physical
// tables (or the version schema to read through); each returns a Status.
// Who inserted a contract shows in its title: "seed-N", "v1-N" or "v2-N".

#include <string>
#include <vector>

#include "pg/connection.h"
#include "status.h"

namespace pleat::demo {

// What CheckConsistency found.
struct Consistency {
  long long rows = 0;
  long long seeded = 0, by_old = 0, by_new = 0;  // by who inserted the contract
  // contracts without exactly one contract_clients row and one contract_workers
  // row whose commission_fee equals the contract's fee of that side
  long long mismatches = 0;
};

// Inserts `rows` contracts with both fees, through the physical table.
Status SeedContracts(pg::Connection* conn, const std::string& schema, long long rows);
// One statement (one snapshot) over the physical tables, which hold both shapes
// while the migration runs: the old columns of contracts and the new tables.
Status CheckConsistency(pg::Connection* conn, const std::string& schema, Consistency* out);
// The id of the newest contract an app version inserted ("v1" or "v2"); "" when none.
Status NewestContractOf(pg::Connection* conn, const std::string& schema, const std::string& app, std::string* id);
// Contract `id` as app v1 reads it (one row of `version_schema`.contracts) or,
// `split`, as app v2 does (contracts joined to its client and worker rows),
// as "title = '...', client fee = '...', worker fee = '...'".
Status ReadContract(pg::Connection* conn, const std::string& version_schema, bool split, const std::string& id,
                    std::string* out);
// Which of `names` exist as schemas, in the order given.
Status ExistingSchemas(pg::Connection* conn, const std::vector<std::string>& names, std::vector<std::string>* out);
// The columns of `schema`.`table`, in table order, joined by ", ".
Status TableColumns(pg::Connection* conn, const std::string& schema, const std::string& table, std::string* out);
Status CountRows(pg::Connection* conn, const std::string& schema, long long* out);

}  // namespace pleat::demo

#endif  // PLEAT_DEMO_QUERIES_H_

#ifndef PLEAT_CHECK_RIGHTS_H_
#define PLEAT_CHECK_RIGHTS_H_
// Rights: what pleat's role must hold for a migration, read from the catalog
// before any DDL, so a missing right is a finding of `check` and stops `start`
// up front instead of failing half-way:
//   - own (or be a member of the owner of) every table the migration changes;
//   - CREATE on the target schema (new tables, trigger functions) and on the
//     database (each migration's version schema);
//   - read every row of those tables: a table with FORCE ROW LEVEL SECURITY
//     shows its owner only the rows its policies allow, so the backfill, check
//     and verify would skip rows (a type change would then lose their values).
//     pleat's sessions run with row_security = off, so such a read fails rather
//     than skip rows; this check says why before it comes to that. A role with
//     BYPASSRLS (or a superuser) reads every row;
//   - no column moves from a table with row-level security into an existing
//     one without (its readers would see what the source's policies hide).
// Every finding is an error with a rule named "rights-..."; `start` refuses
// on them even with --force, since they are not about the data.

#include <vector>

#include "finding.h"
#include "options.h"
#include "pg/connection.h"
#include "schema/virtual_schema.h"
#include "status.h"

namespace pleat::check {

// Collects, operation by operation, the physical tables of the catalog that
// some operation changes (`before` and `after` are the schemas around one).
void NoteChangedTables(const schema::VirtualSchema& catalog, const schema::VirtualSchema& before,
                       const schema::VirtualSchema& after, std::set<std::string>* changed);

// `changed`: NoteChangedTables over every operation; `catalog` and `after`: the
// schemas before and after the migration. Appends findings to *out.
Status CheckRights(pg::Connection* conn, const Options& options, const schema::VirtualSchema& catalog,
                   std::set<std::string> changed, const schema::VirtualSchema& after, std::vector<Finding>* out);

// True for a finding CheckRights makes.
bool IsRightsFinding(const Finding& f);

}  // namespace pleat::check

#endif  // PLEAT_CHECK_RIGHTS_H_

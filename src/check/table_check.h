#ifndef PLEAT_CHECK_TABLE_CHECK_H_
#define PLEAT_CHECK_TABLE_CHECK_H_
// TableCheck: the preflight of one operation on one table. Turns its
// Requirements into scan probes (src/check/scan.h) and unique-group queries,
// runs them, and reports each kind of problem as one Finding with the count and
// up to five example rows, each named by its key with the values that matter.
// REQUIRES: the connection is inside the preflight's read-only transaction.

#include <set>
#include <string>
#include <vector>

#include "backfill/table_walk.h"
#include "check/requirements.h"
#include "check/scan.h"
#include "finding.h"
#include "options.h"
#include "pg/connection.h"
#include "status.h"

namespace pleat::check {

class TableCheck {
 public:
  TableCheck(pg::Connection* conn, const Options& options, const TableRequirements& r)
      : conn_(conn), options_(options), r_(r) {}

  // Appends its findings; fails only when the connection does.
  Status Run(std::vector<Finding>* out);

 private:
  // Finds the checks that cannot fail for their expression, so that the scan
  // leaves them out (and is not run when nothing is left): `up` that copies a
  // column of its type cannot raise, nor be NULL when that column is NOT NULL
  // (a validated constraint); `up` that names no column, function or operator
  // is one value for every row: it is computed once here.
  Status Settle();
  ScanSpec Spec() const;
  Status Unique(const Rule& rule, const ScanResult& scan, std::vector<Finding>* out);
  Status Marked(const std::string& id, const Hits& hits, std::vector<Finding>* out);
  Status Raised(const std::string& id, const Hits& hits, std::vector<Finding>* out);
  // "(id)=(3): email=NULL" for the row at `ctid`, showing the image columns `names`.
  std::string Example(const std::string& ctid, const std::vector<std::string>& names) const;
  Finding Base(Severity severity, const std::string& rule, const std::string& object) const;
  // A warning: part of the check could not run (`why`), so it says nothing about those rows.
  Finding Incomplete(const std::string& object, const std::string& what, const Status& why) const;

  pg::Connection* conn_;
  const Options& options_;
  const TableRequirements& r_;
  backfill::TableWalk walk_;
  std::set<std::string> settled_;  // ids of probes and sources that cannot fail (Settle)
};

}  // namespace pleat::check

#endif  // PLEAT_CHECK_TABLE_CHECK_H_

#ifndef PLEAT_CHECK_REQUIREMENTS_H_
#define PLEAT_CHECK_REQUIREMENTS_H_
// Requirements: what the existing rows of each table must satisfy for one
// operation to succeed, derived from the virtual schemas before and after it
// (planner::ValidateMigration) rather than from each operation: columns whose
// `up` it sets, columns it makes NOT NULL, check / unique / foreign key
// constraints it adds, and hidden columns whose `down` it sets. Constraints an
// operation builds that the virtual schema does not list (add_column's column
// constraints) it reports itself (ops::Operation::AddPendingConstraints).
// Everything is expressed over a "row image": one SQL expression per column of
// the new version, evaluated over the physical table as it is now (alias `t`),
// output under the column's physical name. Pure: no SQL runs here.

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "migration/migration.h"
#include "schema/virtual_schema.h"
#include "status.h"

namespace pleat::check {

struct ImageColumn {
  std::string name;      // as the new version sees it
  std::string physical;  // output name in the image
  std::string sql;       // over the physical table `t`
  std::string up;        // the `up` as the schema holds it ("" when not computed)
  bool computed = false; // set by this operation: must evaluate without raising
  // `up` is a bare reference to this physical column of the table as it is
  // ("" otherwise), and `copies_same_type` when that column has the type
  // `sql` casts to: then `up` cannot raise, and is NULL only where the column
  // is (check/table_check.cc skips what cannot fail).
  std::string copies;
  bool copies_same_type = false;
};

// A constraint over image columns. check: `expression` is its boolean SQL over
// image names; foreign key: `ref_table` (SQL) and `ref_columns` (quoted) pair
// with `columns`.
struct Rule {
  std::string name;
  char type = 'c';                   // c check, u unique (p: primary key), f foreign key
  std::vector<std::string> columns;  // image physical names
  std::string expression;
  std::string ref_table;
  std::vector<std::string> ref_columns;
};

// A hidden column the operation gives a `down`: down(image) must not raise,
// and when `round_trip`, down(up(x)) should give back x.
struct Down {
  std::string physical;  // the original column
  std::string type;      // its type
  std::string sql;       // over image names
  bool round_trip = false;
};

struct TableRequirements {
  int operation = 0;  // 1-based
  std::string operation_key;
  std::string table;     // as the new version names it
  std::string physical;  // the physical table
  std::vector<ImageColumn> image;
  std::vector<std::string> not_null;  // image physical names
  std::vector<Rule> rules;
  std::vector<Down> downs;
  std::vector<std::string> originals;  // physical columns the new version hides, read as they are

  bool Empty() const;
  const ImageColumn* FindImage(const std::string& physical) const;
};

// What operation `index` of `m` requires, from the schemas before and after it
// (planner::ValidateMigration's visitor) and the catalog's. Tables the
// migration creates hold no rows and are skipped.
Status DeriveRequirements(const migration::Migration& m, size_t index,
                          const schema::VirtualSchema& catalog, const schema::VirtualSchema& before,
                          const schema::VirtualSchema& after, std::vector<TableRequirements>* out);

}  // namespace pleat::check

#endif  // PLEAT_CHECK_REQUIREMENTS_H_

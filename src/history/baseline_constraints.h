#ifndef PLEAT_HISTORY_BASELINE_CONSTRAINTS_H_
#define PLEAT_HISTORY_BASELINE_CONSTRAINTS_H_
// The constraints and indexes of the tables ReadBaselineTables reads
// (history/baseline_tables.cc): the catalog queries, and each row as pleat
// operations, or as raw SQL where no operation says all of it.

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "history/baseline_reader.h"

namespace pleat::history {

// The catalog queries, run with QueryBaselineJson ($1 = the schema's oid); each
// row is one JSON object: of a constraint, and of an index that backs none.
extern const char* const kBaselineConstraintsSql;
extern const char* const kBaselineIndexesSql;

// A row of kBaselineConstraintsSql as create_table's `constraints` item (into `tables`,
// by table name), or as a create_constraint (foreign keys, into
// `foreign_keys`), or, when neither says all of it, as raw SQL in `out->after`.
void BaselineConstraint(const nlohmann::json& k, std::map<std::string, nlohmann::ordered_json>* tables,
                        BaselineParts* out, std::vector<nlohmann::ordered_json>* foreign_keys);
// A row of kBaselineIndexesSql: a plain index as create_index, any other as its CREATE INDEX.
void BaselineIndex(const nlohmann::json& i, const std::string& source, BaselineParts* out);

}  // namespace pleat::history

#endif  // PLEAT_HISTORY_BASELINE_CONSTRAINTS_H_

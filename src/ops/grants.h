#ifndef PLEAT_OPS_GRANTS_H_
#define PLEAT_OPS_GRANTS_H_
// Grants: SQL that gives a table or column pleat makes from existing data the
// rights its source holds, so every role that could read or write the data
// before can read or write it in its new place (a split's new table, a moved
// column, a shadow column that becomes the column at complete). Each statement
// is a DO block that reads the source's ACL when the step runs, so it copies
// what is granted then. Nothing here changes the source's own ACL: rollback
// drops what pleat made, and every ACL is as before (docs/architecture.md,
// "Roles and privileges"). Tables are named as "schema"."table".

#include <string>
#include <vector>

namespace pleat::ops {

// The table-level grants of `source` (all but its owner's own), on `target`;
// `target` is given `source`'s owner when pleat's role is another member of it.
std::string CopyTableGrantsSql(const std::string& source, const std::string& target);

// Every column-level grant that one of `source_columns` of `source` holds, on
// `target_column` of `target` (a role granted UPDATE on any of them gets UPDATE
// on the target column).
std::string CopyColumnGrantsSql(const std::string& source, const std::vector<std::string>& source_columns,
                                const std::string& target, const std::string& target_column);

// When `source` has row-level security, `target` (a new table whose rows
// belong to source rows) gets it too, with one policy `policy`: a role sees
// and writes a target row only where it may see its source row (the source's
// own policies decide, evaluated as that role). FORCE follows the source.
// Without it, a role would read through the new table the moved values of rows
// the source's policies hide from it.
std::string FollowRowSecuritySql(const std::string& source, const std::string& source_key, const std::string& target,
                                 const std::string& target_key, const std::string& policy);

}  // namespace pleat::ops

#endif  // PLEAT_OPS_GRANTS_H_

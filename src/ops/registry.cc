#include "ops/registry.h"

#include "ops/add_column.h"
#include "ops/alter_column.h"
#include "ops/create_constraint.h"
#include "ops/create_index.h"
#include "ops/create_table.h"
#include "ops/drop_column.h"
#include "ops/drop_constraint.h"
#include "ops/drop_multicolumn_constraint.h"
#include "ops/drop_index.h"
#include "ops/drop_table.h"
#include "ops/move_column.h"
#include "ops/rename_column.h"
#include "ops/rename_constraint.h"
#include "ops/rename_table.h"
#include "ops/set_replica_identity.h"
#include "ops/split_table.h"
#include "ops/sql.h"

namespace pleat::ops {
namespace {

using ParseFn = Status (*)(const nlohmann::json&, const std::string&, std::unique_ptr<Operation>*);

struct Entry {
  const char* key;
  ParseFn parse;
};

// Every operation pleat knows, in the order of pgroll's documentation.
constexpr Entry kOperations[] = {
    {"create_table", &CreateTable::Parse},
    {"add_column", &AddColumn::Parse},
    {"drop_column", &DropColumn::Parse},
    {"alter_column", &AlterColumn::Parse},
    {"rename_column", &RenameColumn::Parse},
    {"rename_table", &RenameTable::Parse},
    {"drop_table", &DropTable::Parse},
    {"create_index", &CreateIndex::Parse},
    {"drop_index", &DropIndex::Parse},
    {"create_constraint", &CreateConstraint::Parse},
    {"drop_constraint", &DropConstraint::Parse},
    {"drop_multicolumn_constraint", &DropMulticolumnConstraint::Parse},
    {"rename_constraint", &RenameConstraint::Parse},
    {"set_replica_identity", &SetReplicaIdentity::Parse},
    {"sql", &Sql::Parse},
    // pleat's own: columns that change tables.
    {"split_table", &SplitTable::Parse},
    {"move_column", &MoveColumn::Parse},
};

}  // namespace

Status ParseOperation(const std::string& key, const nlohmann::json& body, const std::string& where,
                      std::unique_ptr<Operation>* out) {
  for (const auto& e : kOperations)
    if (key == e.key) return e.parse(body, where, out);
  std::string known;
  for (const auto& k : KnownOperationKeys()) known += (known.empty() ? "" : ", ") + k;
  return Status::Invalid(where + ": unknown operation \"" + key + "\"", "use one of: " + known);
}

std::vector<std::string> KnownOperationKeys() {
  std::vector<std::string> keys;
  for (const auto& e : kOperations) keys.push_back(e.key);
  return keys;
}

}  // namespace pleat::ops

#ifndef PLEAT_OPS_ALTER_COLUMN_H_
#define PLEAT_OPS_ALTER_COLUMN_H_
// alter_column: changes one column: name, type, nullable, default, comment,
// check, unique, references, in any combination, with `up` (old value -> new)
// and `down` (new -> old). Two paths:
//  - a change old writers could violate or that changes the values (type,
//    nullable, check, unique, references, an `up` or `down` that computes
//    something) rebuilds the column as a shadow
//    (ops/shadow_column.h): backfilled, dual-written, swapped in at complete.
//    Every other change in the same operation then goes to the shadow too.
//  - comment and default alone are metadata only: no shadow, no backfill, no
//    rewrite. The comment changes at start (rollback restores the old one); the
//    new version's view declares the new default until complete sets it.
//  - a type change PostgreSQL makes without a rewrite (a varchar or numeric
//    widened, ...), with `up`/`down` that are the column or a cast of it, needs
//    no shadow either: both versions share the column, still of the old type,
//    and complete retypes it in place (ops/type_change.h).
// `name` renames the column in the new version; the rename happens at complete.
// Complete steps use the names `before` shows (see RenamesOnComplete).

#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "ops/operation.h"
#include "parse/column_def.h"

namespace pleat::ops {

class AlterColumn final : public Operation {
 public:
  static Status Parse(const nlohmann::json& body, const std::string& where, std::unique_ptr<Operation>* out);

  std::string_view Key() const override { return "alter_column"; }
  Status Validate(schema::VirtualSchema* schema) const override;
  Status Start(const schema::VirtualSchema& before, plan::Plan* plan) const override;
  Status Complete(const schema::VirtualSchema& before, plan::Plan* plan) const override;
  Status Rollback(const schema::VirtualSchema& before, plan::Plan* plan) const override;
  void AddCatalogUses(const schema::VirtualSchema& after, CatalogUses* out) const override;
  void AddWrittenColumns(std::vector<WrittenColumn>* out) const override;
  bool RenamesOnComplete() const override { return true; }

 private:
  Status ParseBody(const nlohmann::json& body, const std::string& where);
  // type, default, up and down, which the SQL carries as written.
  Status ParseTypedFields(const std::string& where) const;
  // check, unique and references (which have their own objects) and `name`.
  Status ParseSubChanges(const nlohmann::json* check, const nlohmann::json* unique, const nlohmann::json* references,
                          const std::string& where);
  // True when this operation's changes go to a shadow column (see above).
  bool UsesShadow(const schema::VirtualSchema& schema, const schema::Table& table) const;
  bool ChangesType(const schema::Column& column) const;
  // True when `up` or `down` computes something rather than passing the value on.
  bool ComputesValues(const schema::Column& column) const;
  // True for a type change PostgreSQL makes without a rewrite whose up and down
  // only pass the value on (ops/type_change.h), on a column no index with an
  // expression or predicate uses.
  bool RetypesInPlace(const schema::VirtualSchema& schema, const schema::Table& table,
                      const schema::Column& column) const;
  Status ApplyToShadow(schema::VirtualSchema* schema, schema::Table* table) const;
  void AddConstraints(const schema::VirtualSchema& schema, schema::Table* table, schema::Shadow* shadow) const;

  std::string table_, column_;
  std::optional<std::string> name_;
  std::optional<std::string> type_, up_, down_;
  std::optional<bool> nullable_;
  bool has_default_ = false, has_comment_ = false;
  std::optional<std::string> default_, comment_;
  std::optional<std::string> unique_;  // the unique constraint's name
  parse::ColumnDef constraints_;   // check and references, parsed as pgroll writes them on columns
  std::unique_ptr<Operation> rename_;  // `name`: a rename_column
};

}  // namespace pleat::ops

#endif  // PLEAT_OPS_ALTER_COLUMN_H_

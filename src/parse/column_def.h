#ifndef PLEAT_PARSE_COLUMN_DEF_H_
#define PLEAT_PARSE_COLUMN_DEF_H_
// ColumnDef: a column as pgroll's format writes it (in create_table and
// add_column): name, type, nullable (false unless said), pk, unique, default,
// check, references, comment, generated. Parse() reads and validates it,
// parsing every SQL expression with libpg_query; the Sql*() helpers render the
// pieces of DDL for it with every identifier quoted.

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "status.h"

namespace pleat::parse {

struct CheckDef {
  std::string name;
  std::string constraint;  // SQL boolean expression
  bool no_inherit = false;
};

struct ReferencesDef {
  std::string name;
  std::string table;
  std::string column;
  std::string on_delete;  // "" or NO ACTION / RESTRICT / CASCADE / SET NULL / SET DEFAULT
  std::string on_update;
  std::string match_type;  // "" or SIMPLE / FULL
  bool deferrable = false;
  bool initially_deferred = false;
};

struct ColumnDef {
  std::string name;
  std::string type;
  bool nullable = false;
  bool pk = false;
  bool unique = false;
  std::optional<std::string> default_sql;
  std::optional<CheckDef> check;
  std::optional<ReferencesDef> references;
  std::optional<std::string> comment;
  std::optional<std::string> generated_expression;  // GENERATED ALWAYS AS (expr) STORED
  std::optional<std::string> identity;              // "ALWAYS" or "BY DEFAULT"
  std::optional<std::string> identity_options;      // sequence options, as written

  // Reads one column object; `where` prefixes errors ("operation 1 (create_table) column 2").
  static Status Parse(const nlohmann::json& j, const std::string& where, ColumnDef* out);

  // "name" type [GENERATED ...] [DEFAULT ...] [NOT NULL] [UNIQUE] [CHECK] [REFERENCES], for
  // CREATE TABLE. The primary key is left to the table; `schema` qualifies references.
  std::string CreateTableSql(const std::string& schema) const;
  // The REFERENCES clause alone (with ON DELETE/UPDATE, MATCH, DEFERRABLE).
  std::string ReferencesSql(const std::string& schema) const;
  // CHECK (...) [NO INHERIT], without the constraint name.
  std::string CheckSql() const;
};

// Checks that `action` is a referential action PostgreSQL knows; returns it upper-cased.
Status NormalizeReferentialAction(const std::string& action, const std::string& where, std::string* out);

// PostgreSQL's one-letter code of a referential action (pg_constraint's
// confdeltype/confupdtype, libpg_query's fk_del_action/fk_upd_action) as its
// name; "" for 'a', NO ACTION, the default that files leave out.
std::string ReferentialActionName(const std::string& code);

}  // namespace pleat::parse

#endif  // PLEAT_PARSE_COLUMN_DEF_H_

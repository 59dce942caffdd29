#include "planner/catalog_names.h"

#include "planner/catalog_keys.h"

#include <functional>
#include <map>
#include <set>

#include "migration/window.h"
#include "parse/expression.h"
#include "pg/quote.h"

namespace pleat::planner {
namespace {

// Memoizes answers: a file of 20,000 add_column of one type asks the server once.
class Resolver {
 public:
  explicit Resolver(pg::Connection* conn) : conn_(conn) {}

  // "" when `type` names a type; else what is wrong.
  std::string Type(const std::string& type, const schema::VirtualSchema& schema) {
    std::string storage = schema::StorageType(type);
    auto [it, fresh] = types_.try_emplace(storage);
    if (!fresh) return it->second;
    std::string oid;
    Status s = conn_->QueryValue("SELECT pg_catalog.to_regtype($1)::oid", &oid, {storage});
    if (!s.ok()) it->second = s.message();
    else if (oid.empty() && !IsTableRowType(storage, schema)) it->second = "does not exist";
    return it->second;
  }

  // "" when the default compiles as a value of `type` and raises nothing the
  // planner sees: EXPLAIN folds the IMMUTABLE calls over constants (`1/0`,
  // `'abc'::text::int`) and runs nothing else, so no sequence advances. With
  // `run` the default is also evaluated: only for one that is not VOLATILE
  // (STABLE functions have no side effects), where ADD COLUMN evaluates it too.
  std::string Default(const std::string& sql, const std::string& type, bool run) {
    std::string storage = schema::StorageType(type);
    auto [it, fresh] = defaults_.try_emplace({sql, storage + (run ? " run" : "")});
    if (!fresh) return it->second;
    std::string value = "SELECT CAST((" + sql + ") AS " + storage + ")";
    Status s = conn_->Exec("PREPARE _pleat_default_check AS " + value);
    if (s.ok()) s = conn_->Exec("DEALLOCATE _pleat_default_check");
    if (!s.ok()) return it->second = "does not compile: " + s.message();
    s = conn_->Exec("EXPLAIN " + value);
    if (s.ok() && run) s = conn_->Exec(value);
    if (!s.ok()) it->second = "raises: " + s.message();
    return it->second;
  }

  // "" when operator class `opclass` (quoted, maybe qualified, maybe with
  // parameters) exists for index method `method`.
  std::string Opclass(const std::string& opclass, const std::string& method) {
    auto [it, fresh] = opclasses_.try_emplace({opclass, method});
    if (!fresh) return it->second;
    std::string found;
    Status s = conn_->QueryValue(
        "WITH n AS (SELECT pg_catalog.parse_ident($1, false) AS p) "
        "SELECT count(*) FROM pg_catalog.pg_opclass c JOIN pg_catalog.pg_am a ON a.oid = c.opcmethod, n "
        "WHERE a.amname = $2 AND c.opcname = n.p[pg_catalog.array_length(n.p, 1)] AND CASE "
        "WHEN pg_catalog.array_length(n.p, 1) = 1 THEN pg_catalog.pg_opclass_is_visible(c.oid) "
        "ELSE c.opcnamespace = (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = n.p[1]) END",
        &found, {opclass, method});
    if (!s.ok()) it->second = s.message();
    else if (found == "0") it->second = "does not exist for index method " + method;
    return it->second;
  }

  // "" when collation `collation` (quoted, maybe qualified) exists.
  std::string Collation(const std::string& collation) {
    auto [it, fresh] = collations_.try_emplace(collation);
    if (!fresh) return it->second;
    std::string oid;
    Status s = conn_->QueryValue("SELECT pg_catalog.to_regcollation($1)::oid", &oid, {collation});
    if (!s.ok()) it->second = s.message();
    else if (oid.empty()) it->second = "does not exist";
    return it->second;
  }

 private:
  // A table created earlier in the file has a row type of its name.
  static bool IsTableRowType(std::string type, const schema::VirtualSchema& schema) {
    while (type.size() > 2 && type.compare(type.size() - 2, 2, "[]") == 0) type.resize(type.size() - 2);
    const schema::Table* t = schema.FindTable(type);
    return t && t->created;
  }

  pg::Connection* conn_;
  std::map<std::string, std::string> types_, collations_;
  std::map<std::pair<std::string, std::string>, std::string> defaults_, opclasses_;
};

// True for a column ADD COLUMN adds with its default (add_column, not a
// shadow): PostgreSQL evaluates a default that is not VOLATILE there, once.
bool AddsWithDefault(const schema::Table& t, const schema::Column& c, const schema::VirtualSchema& after) {
  for (const auto& sh : t.shadows)
    if (sh.physical == c.physical) return false;
  parse::Expression e;
  if (!parse::Expression::Parse(*c.default_sql, &e).ok()) return false;
  for (const auto& fn : e.FunctionNames())
    if (after.IsVolatileFunction(fn)) return false;
  return true;
}

Status Unknown(const std::string& what, const std::string& why, const std::string& hint) {
  return Status::Invalid(what + " " + why, hint);
}

// The first operation after which `has` holds, found by validating the file
// again from the catalog (only when a name is unknown).
size_t FirstOperation(const migration::Migration& m, const schema::VirtualSchema& catalog,
                      const std::function<bool(const schema::VirtualSchema&)>& has) {
  schema::VirtualSchema s = catalog;
  for (size_t i = 0; i < m.operations.size(); ++i)
    if (!m.operations[i]->Validate(&s).ok() || has(s)) return i;
  return m.operations.size() - 1;
}

// The columns the file adds or changes (against the catalog): types and
// defaults; `*op` is the operation to blame on failure. One pass over the new
// version, so the cost is linear in the size of the file.
Status CheckColumns(Resolver* r, const migration::Migration& m, const schema::VirtualSchema& catalog,
                    const schema::VirtualSchema& after, size_t* op) {
  for (const auto& t : after.tables()) {
    const schema::Table* old = catalog.FindByPhysical(t.physical);
    for (const auto& c : t.columns) {
      const schema::Column* was = old ? old->FindByPhysical(c.physical) : nullptr;
      std::string what = "column \"" + t.name + "\".\"" + c.name + "\"";
      Status s;
      if (!was || was->type != c.type) {
        std::string why = r->Type(c.type, after);
        if (!why.empty())
          s = Unknown("type \"" + c.type + "\" of " + what, why,
                      "fix the type, create it in an earlier migration, or qualify it with its schema "
                      "(myschema.mytype)");
      }
      if (s.ok() && c.default_sql && !c.identity && !c.generated && (!was || was->default_sql != c.default_sql)) {
        std::string why = r->Default(*c.default_sql, c.type, old && !was && AddsWithDefault(t, c, after));
        if (!why.empty())
          s = Unknown("default of " + what, why,
                      "fix the default: one expression of the column's type, over no columns, that does not raise");
      }
      if (!s.ok()) {
        *op = FirstOperation(m, catalog, [&](const schema::VirtualSchema& vs) {
          const schema::Table* in = vs.FindByPhysical(t.physical);
          const schema::Column* col = in ? in->FindByPhysical(c.physical) : nullptr;
          return col && col->type == c.type;
        });
        return s;
      }
    }
  }
  return Status::Ok();
}

// The keys of the indexes the file builds: operator classes and collations.
Status CheckIndexes(Resolver* r, const migration::Migration& m, const schema::VirtualSchema& catalog,
                    const schema::VirtualSchema& after, size_t* op) {
  for (const auto& index : after.indexes()) {
    if (!index.created) continue;
    for (const auto& k : index.keys) {
      std::string what = "index \"" + index.name + "\" column \"" + k.column + "\": ";
      std::string why = k.opclass.empty() ? "" : r->Opclass(k.opclass, index.method);
      Status s;
      if (!why.empty())
        s = Unknown(what + "operator class " + k.opclass, why,
                    "fix opclass.name (`SELECT opcname FROM pg_opclass` lists them), or install the extension "
                    "that provides it in an earlier migration");
      why = s.ok() && !k.collation.empty() ? r->Collation(k.collation) : "";
      if (!why.empty())
        s = Unknown(what + "collation " + k.collation, why, "fix collate (`SELECT collname FROM pg_collation` lists them)");
      if (!s.ok()) {
        *op = FirstOperation(m, catalog, [&](const schema::VirtualSchema& vs) { return vs.HasIndex(index.name); });
        return s;
      }
    }
  }
  return Status::Ok();
}

}  // namespace

Status CheckCatalogNames(pg::Connection* conn, const migration::Migration& m, const schema::VirtualSchema& catalog,
                         const schema::VirtualSchema& after, const ops::CatalogUses& uses) {
  if (m.operations.empty()) return Status::Ok();
  Resolver r(conn);
  size_t op = 0;
  Status s = CheckColumns(&r, m, catalog, after, &op);
  if (s.ok()) s = CheckIndexes(&r, m, catalog, after, &op);
  if (!s.ok()) return s.WithContext(migration::OperationWhere(m, op));
  return CheckCatalogKeys(conn, m, catalog, after, uses);
}

}  // namespace pleat::planner

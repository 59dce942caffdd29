#include "planner/catalog_keys.h"

#include <algorithm>
#include <map>
#include <tuple>

#include <nlohmann/json.hpp>

#include "migration/window.h"
#include "parse/expression.h"
#include "pg/quote.h"

namespace pleat::planner {
namespace {

// The operator classes of method $2 that accept type $1 (after its domains),
// as CREATE INDEX chooses them: the default ones when $3 is '', else the one
// named $3; accepting means the same type, a binary-coercible implicit cast, or
// a matching pseudo-type (anyarray, anyenum, record...). -1: $1 is no type here.
const char kAcceptingOpclasses[] = R"(
WITH RECURSIVE d(oid, base) AS (
  SELECT t.oid, t.typbasetype FROM pg_catalog.pg_type t WHERE t.oid = pg_catalog.to_regtype($1)
  UNION ALL SELECT t.oid, t.typbasetype FROM pg_catalog.pg_type t JOIN d ON t.oid = d.base),
b AS (SELECT t.oid, t.typtype, t.typcategory FROM pg_catalog.pg_type t JOIN d ON t.oid = d.oid WHERE d.base = 0),
n AS (SELECT pg_catalog.parse_ident($3, false) AS p WHERE $3 <> '')
SELECT CASE WHEN NOT EXISTS (SELECT FROM b) THEN -1 ELSE (
  SELECT count(*) FROM pg_catalog.pg_opclass c JOIN pg_catalog.pg_am a ON a.oid = c.opcmethod
  JOIN pg_catalog.pg_type it ON it.oid = c.opcintype, b
  WHERE a.amname = $2 AND CASE WHEN $3 = '' THEN c.opcdefault ELSE EXISTS (SELECT FROM n WHERE
    c.opcname = n.p[pg_catalog.array_length(n.p, 1)] AND CASE WHEN pg_catalog.array_length(n.p, 1) = 1
    THEN pg_catalog.pg_opclass_is_visible(c.oid)
    ELSE c.opcnamespace = (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = n.p[1]) END) END
  AND (c.opcintype = b.oid
    OR EXISTS (SELECT FROM pg_catalog.pg_cast k WHERE k.castsource = b.oid AND k.casttarget = c.opcintype
               AND k.castmethod = 'b' AND k.castcontext = 'i')
    OR (it.typnamespace = 'pg_catalog'::pg_catalog.regnamespace AND (
      it.typname IN ('any', 'anyelement', 'anycompatible')
      OR (it.typname IN ('anyarray', 'anycompatiblearray') AND b.typcategory = 'A')
      OR (it.typname IN ('anynonarray', 'anycompatiblenonarray') AND b.typcategory <> 'A')
      OR (it.typname = 'anyenum' AND b.typtype = 'e')
      OR (it.typname IN ('anyrange', 'anycompatiblerange') AND b.typtype = 'r')
      OR (it.typname IN ('anymultirange', 'anycompatiblemultirange') AND b.typtype = 'm')
      OR (it.typname = 'record' AND b.typtype = 'c'))))) END)";

// Valid unique indexes of table $1 whose key columns are exactly the JSON array
// $2 (sorted): what a foreign key can reference.
const char kUniqueIndexes[] = R"(
SELECT count(*) FROM pg_catalog.pg_index i WHERE i.indrelid = pg_catalog.to_regclass($1)
  AND i.indisunique AND i.indimmediate AND i.indisvalid AND i.indpred IS NULL AND i.indexprs IS NULL
  AND (SELECT pg_catalog.jsonb_agg(a.attname::text ORDER BY a.attname) FROM pg_catalog.pg_attribute a
       WHERE a.attrelid = i.indrelid AND a.attnum = ANY ((i.indkey::pg_catalog.int2[])[0:i.indnkeyatts - 1])) = $2::jsonb)";

// Functions named in the JSON array $1 none of whose overloads is IMMUTABLE.
const char kNotImmutable[] = R"(
SELECT pg_catalog.string_agg(DISTINCT p.proname, ', ') FROM pg_catalog.pg_proc p
WHERE p.proname IN (SELECT pg_catalog.jsonb_array_elements_text($1::jsonb))
  AND NOT EXISTS (SELECT FROM pg_catalog.pg_proc q WHERE q.proname = p.proname AND q.provolatile = 'i'))";

// Asks the server; memoizes, so 20,000 operations of a few types ask a few times.
class KeyResolver {
 public:
  explicit KeyResolver(pg::Connection* conn) : conn_(conn) {}

  // The number of operator classes that would serve, -1 when the type is not
  // known here (a row type of a table the file creates), or an error.
  Status Accepting(const std::string& type, const std::string& method, const std::string& opclass, long* n) {
    auto [it, fresh] = accepting_.try_emplace({schema::StorageType(type), method, opclass}, 0);
    if (fresh) {
      std::string v;
      Status s = conn_->QueryValue(kAcceptingOpclasses, &v, {std::get<0>(it->first), method, opclass});
      if (!s.ok()) return s;
      it->second = std::stol(v);
    }
    *n = it->second;
    return Status::Ok();
  }

  Status Collatable(const std::string& type, bool* yes) {
    std::string v;
    Status s = conn_->QueryValue("SELECT typcollation <> 0 FROM pg_catalog.pg_type WHERE oid = pg_catalog.to_regtype($1)",
                                 &v, {schema::StorageType(type)});
    *yes = v != "f";  // unknown types are reported elsewhere
    return s;
  }

  // "" when `sql` compiles (PREPARE: nothing runs); else the server's message.
  std::string Compiles(const std::string& sql) {
    Status s = conn_->Exec("PREPARE _pleat_key_check AS " + sql);
    if (s.ok()) s = conn_->Exec("DEALLOCATE _pleat_key_check");
    return s.ok() ? "" : s.message();
  }

  Status IsType(const std::string& type, bool* yes) {
    auto [it, fresh] = types_.try_emplace(schema::StorageType(type), false);
    if (fresh) {
      std::string oid;
      Status s = conn_->QueryValue("SELECT pg_catalog.to_regtype($1)::oid", &oid, {it->first});
      if (!s.ok()) return s;
      it->second = !oid.empty();
    }
    *yes = it->second;
    return Status::Ok();
  }

  Status NotImmutable(const std::vector<std::string>& functions, std::string* names) {
    return conn_->QueryValue(kNotImmutable, names, {nlohmann::json(functions).dump()});
  }

  Status HasUniqueIndex(const std::string& table, std::vector<std::string> columns, bool* yes) {
    std::sort(columns.begin(), columns.end());
    std::string n;
    Status s = conn_->QueryValue(kUniqueIndexes, &n, {table, nlohmann::json(columns).dump()});
    *yes = n != "0";
    return s;
  }

 private:
  pg::Connection* conn_;
  std::map<std::tuple<std::string, std::string, std::string>, long> accepting_;
  std::map<std::string, bool> types_;
};

Status Refuse(const std::string& what, const std::string& hint) { return Status::Invalid(what, hint); }

Status CheckKey(KeyResolver* r, const ops::IndexUse& index, const ops::KeyUse& k) {
  std::string what = index.what + " column \"" + k.name + "\": ";
  long n = 0;
  Status s = r->Accepting(k.type, index.method, k.opclass, &n);
  if (!s.ok() || n < 0) return s;
  if (n == 0 && !k.opclass.empty())
    return Refuse(what + "operator class " + k.opclass + " does not accept type " + k.type,
                  "choose an operator class of method " + index.method + " for that type (`SELECT opcname FROM "
                  "pg_opclass WHERE opcintype = '" + schema::StorageType(k.type) +
                  "'::regtype` lists them), or leave opclass out for the type's default");
  if (n == 0 && index.unique)
    return Refuse(what + "type " + k.type + " has no default operator class for index method btree, so it cannot "
                      "be unique or a primary key",
                  "use a type with equality (jsonb, not json), or enforce it with an index on an expression");
  if (n == 0)
    return Refuse(what + "type " + k.type + " has no default operator class for index method " + index.method,
                  "name an operator class in opclass.name, use another method, or install the extension that "
                  "provides one (btree_gist for gist on scalar types) in an earlier migration");
  bool collatable = true;
  if (!k.collation.empty()) s = r->Collatable(k.type, &collatable);
  if (s.ok() && !collatable)
    return Refuse(what + "type " + k.type + " takes no collation, so collate " + k.collation + " cannot apply",
                  "remove collate: only text types have a collation");
  return s;
}

Status CheckPredicate(KeyResolver* r, const ops::IndexUse& index, const schema::VirtualSchema& catalog) {
  parse::Expression e;
  if (index.predicate.empty() || !parse::Expression::Parse(index.predicate, &e).ok()) return Status::Ok();
  const schema::Table* t = catalog.FindByPhysical(index.table);
  bool exists = t != nullptr;  // every column the predicate reads is there before any DDL
  for (const auto& c : e.ReferencedColumns()) exists = exists && t->FindByPhysical(c);
  std::string why = exists ? r->Compiles("SELECT 1 FROM " + pg::QualifiedName(catalog.schema_name(), index.table) +
                                         " WHERE (" + index.predicate + ")")
                           : "";
  if (!why.empty())
    return Refuse(index.what + ": the predicate does not compile: " + why,
                  "fix the predicate: one boolean expression over the table's columns");
  std::string names;
  Status s = e.FunctionNames().empty() ? Status::Ok() : r->NotImmutable(e.FunctionNames(), &names);
  if (s.ok() && !names.empty())
    return Refuse(index.what + ": the predicate calls " + names + ", which is not IMMUTABLE",
                  "an index predicate must give the same answer at every call: compare with a constant "
                  "instead of now() or random()");
  return s;
}

// A unique index the file builds (or the primary key it gives a table) on exactly these columns.
bool BuiltUnique(const ops::CatalogUses& uses, const std::string& table, std::vector<std::string> columns) {
  std::sort(columns.begin(), columns.end());
  for (const auto& index : uses.indexes) {
    std::vector<std::string> keys;
    for (const auto& k : index.keys) keys.push_back(k.column);
    std::sort(keys.begin(), keys.end());
    if (index.unique && index.predicate.empty() && index.table == table && keys == columns) return true;
  }
  return false;
}

Status CheckForeignKey(KeyResolver* r, const ops::ForeignKeyUse& fk, const ops::CatalogUses& uses,
                       const schema::VirtualSchema& catalog, const schema::VirtualSchema& after) {
  if (fk.ref_columns.empty() || fk.ref_columns.size() != fk.types.size()) return Status::Ok();  // Validate's
  const schema::Table* ref = after.FindByPhysical(fk.ref_table);
  std::string list;
  for (const auto& c : fk.ref_columns) list += (list.empty() ? "\"" : ", \"") + c + "\"";
  bool unique = BuiltUnique(uses, fk.ref_table, fk.ref_columns);
  Status s;
  if (const schema::Table* old = catalog.FindByPhysical(fk.ref_table); old && !unique) {
    bool existing = true;  // a column the file rebuilds (a shadow) is not judged here
    for (const auto& c : fk.ref_columns) existing = existing && old->FindByPhysical(c);
    unique = !existing;
    if (existing)
      s = r->HasUniqueIndex(pg::QualifiedName(catalog.schema_name(), fk.ref_table), fk.ref_columns, &unique);
  }
  if (s.ok() && !unique)
    return Refuse(fk.what + ": no primary key or unique constraint of table \"" + (ref ? ref->name : fk.ref_table) +
                      "\" has exactly the columns (" + list + ") it references",
                  "reference the primary key or a unique column set of that table, or make those columns unique "
                  "in an earlier migration");
  for (size_t i = 0; s.ok() && i < fk.types.size(); ++i) {
    std::string a = schema::StorageType(fk.types[i]), b = schema::StorageType(fk.ref_types[i]);
    std::string why = r->Compiles("SELECT CAST(NULL AS " + a + ") = CAST(NULL AS " + b + ")");
    if (!why.empty())
      return Refuse(fk.what + ": its type " + fk.types[i] + " cannot be compared with type " + fk.ref_types[i] +
                        " of the referenced column \"" + fk.ref_columns[i] + "\" (" + why + ")",
                    "give the column the type of the column it references");
  }
  return s;
}

// Compiled over a row of NULLs of the table's types; a table whose columns
// include a type the file creates (a row type) is left to start.
Status CheckCheck(KeyResolver* r, const ops::CheckUse& check) {
  std::string row;
  for (const auto& [name, type] : check.columns) {
    bool known = false;
    Status s = r->IsType(type, &known);
    if (!s.ok() || !known) return s;
    row += (row.empty() ? "" : ", ") + std::string("CAST(NULL AS ") + schema::StorageType(type) + ") AS " + pg::QuoteIdent(name);
  }
  std::string why = r->Compiles("SELECT (" + check.expression + ")::boolean FROM (SELECT " + row + ") AS t");
  if (why.empty()) return Status::Ok();
  return Refuse(check.what + " does not compile: " + why,
                "fix the check: one boolean expression over the table's columns");
}

}  // namespace

Status CheckCatalogKeys(pg::Connection* conn, const migration::Migration& m, const schema::VirtualSchema& catalog,
                        const schema::VirtualSchema& after, const ops::CatalogUses& uses) {
  KeyResolver r(conn);
  for (const auto& index : uses.indexes) {
    Status s;
    for (const auto& k : index.keys)
      if (s.ok()) s = CheckKey(&r, index, k);
    if (s.ok()) s = CheckPredicate(&r, index, catalog);
    if (!s.ok()) return s.WithContext(migration::OperationWhere(m, index.operation));
  }
  for (const auto& check : uses.checks) {
    Status s = CheckCheck(&r, check);
    if (!s.ok()) return s.WithContext(migration::OperationWhere(m, check.operation));
  }
  for (const auto& fk : uses.foreign_keys) {
    Status s = CheckForeignKey(&r, fk, uses, catalog, after);
    if (!s.ok()) return s.WithContext(migration::OperationWhere(m, fk.operation));
  }
  return Status::Ok();
}

}  // namespace pleat::planner

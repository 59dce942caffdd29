#include "ops/shadow_primary_key.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "ops/constraint_support.h"
#include "pg/quote.h"

namespace pleat::ops {
namespace {

// The key of one table and what its steps name.
struct Key {
  const schema::Constraint* constraint = nullptr;
  const schema::Index* index = nullptr;  // the index behind it
  std::string schema, table;             // table: "schema"."physical"
  std::string temp;                      // the index built on the shadows
  std::map<std::string, std::string> shadows;
};

std::string Mapped(const std::string& column, const Key& k) {
  auto it = k.shadows.find(column);
  return it == k.shadows.end() ? column : it->second;
}

std::string MappedList(const std::vector<std::string>& columns, const Key& k) {
  std::string out;
  for (const auto& c : columns) out += (out.empty() ? "" : ", ") + pg::QuoteIdent(Mapped(c, k));
  return out;
}

// The attribute numbers of the key's columns of the table as they are named now.
std::string KeyAttnums(const Key& k) {
  std::string names;
  for (const auto& c : k.constraint->columns) names += (names.empty() ? "" : ", ") + pg::QuoteLiteral(c);
  return "ARRAY(SELECT attnum FROM pg_attribute WHERE attrelid = " + pg::QuoteLiteral(k.table) +
         "::regclass AND attname IN (" + names + "))";
}

std::string OnReferencing(const Key& k) {
  return "k.contype = 'f' AND k.conparentid = 0 AND k.confrelid = " + pg::QuoteLiteral(k.table) +
         "::regclass AND k.confkey && " + KeyAttnums(k);
}

// The foreign keys referencing the key, read at run time so that those of other
// schemas and those added since start count too. `head` is how
// pg_get_constraintdef begins the definition (both name lists come from the
// catalog, quoted as it quotes them); `new_head` names the shadows instead. The
// rest (MATCH, ON DELETE/UPDATE, DEFERRABLE) is kept as PostgreSQL printed it.
std::string ReferencingSql(const Key& k) {
  std::string shadows = pg::QuoteLiteral(nlohmann::json(k.shadows).dump()) + "::jsonb";
  std::string list = "string_agg(quote_ident(a.attname), ', ' ORDER BY c.ord)";
  std::string cols = "FROM unnest(k.conkey) WITH ORDINALITY c(n, ord) JOIN pg_attribute a ON a.attrelid = k.conrelid "
                     "AND a.attnum = c.n";
  std::string refs = "FROM unnest(k.confkey) WITH ORDINALITY c(n, ord) JOIN pg_attribute a ON a.attrelid = "
                     "k.confrelid AND a.attnum = c.n";
  return "SELECT k.conrelid::regclass AS tbl, k.conname, k.convalidated, pg_get_constraintdef(k.oid) AS def, "
         "obj_description(k.oid, 'pg_constraint') AS note, "
         "format('FOREIGN KEY (%s) REFERENCES %s(%s)', own.l, k.confrelid::regclass, ref.l) AS head, "
         "format('FOREIGN KEY (%s) REFERENCES %s(%s)', own.l, k.confrelid::regclass, ref.mapped) AS new_head "
         "FROM pg_constraint k, LATERAL (SELECT " + list + " AS l " + cols + ") own, LATERAL (SELECT " + list +
         " AS l, string_agg(quote_ident(coalesce(" + shadows + " ->> a.attname::text, a.attname)), ', ' ORDER BY "
         "c.ord) AS mapped " + refs + ") ref WHERE " + OnReferencing(k);
}

std::string RefuseNotValid(const Key& k) {
  return "IF NOT r.convalidated THEN RAISE EXCEPTION 'foreign key % of table % references the primary key of % but "
         "is NOT VALID', quote_ident(r.conname), r.tbl, " + pg::QuoteLiteral(k.table) +
         "::regclass USING DETAIL = 'pleat moves the foreign keys of a rebuilt primary key and validates them: "
         "validate it (ALTER TABLE ... VALIDATE CONSTRAINT) or drop it, then run pleat again'; END IF;";
}

// Start: an unvalidated foreign key would be validated by complete, which could fail there.
std::string GuardSql(const Key& k) {
  return "DO $pleat$ DECLARE r record; BEGIN FOR r IN " + ReferencingSql(k) + " LOOP " + RefuseNotValid(k) +
         " END LOOP; END $pleat$";
}

// Drops the foreign keys and keeps, for ReattachSql in the same transaction,
// the statements that add them back NOT VALID on the shadows, with their comments.
std::string DetachSql(const Key& k) {
  return "DO $pleat$ DECLARE r record; again text[] := '{}'; BEGIN FOR r IN " + ReferencingSql(k) + " LOOP " +
         RefuseNotValid(k) +
         " IF left(r.def, length(r.head)) <> r.head THEN RAISE EXCEPTION 'cannot read the definition of foreign key "
         "% of table %: %', quote_ident(r.conname), r.tbl, r.def; END IF;"
         " EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', r.tbl, r.conname);"
         " again := again || format('ALTER TABLE %s ADD CONSTRAINT %I %s%s NOT VALID', r.tbl, r.conname, r.new_head, "
         "substr(r.def, length(r.head) + 1));"
         " IF r.note IS NOT NULL THEN again := again || format('COMMENT ON CONSTRAINT %I ON %s IS %L', r.conname, "
         "r.tbl, r.note); END IF; END LOOP;"
         " PERFORM set_config('pleat.foreign_keys', array_to_json(again)::text, true); END $pleat$";
}

std::string ReattachSql() {
  return "DO $pleat$ DECLARE s text; BEGIN FOR s IN SELECT json_array_elements_text(current_setting("
         "'pleat.foreign_keys')::json) LOOP EXECUTE s; END LOOP; END $pleat$";
}

// After complete renamed the shadows: the foreign keys the swap added back NOT VALID.
std::string ValidateSql(const Key& k) {
  return "DO $pleat$ DECLARE r record; BEGIN FOR r IN SELECT k.conrelid::regclass AS tbl, k.conname FROM "
         "pg_constraint k WHERE NOT k.convalidated AND " + OnReferencing(k) +
         " LOOP EXECUTE format('ALTER TABLE %s VALIDATE CONSTRAINT %I', r.tbl, r.conname); END LOOP; END $pleat$";
}

std::string IndexSql(const Key& k) {
  std::string sql = "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS " + pg::QuoteIdent(k.temp) + " ON " + k.table +
                    " (" + MappedList(k.constraint->columns, k) + ")";
  if (!k.index->include.empty()) sql += " INCLUDE (" + MappedList(k.index->include, k) + ")";
  if (!k.index->storage.empty()) sql += " WITH (" + k.index->storage + ")";
  return sql;
}

// One transaction under ACCESS EXCLUSIVE locks on the table and on each
// referencing table, held only for catalog changes: SET NOT NULL trusts the
// validated NOT NULL checks, USING INDEX adopts the index built at start, and
// the foreign keys come back NOT VALID (ValidateSql scans later, blocking no writes).
std::vector<std::string> SwapSql(const Key& k, const schema::Table& old) {
  const std::string& name = k.constraint->name;
  std::vector<std::string> sql = {DetachSql(k), "ALTER TABLE " + k.table + " DROP CONSTRAINT " + pg::QuoteIdent(name)};
  for (const auto& c : k.constraint->columns)
    if (k.shadows.count(c))
      sql.push_back("ALTER TABLE " + k.table + " ALTER COLUMN " + pg::QuoteIdent(k.shadows.at(c)) + " SET NOT NULL");
  std::string add = "ALTER TABLE " + k.table + " ADD CONSTRAINT " + pg::QuoteIdent(name) + " PRIMARY KEY USING INDEX " +
                    pg::QuoteIdent(k.temp);
  const std::string& def = k.constraint->definition;
  if (def.find(" DEFERRABLE") != std::string::npos)
    add += def.find(" INITIALLY DEFERRED") != std::string::npos ? " DEFERRABLE INITIALLY DEFERRED" : " DEFERRABLE";
  sql.push_back(add);  // the index takes the constraint's name
  std::vector<std::string> columns = k.constraint->columns;
  columns.insert(columns.end(), k.index->include.begin(), k.index->include.end());
  for (const auto& c : columns)  // an index keeps the column names it was built with
    if (k.shadows.count(c))
      sql.push_back("ALTER TABLE " + pg::QualifiedName(k.schema, name) + " RENAME COLUMN " +
                    pg::QuoteIdent(k.shadows.at(c)) + " TO " + pg::QuoteIdent(c));
  sql.push_back(ReattachSql());
  // A replica identity index that is dropped leaves the table as with NOTHING.
  if (old.replica_identity == 'i' && old.replica_identity_index == k.index->name)
    sql.push_back("ALTER TABLE " + k.table + " REPLICA IDENTITY USING INDEX " + pg::QuoteIdent(name));
  return sql;
}

// The key of `table` when a shadow replaces one of its columns, else null.
const schema::Constraint* ShadowedKey(const schema::Table& table, const std::map<std::string, std::string>& shadows) {
  for (const auto& c : table.constraints)
    if (c.type == 'p' && std::any_of(c.columns.begin(), c.columns.end(),
                                     [&](const std::string& col) { return shadows.count(col) > 0; }))
      return &c;
  return nullptr;
}

}  // namespace

Status PlanShadowPrimaryKey(const schema::VirtualSchema& before, const std::string& table,
                            const std::map<std::string, std::string>& shadows, const KeyPlans& plans) {
  const schema::Table* old = before.FindByPhysical(table);
  Key k{old ? ShadowedKey(*old, shadows) : nullptr};
  if (!k.constraint) return Status::Ok();
  k.index = before.FindIndex(k.constraint->index);
  std::string what = "primary key \"" + k.constraint->name + "\" of \"" + old->name + "\"";
  if (!k.index || k.constraint->definition.find(" USING INDEX TABLESPACE ") != std::string::npos)
    return Status::Invalid("cannot rebuild " + what + ": its index is in a tablespace of its own",
                           "move the index to the default tablespace first (ALTER INDEX ... SET TABLESPACE)");
  k.schema = before.schema_name();
  k.table = pg::QualifiedName(k.schema, table);
  k.temp = pg::PleatName("pk", table, k.constraint->name);
  k.shadows = shadows;
  plans.start->AddSql("shadow_key_check." + table, "check the foreign keys referencing " + what, {GuardSql(k)});
  plans.after_shadows->Add(ConcurrentIndexStep(*plans.after_shadows, "shadow_key." + table,
                                               "build the index of " + what + " on the shadows", IndexSql(k),
                                               pg::QualifiedName(k.schema, k.temp)));
  plans.swap->AddSql("shadow_key." + table, "move " + what + " and the foreign keys referencing it to the shadows",
                     SwapSql(k, *old));
  plan::Step validate;  // after the swap, so past the point of no return
  validate.id = plans.after_complete->IdFor("shadow_key_fks." + table);
  validate.description = "validate the foreign keys referencing " + what;
  validate.sql = {ValidateSql(k)};
  validate.dry_run = "skip";  // it scans; no later step needs it
  plans.after_complete->Add(std::move(validate));
  return Status::Ok();
}

}  // namespace pleat::ops

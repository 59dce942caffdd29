// The constraints and indexes half of ReadBaselineTables (history/baseline_constraints.h).
#include "history/baseline_constraints.h"

#include "parse/column_def.h"
#include "pg/quote.h"

namespace pleat::history {
using nlohmann::ordered_json;

const char* const kBaselineConstraintsSql = R"(
SELECT json_build_object('table', r.relname, 'qualified', format('%I.%I', n.nspname, r.relname), 'name', k.conname,
  'type', k.contype, 'def', pg_get_constraintdef(k.oid), 'valid', k.convalidated, 'local', k.conislocal,
  'deferrable', k.condeferrable, 'deferred', k.condeferred, 'no_inherit', k.connoinherit,
  'check', pg_get_expr(k.conbin, k.conrelid),
  'columns', (SELECT json_agg(a.attname ORDER BY u.o) FROM unnest(k.conkey) WITH ORDINALITY u(n, o)
              JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.n),
  'ref_table', fr.relname, 'ref_same_schema', fr.relnamespace = r.relnamespace,
  'ref_columns', (SELECT json_agg(a.attname ORDER BY u.o) FROM unnest(k.confkey) WITH ORDINALITY u(n, o)
                  JOIN pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = u.n),
  'on_update', k.confupdtype, 'on_delete', k.confdeltype, 'match', k.confmatchtype,
  'set_columns', k.confdelsetcols IS NOT NULL,
  'plain_index', (SELECT i.indnkeyatts = i.indnatts AND ic.reloptions IS NULL AND ic.reltablespace = 0
                  FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid WHERE i.indexrelid = k.conindid),
  'nulls_not_distinct', (SELECT i.indnullsnotdistinct FROM pg_index i WHERE i.indexrelid = k.conindid))::text
FROM pg_constraint k JOIN pg_class r ON r.oid = k.conrelid JOIN pg_namespace n ON n.oid = r.relnamespace
LEFT JOIN pg_class fr ON fr.oid = k.confrelid
WHERE r.relnamespace = $1::oid AND r.relkind IN ('r', 'p') AND k.contype IN ('p', 'u', 'c', 'f', 'x')
ORDER BY r.oid, position(k.contype IN 'pucxf'), k.conname)";

// Indexes that back no constraint. A plain one (column keys with default
// opclass, collation and order, no INCLUDE or tablespace) is a create_index.
const char* const kBaselineIndexesSql = R"(
SELECT json_build_object('table', r.relname, 'name', ic.relname, 'def', pg_get_indexdef(i.indexrelid),
  'drop', format('DROP INDEX %I.%I', n.nspname, ic.relname), 'unique', i.indisunique, 'method', am.amname,
  'predicate', pg_get_expr(i.indpred, i.indrelid), 'storage', array_to_string(ic.reloptions, ', '),
  'plain', i.indexprs IS NULL AND i.indnkeyatts = i.indnatts AND ic.reltablespace = 0 AND i.indisvalid
    AND NOT EXISTS (SELECT FROM unnest(i.indoption::int2[]) o WHERE o <> 0)
    AND NOT EXISTS (SELECT FROM unnest(i.indclass::oid[]) oc JOIN pg_opclass op ON op.oid = oc WHERE NOT op.opcdefault)
    AND NOT EXISTS (SELECT FROM unnest(i.indkey::int2[], i.indcollation::oid[]) u(n, coll)
                    JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = u.n WHERE u.coll <> a.attcollation),
  'columns', (SELECT json_agg(a.attname ORDER BY u.o) FROM unnest(i.indkey::int2[]) WITH ORDINALITY u(n, o)
              JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = u.n))::text
FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_class r ON r.oid = i.indrelid
JOIN pg_namespace n ON n.oid = r.relnamespace JOIN pg_am am ON am.oid = ic.relam
WHERE r.relnamespace = $1::oid AND r.relkind IN ('r', 'p')
  AND NOT EXISTS (SELECT FROM pg_constraint k WHERE k.conindid = i.indexrelid AND k.conrelid = i.indrelid
                  AND k.contype IN ('p', 'u', 'x'))
ORDER BY ic.oid)";

// A constraint as create_table's `constraints` item, or as a create_constraint
// (foreign keys, which may reference tables created later), or, when neither
// says all of it, as raw SQL.
void BaselineConstraint(const nlohmann::json& k, std::map<std::string, ordered_json>* tables, BaselineParts* out,
                        std::vector<ordered_json>* foreign_keys) {
  std::string type = k["type"], name = k["name"];
  if (k["local"] != true) return;  // inherited: refused with its table
  bool plain = k["valid"] == true && (type == "c" || type == "f" || k["plain_index"] == true) && type != "x" &&
               (type != "f" || (k["ref_same_schema"] == true && k["set_columns"] == false && k["match"] != "p"));
  if (!plain) {
    std::string table = k["qualified"];
    out->after.push_back({"ALTER TABLE " + table + " ADD CONSTRAINT " + pg::QuoteIdent(name) + " " +
                              std::string(k["def"]),
                          "ALTER TABLE " + table + " DROP CONSTRAINT " + pg::QuoteIdent(name)});
    return;
  }
  ordered_json c = {{"name", name}};
  if (type == "c") {
    c["type"] = "check";
    c["check"] = k["check"];
    if (k["no_inherit"] == true) c["no_inherit"] = true;
  } else {
    c["type"] = type == "p" ? "primary_key" : type == "u" ? "unique" : "foreign_key";
    c["columns"] = k["columns"];
  }
  if (type == "f") {
    c["references"] = {{"table", k["ref_table"]}, {"columns", k["ref_columns"]}};
    if (k["on_delete"] != "a") c["references"]["on_delete"] = parse::ReferentialActionName(k["on_delete"]);
    if (k["on_update"] != "a") c["references"]["on_update"] = parse::ReferentialActionName(k["on_update"]);
    if (k["match"] == "f") c["references"]["match_type"] = "FULL";
  }
  if (k["deferrable"] == true) c["deferrable"] = true;
  if (k["deferred"] == true) c["initially_deferred"] = true;
  if (k["nulls_not_distinct"] == true) c["nulls_not_distinct"] = true;
  if (type != "f") {
    (*tables)[k["table"].get<std::string>()]["constraints"].push_back(c);
    return;
  }
  ordered_json op = {{"table", k["table"]}};
  op.update(c);
  foreign_keys->push_back(op);
}

// A plain index as create_index, any other as its CREATE INDEX.
void BaselineIndex(const nlohmann::json& i, const std::string& source, BaselineParts* out) {
  if (i["plain"] != true) {
    out->after.push_back({i["def"].get<std::string>(), i["drop"].get<std::string>()});
    return;
  }
  ordered_json body = {{"name", i["name"]}, {"table", i["table"]}, {"columns", i["columns"]}};
  if (i["method"] != "btree") body["method"] = i["method"];
  if (i["unique"] == true) body["unique"] = true;
  if (i["predicate"].is_string()) body["predicate"] = i["predicate"];
  if (i["storage"].is_string() && !std::string(i["storage"]).empty()) body["storage_parameters"] = i["storage"];
  out->operations.push_back({"create_index", body, {}, source});
}

}  // namespace pleat::history

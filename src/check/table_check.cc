#include "check/table_check.h"

#include <sstream>

#include "parse/expression.h"
#include "pg/quote.h"

namespace pleat::check {
namespace {

std::string V(const std::string& name) { return "v." + pg::QuoteIdent(name); }

std::vector<std::string> Referenced(const std::string& sql) {
  parse::Expression e;
  return parse::Expression::Parse(sql, &e).ok() ? e.ReferencedColumns() : std::vector<std::string>{};
}

std::string Rows(long long n) { return std::to_string(n) + (n == 1 ? " row" : " rows"); }

std::string DownSql(const Down& d) { return "CAST((" + d.sql + ") AS " + d.type + ")"; }

std::string ForeignKeySql(const Rule& rule) {
  std::string present, match;
  for (size_t i = 0; i < rule.columns.size() && i < rule.ref_columns.size(); ++i) {
    present += (i ? " AND " : "") + V(rule.columns[i]) + " IS NOT NULL";
    match += (i ? " AND " : "") + std::string("r.") + rule.ref_columns[i] + " = " + V(rule.columns[i]);
  }
  return present + " AND NOT EXISTS (SELECT 1 FROM " + rule.ref_table + " r WHERE " + match + ")";
}

const Rule* FindRule(const TableRequirements& r, const std::string& name) {
  for (const auto& rule : r.rules)
    if (rule.name == name) return &rule;
  return nullptr;
}

const Down* FindDown(const TableRequirements& r, const std::string& physical) {
  for (const auto& d : r.downs)
    if (d.physical == physical) return &d;
  return nullptr;
}

}  // namespace

ScanSpec TableCheck::Spec() const {
  ScanSpec spec{options_.schema, r_.physical, "SELECT t.ctid AS \"_pleat_ctid\""};
  for (const auto& c : r_.image) spec.image += ", " + c.sql + " AS " + pg::QuoteIdent(c.physical);
  for (const auto& o : r_.originals) spec.image += ", t." + pg::QuoteIdent(o) + " AS " + pg::QuoteIdent(o);
  spec.image += " FROM " + pg::QualifiedName(options_.schema, r_.physical) + " t";
  for (const auto& c : r_.image)
    if (c.computed && !settled_.count("up:" + c.physical)) spec.sources.push_back({"up:" + c.physical, V(c.physical)});
  for (const auto& p : r_.not_null)
    if (!settled_.count("nn:" + p)) spec.probes.push_back({"nn:" + p, V(p) + " IS NULL"});
  for (const auto& rule : r_.rules) {
    if (rule.type == 'c') spec.probes.push_back({"check:" + rule.name, "NOT " + rule.expression});
    if (rule.type == 'f') spec.probes.push_back({"fk:" + rule.name, ForeignKeySql(rule)});
  }
  for (const auto& d : r_.downs) {
    spec.sources.push_back({"down:" + d.physical, DownSql(d)});
    if (d.round_trip)
      spec.probes.push_back({"rt:" + d.physical, DownSql(d) + "::text IS DISTINCT FROM " + V(d.physical) + "::text"});
  }
  spec.sample_rows = options_.preflight.sample_rows;
  spec.batch_rows = options_.preflight.batch_rows;
  spec.log = options_.log;
  return spec;
}

Finding TableCheck::Base(Severity severity, const std::string& rule, const std::string& object) const {
  Finding f;
  f.severity = severity;
  f.rule = rule;
  f.operation = r_.operation;
  f.operation_key = r_.operation_key;
  f.object = "table \"" + r_.table + "\"" + (object.empty() ? "" : " " + object);
  return f;
}

// A query that does not compile (SQLSTATE class 42 but 42501, no right: an
// unknown function, type or column) fails start the same way: an error.
Finding TableCheck::Incomplete(const std::string& object, const std::string& what, const Status& why) const {
  const std::string& state = why.sqlstate();
  if (state.size() == 5 && state.compare(0, 2, "42") == 0 && state != "42501") {
    Finding f = Base(Severity::kError, "invalid-expression", object);
    f.message = "an expression of the operation does not compile: " + why.message();
    f.fix = "fix the expression (up, down, check or default); start would fail on it";
    return f;
  }
  Finding f = Base(Severity::kWarning, "preflight-incomplete", object);
  f.message = "could not " + what + ": " + why.message();
  f.fix = why.sqlstate() == "57014" ? "raise --statement-timeout, or check a --sample"
          : why.sqlstate().empty()  ? "fix the rows `up` raises for, then check again"
                                    : "the expression fails for every row: fix it and check again";
  return f;
}

std::string TableCheck::Example(const std::string& ctid, const std::vector<std::string>& names) const {
  pg::Result res;
  std::string text = KeyOfRow(conn_, walk_, ctid);
  std::string select;
  for (const auto& n : names) select += (select.empty() ? "" : ", ") + V(n) + "::text";
  if (select.empty() ||
      !Guarded(conn_, "SELECT " + select + " FROM (" + Spec().image + " WHERE " + CtidIn({ctid}) + ") v", &res).ok() ||
      res.rows() != 1)
    return text;
  for (size_t i = 0; i < names.size(); ++i) {
    int c = static_cast<int>(i);
    const ImageColumn* image = r_.FindImage(names[i]);  // shown by the name the file uses
    text += (i ? ", " : ": ") + (image ? image->name : names[i]) + "=" + (res.IsNull(0, c) ? "NULL" : pg::QuoteLiteral(res.Get(0, c)));
  }
  return text;
}

Status TableCheck::Marked(const std::string& id, const Hits& hits, std::vector<Finding>* out) {
  std::string kind = id.substr(0, id.find(':')), name = id.substr(id.find(':') + 1);
  std::vector<std::string> names = {name};
  Finding f;
  if (kind == "nn") {
    const ImageColumn* c = r_.FindImage(name);
    f = Base(Severity::kError, "not-null-violation", "column \"" + c->name + "\"");
    f.message = Rows(hits.count) + " would hold NULL in NOT NULL column \"" + c->name + "\"" + (c->up.empty() ? "" : " after `up`");
    f.fix = "make `up` give these rows a value, e.g. `up: coalesce(" + (c->up.empty() ? c->name : c->up) + ", <fallback>)`";
    if (!c->up.empty()) names = Referenced(c->up);
  } else if (kind == "check" || kind == "fk") {
    const Rule* rule = FindRule(r_, name);
    bool check = kind == "check";
    f = Base(Severity::kError, check ? "check-violation" : "foreign-key-violation", "constraint \"" + name + "\"");
    f.message = Rows(hits.count) + (check ? " would fail check \"" + name + "\" after `up`"
                                          : " would reference no row of " + rule->ref_table + " after `up`");
    f.fix = check ? "make `up` give these rows values that pass the check, or correct the rows before starting"
                  : "make `up` map these values to an existing row (or NULL), or add the missing rows before starting";
    names = check ? Referenced(rule->expression) : rule->columns;
  } else {  // rt
    const Down* d = FindDown(r_, name);
    f = Base(Severity::kWarning, "round-trip-changes", "column \"" + name + "\"");
    f.message = "down(up(x)) differs from x for " + Rows(hits.count) +
                ": after a new-version write of such a row, the old version reads a changed value";
    f.fix = "if the old version must read these values back unchanged, make `down` invert `up`; otherwise ignore this";
    for (const auto& n : Referenced(d->sql)) names.push_back(n);
  }
  f.count = hits.count;
  for (const auto& ctid : hits.ctids) f.examples.push_back(Example(ctid, names));
  out->push_back(f);
  return Status::Ok();
}

Status TableCheck::Raised(const std::string& id, const Hits& hits, std::vector<Finding>* out) {
  std::string kind = id.substr(0, id.find(':')), name = id.empty() ? "" : id.substr(id.find(':') + 1);
  Finding f;
  std::vector<std::string> names;
  if (kind == "up") {
    const ImageColumn* c = r_.FindImage(name);
    f = Base(Severity::kError, "up-raises", "column \"" + c->name + "\"");
    f.message = "`up` of column \"" + c->name + "\" raises for " + Rows(hits.count) + " (the backfill would stop there)";
    f.fix = "make `up` handle these values, e.g. `CASE WHEN <value is valid> THEN " + c->up + " END`";
    names = Referenced(c->up);
  } else if (kind == "down") {
    f = Base(Severity::kError, "down-raises", "column \"" + name + "\"");
    f.message = "`down` of column \"" + name + "\" raises on the values `up` gives " + Rows(hits.count) +
                " (new-version writes of these rows would fail)";
    f.fix = "make `down` handle every value `up` produces";
    names = Referenced(FindDown(r_, name)->sql);
  } else {
    f = Base(Severity::kError, "expression-raises", kind.empty() ? "" : "\"" + name + "\"");
    f.message = (kind.empty() ? std::string("evaluating this operation") : "the " + kind + " test of \"" + name + "\"") +
                " raises for " + Rows(hits.count);
    f.fix = "make the expressions of this operation handle these rows";
  }
  f.count = hits.count;
  for (size_t i = 0; i < hits.ctids.size(); ++i)
    f.examples.push_back(Example(hits.ctids[i], names) + " -> " + hits.messages[i]);
  out->push_back(f);
  return Status::Ok();
}

Status TableCheck::Unique(const Rule& rule, const ScanResult& scan, std::vector<Finding>* out) {
  std::string cols, present;
  for (const auto& c : rule.columns) {
    cols += (cols.empty() ? "" : ", ") + V(c);
    present += (present.empty() ? "" : " AND ") + V(c) + " IS NOT NULL";
  }
  std::string where = options_.preflight.sample_rows == 0 ? "true" : scan.sample.empty() ? "false" : CtidIn(scan.sample);
  std::string sql =
      "SELECT count(*) OVER (), sum(n) OVER (), n, vals, array_to_string(ctids[1:3], ' ') FROM (SELECT count(*) AS n, "
      "array_agg(v.\"_pleat_ctid\"::text ORDER BY v.\"_pleat_ctid\") AS ctids, ROW(" + cols + ")::text AS vals FROM (" +
      Spec().image + " WHERE " + where + ") v WHERE " + present + " GROUP BY " + cols +
      " HAVING count(*) > 1) g ORDER BY n DESC, vals LIMIT 5";
  pg::Result res;
  Status s = Guarded(conn_, sql, &res);
  if (!s.ok()) {
    if (!s.sqlstate().empty()) out->push_back(Incomplete("constraint \"" + rule.name + "\"", "look for duplicates", s));
    return s.sqlstate().empty() ? s : Status::Ok();
  }
  if (res.rows() == 0) return Status::Ok();
  Finding f = Base(Severity::kError, "unique-violation", "constraint \"" + rule.name + "\"");
  f.count = std::stoll(res.Get(0, 0));
  f.message = std::to_string(f.count) + (f.count == 1 ? " group" : " groups") + " of rows (" + res.Get(0, 1) + " rows) would share a value of unique \"" +
              rule.name + "\" after `up`";
  f.fix = "make `up` give distinct values (e.g. add the key to them), or remove the duplicates before starting";
  for (int g = 0; g < res.rows(); ++g) {
    std::string example = res.Get(g, 3) + " in " + res.Get(g, 2) + " rows:";
    std::istringstream ctids(res.Get(g, 4));
    for (std::string ctid; ctids >> ctid;) example += " " + Example(ctid, {});
    f.examples.push_back(example);
  }
  out->push_back(f);
  return Status::Ok();
}

// NOT NULL columns whose constraint is validated (PostgreSQL 18 sets
// attnotnull for a NOT VALID one too).
constexpr const char* kNotNullSql = R"(
SELECT a.attname FROM pg_catalog.pg_attribute a
WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped AND a.attnotnull
  AND NOT EXISTS (SELECT FROM pg_catalog.pg_constraint k WHERE k.conrelid = a.attrelid AND k.contype = 'n'
                  AND NOT k.convalidated AND a.attnum = ANY (k.conkey)))";

bool IsConstant(const std::string& up) {
  parse::Expression e;
  return parse::Expression::Parse(up, &e).ok() && e.IsConstant();
}

Status TableCheck::Settle() {
  pg::Result res;
  Status s = conn_->ExecParams(kNotNullSql, {pg::QualifiedName(options_.schema, r_.physical)}, &res);
  std::set<std::string> not_null;
  for (int r = 0; s.ok() && r < res.rows(); ++r) not_null.insert(res.Get(r, 0));
  for (const auto& c : r_.image) {
    if (!s.ok() || !c.computed) continue;
    if (!c.copies.empty()) {
      if (c.copies_same_type) settled_.insert("up:" + c.physical);
      if (c.copies_same_type && not_null.count(c.copies)) settled_.insert("nn:" + c.physical);
      continue;
    }
    if (!IsConstant(c.up) || !Guarded(conn_, "SELECT (" + c.sql + ") IS NULL", &res).ok()) continue;
    settled_.insert("up:" + c.physical);
    if (res.Get(0, 0) == "f") settled_.insert("nn:" + c.physical);
  }
  return s;
}

Status TableCheck::Run(std::vector<Finding>* out) {
  Status s = backfill::TableWalk::Open(conn_, options_.schema, r_.physical, &walk_);
  if (s.ok()) s = Settle();
  ScanSpec spec = Spec();
  ScanResult scan;
  if (s.ok() && (!spec.probes.empty() || !spec.sources.empty() || spec.sample_rows > 0)) s = Scan(conn_, spec, &scan);
  for (const auto& [id, hits] : scan.marked)
    if (s.ok()) s = Marked(id, hits, out);
  for (const auto& [id, hits] : scan.raised)
    if (s.ok()) s = Raised(id, hits, out);
  if (s.ok() && !scan.unavailable.ok()) out->push_back(Incomplete("", "check the rows", scan.unavailable));
  bool computable = scan.raised.empty() && scan.unavailable.ok();  // else grouping would raise too
  for (const auto& rule : r_.rules) {
    if (!s.ok() || rule.type != 'u') continue;
    if (computable) s = Unique(rule, scan, out);
    else out->push_back(Incomplete("constraint \"" + rule.name + "\"", "look for duplicates",
                                   Status::Invalid("`up` raises for some rows")));
  }
  return s;
}

}  // namespace pleat::check

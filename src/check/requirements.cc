#include "check/requirements.h"

#include <map>
#include <regex>
#include <set>
#include <string_view>
#include <unordered_map>

#include "ops/type_change.h"
#include "parse/expression.h"
#include "pg/quote.h"

namespace pleat::check {
namespace {

using schema::Column;
using schema::Table;

std::string Cast(const std::string& sql, const std::string& type) { return "CAST((" + sql + ") AS " + type + ")"; }

std::string Unquote(std::string name) {
  if (name.size() < 2 || name.front() != '"') return name;
  name = name.substr(1, name.size() - 2);
  for (size_t at = name.find("\"\""); at != std::string::npos; at = name.find("\"\"", at + 1)) name.erase(at, 1);
  return name;
}

// "(\"a\", \"b\")" as IdentList renders it -> {a, b} (quoted when `keep_quotes`).
std::vector<std::string> SplitIdents(const std::string& list, bool keep_quotes) {
  std::vector<std::string> out;
  static const std::regex kIdent(R"("(?:[^"]|"")*"|[^"(), ]+)");
  for (std::sregex_iterator it(list.begin(), list.end(), kIdent), end; it != end; ++it)
    out.push_back(keep_quotes ? it->str() : Unquote(it->str()));
  return out;
}

// `text` with each column the table shows replaced by its image (physical) name.
std::string OnImage(const std::string& text, const Table& table) {
  parse::Expression e;
  if (!parse::Expression::Parse(text, &e).ok()) return text;
  std::map<std::string, std::string> names;
  for (const auto& c : table.columns) names[c.name] = pg::QuoteIdent(c.physical);
  return e.RenameColumns(names, /*include_subqueries=*/true);
}

// True when `text` is just a reference to a column: a down that copies a value back.
bool IsBareColumn(const std::string& text) {
  parse::Expression e;
  if (!parse::Expression::Parse(text, &e).ok() || e.column_refs().size() != 1) return false;
  std::string rest;
  for (char ch : text)
    if (ch != '(' && ch != ')' && ch != ' ') rest += ch;
  return rest.size() == e.column_refs()[0].length;
}

ImageColumn ImageOf(const Column& c, const Table* catalog) {
  ImageColumn image{c.name, c.physical, pg::QuoteIdent(c.physical)};
  if (c.up) {
    image.sql = Cast(*c.up, c.type);
    image.up = *c.up;
    parse::Expression e;
    const Column* copied = IsBareColumn(*c.up) && parse::Expression::Parse(*c.up, &e).ok() && catalog
                               ? catalog->FindByPhysical(e.column_refs()[0].name)
                               : nullptr;
    if (copied) {
      image.copies = copied->physical;
      image.copies_same_type = ops::SameType(copied->type, c.type);
    }
  } else if (c.added) {
    image.sql = c.identity || c.generated ? Cast("NULL", c.type) : Cast(c.default_sql.value_or("NULL"), c.type);
  } else if (const Column* old = catalog ? catalog->FindByPhysical(c.physical) : nullptr;
             old && !ops::SameType(old->type, c.type)) {
    image.sql = Cast(image.sql, c.type);  // retyped in place
  }
  return image;
}

// Constraints by name: on the table, and the ones waiting on its shadows.
std::map<std::string, schema::Constraint> Constraints(const Table& table) {
  std::map<std::string, schema::Constraint> out;
  for (const auto& k : table.constraints) out[k.name] = k;
  for (const auto& sh : table.shadows)
    for (const auto& k : sh.constraints) out.emplace(k.name, k);
  return out;
}

// The check's expression: "CHECK (x > 0) NO INHERIT" -> "(x > 0)".
std::string CheckExpression(const std::string& definition) {
  std::string text = definition.substr(definition.find('('));
  for (const char* tail : {" NOT VALID", " NO INHERIT"})
    if (size_t at = text.rfind(tail); at != std::string::npos && at + std::string(tail).size() == text.size())
      text.erase(at);
  return text;
}

bool ForeignKeyRule(const schema::Constraint& k, const schema::VirtualSchema& schema, Rule* rule) {
  static const std::regex kFk(R"(^FOREIGN KEY (\([^)]*\)) REFERENCES ((?:"(?:[^"]|"")*"|[^ (])+)( ?\([^)]*\))?)");
  std::smatch m;
  if (!std::regex_search(k.definition, m, kFk)) return false;
  rule->ref_table = m[2];
  for (const auto& t : schema.tables())  // created by the file: no table to read yet, and it starts empty
    if (t.created && pg::QualifiedName(schema.schema_name(), t.physical) == rule->ref_table) return false;
  rule->ref_columns = SplitIdents(m[3], /*keep_quotes=*/true);
  const Table* ref = nullptr;
  for (const auto& t : schema.tables())
    if (pg::QualifiedName(schema.schema_name(), t.physical) == rule->ref_table) ref = &t;
  if (rule->ref_columns.empty() && ref)  // no columns named: the referenced table's primary key
    for (const auto& name : ref->primary_key) rule->ref_columns.push_back(pg::QuoteIdent(ref->FindColumn(name)->physical));
  // A referenced column the migration rebuilds (a shadow, empty until the
  // backfill) is read as its `up` of the referenced table's rows.
  if (!ref) return !rule->ref_columns.empty();
  std::string image;
  bool rebuilt = false;
  for (const auto& quoted : rule->ref_columns) {
    const Column* c = nullptr;
    for (const auto& col : ref->columns)
      if (pg::QuoteIdent(col.physical) == quoted) c = &col;
    rebuilt = rebuilt || (c && c->up);
    image += std::string(image.empty() ? "" : ", ") + (c && c->up ? Cast(*c->up, c->type) : quoted) + " AS " + quoted;
  }
  if (rebuilt) rule->ref_table = "(SELECT " + image + " FROM " + rule->ref_table + ")";
  return !rule->ref_columns.empty();
}

// The constraints `after` adds to the table, and those the operation builds on it that `after` does not list.
void AddRules(const Table& after, const Table& before, const std::vector<schema::Constraint>& pending,
              const schema::VirtualSchema& schema, TableRequirements* out) {
  std::map<std::string, schema::Constraint> added = Constraints(after);
  for (const auto& name_constraint : Constraints(before)) added.erase(name_constraint.first);
  for (const auto& k : pending) added.emplace(k.name, k);
  for (const auto& [name, k] : added) {
    Rule rule{name, k.type == 'p' ? 'u' : k.type, k.columns};
    if (rule.type == 'c') rule.expression = CheckExpression(k.definition);
    if (rule.type == 'f' && !ForeignKeyRule(k, schema, &rule)) continue;
    if (rule.type == 'c' || rule.type == 'u' || rule.type == 'f') out->rules.push_back(rule);
  }
}

void AddColumns(const Table& after, const Table& before, const Table* catalog, TableRequirements* out) {
  std::unordered_map<std::string_view, const Column*> was;  // linear in the columns, not their square
  for (const auto& c : before.columns) was.emplace(c.physical, &c);
  for (const auto& c : after.columns) {
    out->image.push_back(ImageOf(c, catalog));
    auto it = was.find(c.physical);
    const Column* prev = it == was.end() ? nullptr : it->second;
    bool changed = !prev || prev->up != c.up;
    out->image.back().computed = c.up && changed;
    if (!c.nullable && !c.identity && !c.generated && (changed || prev->nullable)) out->not_null.push_back(c.physical);
  }
}

void AddDowns(const Table& after, const Table& before, const Table* catalog, TableRequirements* out) {
  for (const auto& h : after.hidden) {
    out->originals.push_back(h.physical);
    const Column* original = catalog ? catalog->FindByPhysical(h.physical) : nullptr;
    if (!h.down || !original) continue;
    bool changed = true;
    for (const auto& p : before.hidden) changed = changed && !(p.physical == h.physical && p.down == h.down);
    if (!changed) continue;
    bool replaced = false;  // still shown through a shadow: the value should survive the round trip
    for (const auto& sh : after.shadows) replaced = replaced || sh.original == h.physical;
    out->downs.push_back({h.physical, original->type, OnImage(*h.down, after), replaced && !IsBareColumn(*h.down)});
  }
}

}  // namespace

bool TableRequirements::Empty() const {
  for (const auto& c : image)
    if (c.computed) return false;
  return not_null.empty() && rules.empty() && downs.empty();
}

const ImageColumn* TableRequirements::FindImage(const std::string& physical) const {
  for (const auto& c : image)
    if (c.physical == physical) return &c;
  return nullptr;
}

Status DeriveRequirements(const migration::Migration& m, size_t i,
                          const schema::VirtualSchema& catalog, const schema::VirtualSchema& before,
                          const schema::VirtualSchema& after, std::vector<TableRequirements>* out) {
  for (const auto& physical : after.ChangedTables()) {  // the tables the operation touched, in schema order
    const Table* changed = after.FindByPhysical(physical);
    if (!changed || changed->created) continue;
    const Table& table = *changed;
    const Table* prev = before.FindByPhysical(table.physical);
    if (!prev || prev == &table || prev->created) continue;  // the same object: the operation left it alone
    TableRequirements r{static_cast<int>(i + 1), std::string(m.operations[i]->Key()), table.name, table.physical};
    const Table* in_catalog = catalog.FindByPhysical(table.physical);
    AddColumns(table, *prev, in_catalog, &r);
    std::vector<schema::Constraint> pending;
    m.operations[i]->AddPendingConstraints(after, table, &pending);
    AddRules(table, *prev, pending, after, &r);
    AddDowns(table, *prev, in_catalog, &r);
    if (!r.Empty()) out->push_back(std::move(r));
  }
  return Status::Ok();
}

}  // namespace pleat::check

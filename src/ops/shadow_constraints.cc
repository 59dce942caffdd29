// The constraints of shadow columns (ops/shadow_constraints.h).
#include "ops/shadow_constraints.h"

#include <algorithm>

#include "parse/statements.h"
#include "pg/quote.h"

namespace pleat::ops {
namespace {

using schema::Constraint;

// The shadowed column of `k` that plans it: the first in key order, so a
// constraint over several replaced columns is rebuilt once, on all of them.
bool PlansConstraint(const Constraint& k, const ShadowTarget& t) {
  for (const auto& c : k.columns)
    if (t.shadows.count(c)) return c == t.original;
  return false;
}

// `k`'s columns with each shadowed one replaced by its shadow, quoted, comma-separated.
std::string MappedColumns(const Constraint& k, const ShadowTarget& t) {
  std::string out;
  for (const auto& c : k.columns) {
    auto it = t.shadows.find(c);
    out += (out.empty() ? "" : ", ") + pg::QuoteIdent(it == t.shadows.end() ? c : it->second);
  }
  return out;
}

// Rewrites the column references of a constraint definition that `renames`
// names, by their parse-tree locations (the definition is parsed inside an ALTER TABLE).
bool RenameInDefinition(const std::string& definition, const std::map<std::string, std::string>& renames,
                        std::string* out) {
  std::string prefix = "ALTER TABLE t ADD CONSTRAINT c ";
  parse::Statements parsed;
  if (!parse::Statements::Parse(prefix + definition, &parsed).ok() || parsed.statements().size() != 1) return false;
  std::vector<std::pair<size_t, std::string>> at;  // location, column
  std::vector<const nlohmann::json*> stack = {&parsed.statements()[0].tree};
  while (!stack.empty()) {
    const nlohmann::json* node = stack.back();
    stack.pop_back();
    if (node->is_object() && node->contains("fields") && node->contains("location") && (*node)["fields"].size() == 1) {
      std::string name = (*node)["fields"][0].value("String", nlohmann::json::object()).value("sval", "");
      if (renames.count(name)) at.push_back({(*node)["location"].get<size_t>(), name});
    }
    if (node->is_structured())
      for (const auto& child : *node) stack.push_back(&child);
  }
  std::string text = prefix + definition;
  std::sort(at.rbegin(), at.rend());
  for (const auto& [pos, name] : at) {
    size_t len = text[pos] == '"' ? pg::QuoteIdent(name).size() : name.size();
    text.replace(pos, len, pg::QuoteIdent(renames.at(name)));
  }
  *out = text.substr(prefix.size());
  return true;
}

// The temporary name of constraint `name` rebuilt on a shadow. A table's CHECK
// constraints are evaluated in name order (as are the RI triggers of foreign
// keys, by OID): right after the original's, so a write that breaks both is
// reported under the user's name.
std::string Rebuilt(const std::string& name) { return pg::FitIdentifier(name + "_pleat_new"); }

// A unique constraint to build on the shadows: its name, its columns, and the
// index built at start. A new one's index has its final name at once (validation
// claimed it), so a duplicate is reported under the user's name; a rebuilt one's
// cannot while the original's index holds it (that index, older, is checked first).
struct Unique {
  std::string name, columns, index;
};

// The original's unique constraints (over one or several columns), and the new ones.
std::vector<Unique> Uniques(const schema::Table& old, const schema::Shadow& sh, const ShadowTarget& t) {
  std::vector<Unique> out;
  for (const Constraint& k : old.constraints)
    if (k.type == 'u' && PlansConstraint(k, t))
      out.push_back({k.name, MappedColumns(k, t), ShadowTemp("uq", t, k.name)});
  for (const Constraint& k : sh.constraints)
    if (k.type == 'u') out.push_back({k.name, pg::QuoteIdent(t.shadow), k.name});
  return out;
}

}  // namespace

std::string ShadowTemp(const std::string& kind, const ShadowTarget& t, const std::string& name) {
  return pg::PleatName(kind, t.physical, name);
}

// Constraints of the original carried over to the shadow (under temporary names
// until complete, while the original's still exist), and new ones.
void StartShadowConstraints(const schema::Table& old, const schema::Shadow& sh, const ShadowTarget& t,
                            std::vector<std::string>* sql, std::vector<std::pair<std::string, std::string>>* renames) {
  for (const Constraint& k : old.constraints) {
    if ((k.type != 'c' && k.type != 'f') || !PlansConstraint(k, t)) continue;
    std::string def;
    if (!RenameInDefinition(k.definition, t.shadows, &def)) continue;
    // A foreign key's own columns are a name list, not expressions: rebuild it from the catalog's list.
    if (k.type == 'f') def = "FOREIGN KEY (" + MappedColumns(k, t) + ")" + k.definition.substr(k.definition.find(')') + 1);
    const std::string kNotValid = " NOT VALID";
    if (def.size() > kNotValid.size() && def.compare(def.size() - kNotValid.size(), kNotValid.size(), kNotValid) == 0)
      def.resize(def.size() - kNotValid.size());
    sql->push_back("ALTER TABLE " + t.table + " ADD CONSTRAINT " + pg::QuoteIdent(Rebuilt(k.name)) + " " + def +
                   " NOT VALID");
    renames->push_back({Rebuilt(k.name), k.name});
  }
  for (const Constraint& k : sh.constraints)
    if (k.type != 'u')
      sql->push_back("ALTER TABLE " + t.table + " ADD CONSTRAINT " + pg::QuoteIdent(k.name) + " " + k.definition +
                     " NOT VALID");
}

// Unique constraints: built concurrently on the shadows at start, attached at complete.
void PlanShadowUniques(const schema::Table& old, const schema::Shadow& sh, const ShadowTarget& t,
                       const std::string& what, plan::Plan* after_shadows, std::vector<std::string>* final_sql) {
  for (const auto& [name, columns, index] : Uniques(old, sh, t)) {
    plan::Step step;
    step.id = after_shadows->IdFor("shadow_unique." + t.key + "." + name);
    step.description = "build unique index \"" + name + "\" on the shadow of " + what;
    step.sql = {"CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS " + pg::QuoteIdent(index) + " ON " + t.table + " (" + columns + ")"};
    step.transactional = false;
    step.payload = {{"invalid_index", pg::QualifiedName(t.schema, index)}};
    after_shadows->Add(step);
    final_sql->push_back("ALTER TABLE " + t.table + " ADD CONSTRAINT " + pg::QuoteIdent(name) + " UNIQUE USING INDEX " +
                         pg::QuoteIdent(index));
    // An index keeps the column names it was built with; the shadows' names must not outlive it.
    for (const auto& [original, physical] : t.shadows)
      if (columns.find(pg::QuoteIdent(physical)) != std::string::npos)
        final_sql->push_back("ALTER TABLE " + pg::QualifiedName(t.schema, name) + " RENAME COLUMN " +
                             pg::QuoteIdent(physical) + " TO " + pg::QuoteIdent(original));
  }
}

}  // namespace pleat::ops

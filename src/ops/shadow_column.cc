#include "ops/shadow_column.h"

#include <map>

#include "ops/common.h"
#include "parse/expression.h"
#include "pg/quote.h"

namespace pleat::ops {
namespace {

Status CheckShadowable(const schema::Table& table, const schema::Column& column) {
  std::string what = "column \"" + column.name + "\" of table \"" + table.name + "\"";
  if (table.created || column.added)
    return Status::Invalid("cannot alter " + what + ": this migration creates it",
                           "put the change in the operation that creates it");
  if (column.identity || column.generated)
    return Status::Invalid("cannot rebuild " + what + " beside the original: it is an identity or generated column",
                           "change it in a separate migration with `sql`, or add a new column instead");
  return Status::Ok();
}

schema::HiddenColumn* FindHidden(schema::Table* table, const std::string& physical) {
  for (auto& h : table->hidden)
    if (h.physical == physical) return &h;
  return nullptr;
}

}  // namespace

schema::Shadow* FindShadow(schema::Table* table, const std::string& column) {
  const schema::Column* c = table->FindColumn(column);
  if (!c) return nullptr;
  for (auto& sh : table->shadows)
    if (sh.physical == c->physical) return &sh;
  return nullptr;
}

Status ShadowFor(schema::Table* table, const std::string& column, schema::Shadow** out) {
  if ((*out = FindShadow(table, column))) return Status::Ok();
  schema::Column* c = nullptr;
  Status s = FindColumn(table, column, &c);
  if (s.ok()) s = CheckShadowable(*table, *c);
  if (!s.ok()) return s;
  schema::Shadow sh{c->physical, pg::PleatName("new", c->physical), c->comment, {}};
  // Until an operation says otherwise each side sees the other's value unchanged.
  table->hidden.push_back(schema::HiddenColumn{c->physical, pg::QuoteIdent(column)});
  c->up = pg::QuoteIdent(c->physical);
  c->physical = sh.physical;
  c->added = true;
  table->shadows.push_back(sh);
  *out = &table->shadows.back();
  return Status::Ok();
}

void ComposeUp(schema::Table* table, const std::string& column, const std::string& up) {
  parse::Expression e;
  if (!parse::Expression::Parse(up, &e).ok()) return;  // the caller checked it
  std::map<std::string, std::string> old_value;
  for (const auto& ref : e.ReferencedColumns())
    if (const schema::Column* c = table->FindColumn(ref))
      old_value[ref] = c->added && c->up ? "(" + *c->up + ")" : pg::QuoteIdent(c->physical);
  table->MutableColumn(column)->up = e.RenameColumns(old_value);
}

void ComposeDown(schema::Table* table, const std::string& column, const std::string& down) {
  schema::Shadow* sh = FindShadow(table, column);
  schema::HiddenColumn* h = sh ? FindHidden(table, sh->original) : nullptr;
  parse::Expression e;
  if (!h || !h->down || !parse::Expression::Parse(*h->down, &e).ok()) return;
  h->down = e.RenameColumns({{column, "(" + down + ")"}});
}

}  // namespace pleat::ops

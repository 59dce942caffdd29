// AlterColumn's parsing (declared in ops/alter_column.h): the file's fields,
// the sub-changes' own objects, and `up`/`down` as pgroll lets users write them;
// and the column as the file writes it, for lint.
#include <algorithm>
#include <cctype>

#include "ops/alter_column.h"
#include "ops/rename_column.h"
#include "parse/expression.h"
#include "parse/field_reader.h"
#include "parse/typed_text.h"

namespace pleat::ops {
namespace {

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), ::tolower);
  return s;
}

// pgroll accepts `up: SELECT <expression>`; the expression is what counts.
void StripSelect(std::optional<std::string>* text) {
  parse::Expression e;
  if (!*text || parse::Expression::Parse(**text, &e).ok() || Lower((*text)->substr(0, 7)) != "select ") return;
  if (parse::Expression::Parse((*text)->substr(7), &e).ok()) *text = (*text)->substr(7);
}

}  // namespace

Status AlterColumn::Parse(const nlohmann::json& body, const std::string& where, std::unique_ptr<Operation>* out) {
  auto op = std::make_unique<AlterColumn>();
  Status s = parse::FieldReader::RequireObject(body, where);
  if (s.ok()) s = op->ParseBody(body, where);
  if (s.ok()) *out = std::move(op);
  return s;
}

Status AlterColumn::ParseBody(const nlohmann::json& body, const std::string& where) {
  parse::FieldReader r(body, where);
  const nlohmann::json *check = nullptr, *unique = nullptr, *references = nullptr;
  Status s = r.String("table", &table_);
  if (s.ok()) s = r.String("column", &column_);
  if (s.ok()) s = r.OptString("name", &name_);
  if (s.ok()) s = r.OptString("type", &type_);
  if (s.ok()) s = r.OptBool("nullable", &nullable_);
  if (s.ok()) s = r.NullableString("default", &has_default_, &default_);
  if (s.ok()) s = r.NullableString("comment", &has_comment_, &comment_);
  if (s.ok()) s = r.OptObject("check", &check);
  if (s.ok()) s = r.OptObject("unique", &unique);
  if (s.ok()) s = r.OptObject("references", &references);
  if (s.ok()) s = r.OptString("up", &up_);
  if (s.ok()) s = r.OptString("down", &down_);
  if (s.ok()) s = r.Finish();
  if (!s.ok()) return s;
  for (auto* text : {&up_, &down_}) {
    if (*text && (*text)->empty()) text->reset();
    StripSelect(text);
  }
  s = ParseTypedFields(where);
  return s.ok() ? ParseSubChanges(check, unique, references, where) : s;
}

// The fields pasted into SQL as written, each parsed as what it claims to be.
Status AlterColumn::ParseTypedFields(const std::string& where) const {
  std::string what = " of column \"" + column_ + "\"";
  Status s = type_ ? parse::ParseTypeName(*type_).WithContext(where + ": type" + what) : Status::Ok();
  const std::pair<const char*, const std::optional<std::string>*> expressions[] = {
      {"default", &default_}, {"up", &up_}, {"down", &down_}};
  for (const auto& [field, text] : expressions) {
    parse::Expression e;
    if (!s.ok() || !*text) continue;
    s = parse::Expression::Parse(**text, &e)
            .WithContext(where + ": " + field + what)
            .WithHint(std::string("write `") + field + "` as one SQL expression");
  }
  return s;
}

Status AlterColumn::ParseSubChanges(const nlohmann::json* check, const nlohmann::json* unique,
                                     const nlohmann::json* references, const std::string& where) {
  Status s = Status::Ok();
  if (unique) {
    parse::FieldReader u(*unique, where + " unique");
    s = u.OptString("name", &unique_);
    if (s.ok()) s = u.Finish();
    if (s.ok() && !unique_) return Status::Invalid(where + ": unique needs a name", "add `name:` to `unique`");
  }
  nlohmann::json column = {{"name", column_}, {"type", "text"}, {"nullable", true}};
  if (check) column["check"] = *check;
  if (references) column["references"] = *references;
  if (s.ok()) s = parse::ColumnDef::Parse(column, where, &constraints_);
  if (s.ok() && name_) s = RenameColumn::Parse({{"table", table_}, {"from", column_}, {"to", *name_}}, where, &rename_);
  return s;
}

void AlterColumn::AddWrittenColumns(std::vector<WrittenColumn>* out) const {
  if (type_) out->push_back({table_, column_, *type_, false, false, /*retyped=*/true});
}

}  // namespace pleat::ops

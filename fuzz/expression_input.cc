#include "fuzz_inputs.h"

#include <map>

#include "parse/expression.h"
#include "parse/typed_text.h"

namespace pleat::fuzz {

std::string RunExpressionInput(const std::string& data) {
  if (data.empty()) return "";
  std::string text = data.substr(1);
  switch (data[0]) {
    case 'T': (void)parse::ParseTypeName(text); return "";
    case 'S': (void)parse::ParseSequenceOptions(text); return "";
    case 'C': (void)parse::CheckNoOpenLineComment(text); return "";
  }
  parse::Expression e;
  if (!parse::Expression::Parse(text, &e).ok()) return "";
  // What the triggers do with an `up` or `down`: every column becomes NEW."column".
  std::map<std::string, std::string> renames;
  for (const auto& ref : e.column_refs()) {
    if (ref.offset + ref.length > text.size()) return "a column reference lies outside the text";
    renames[ref.name] = "NEW.\"x\"";
  }
  (void)e.ReferencedColumns();
  for (bool subqueries : {false, true}) {
    std::string renamed = e.RenameColumns(renames, subqueries);
    parse::Expression again;
    Status s = parse::Expression::Parse(renamed, &again);
    if (!s.ok()) return "the renamed expression `" + renamed + "` does not parse: " + s.message();
  }
  return "";
}

}  // namespace pleat::fuzz

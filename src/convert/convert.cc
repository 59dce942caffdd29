#include "convert/convert.h"

#include <algorithm>
#include <cctype>
#include <filesystem>

#include "convert/converters.h"
#include "parse/statements.h"

namespace pleat::convert {
namespace {

// The statement without the comments and blank lines before it ("-- CreateTable"
// above each statement of `prisma migrate diff`, its "/* Warnings: */" block).
std::string WithoutLeadingComments(const std::string& text) {
  size_t i = 0;
  while (i < text.size()) {
    if (std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    else if (text.compare(i, 2, "--") == 0) i = std::min(text.find('\n', i), text.size());
    else if (text.compare(i, 2, "/*") == 0) i = std::min(text.find("*/", i), text.size() - 2) + 2;
    else break;
  }
  return text.substr(i);
}

// Converts one statement, parsed again on its own so that locations in its
// tree are offsets into `text`; false keeps it as raw SQL.
bool ConvertStatement(const std::string& text, std::vector<ConvertedOperation>* out) {
  parse::Statements alone;
  if (!parse::Statements::Parse(text, &alone).ok() || alone.statements().size() != 1) return false;
  const auto& parsed = alone.statements()[0];
  Statement st{text, parsed.tree};
  if (parsed.kind == "CreateStmt") return ConvertCreateTable(st, out);
  if (parsed.kind == "IndexStmt") return ConvertIndex(st, out);
  if (parsed.kind == "AlterTableStmt") return ConvertAlterTable(st, out);
  if (parsed.kind == "DropStmt") return ConvertDrop(st, out);
  if (parsed.kind == "RenameStmt") return ConvertRename(st, out);
  return false;
}

bool IsRawPart(const ConvertedMigration& part) { return part.size() == 1 && part[0].key == "sql"; }

// Appends a statement pleat has no operation for to the raw-SQL migration at the
// end of `parts`, starting one when the last migration holds operations.
void AppendRaw(const std::string& text, std::vector<ConvertedMigration>* parts) {
  if (parts->empty() || !IsRawPart(parts->back())) {
    ConvertedOperation op{"sql", {{"up", text}}, {}, text};
    op.notes["up"] = "pleat has no operation for this SQL, so it runs as written, alone in its migration.\n"
                     "`pleat check` lints it; add `down:` with SQL that undoes it to make it roll back.";
    parts->push_back({op});
    return;
  }
  ConvertedOperation& op = parts->back()[0];
  op.body["up"] = op.body["up"].get<std::string>() + ";\n" + text;
}

}  // namespace

Status Convert(const std::string& sql, std::vector<ConvertedMigration>* out) {
  parse::Statements all;
  Status s = parse::Statements::Parse(sql, &all);
  if (!s.ok()) return s;
  std::vector<ConvertedMigration> parts;
  for (const auto& statement : all.statements()) {
    std::string text = WithoutLeadingComments(statement.text);
    std::vector<ConvertedOperation> ops;
    // BEGIN/COMMIT around a framework's DDL: pleat runs each step in its own transaction.
    if (text.empty() || statement.kind == "TransactionStmt") continue;
    if (!ConvertStatement(text, &ops)) {
      AppendRaw(text, &parts);
      continue;
    }
    if (parts.empty() || IsRawPart(parts.back())) parts.emplace_back();
    for (auto& op : ops) {
      op.source = text;
      parts.back().push_back(std::move(op));
    }
  }
  if (parts.empty()) return Status::Invalid("the SQL holds no statement to convert", "give a file of DDL statements");
  *out = std::move(parts);
  return Status::Ok();
}

std::string PartPath(const std::string& path, size_t index) {
  if (index == 0) return path;
  std::filesystem::path p(path);
  std::string name = p.stem().string() + "_" + std::to_string(index + 1) + p.extension().string();
  return (p.parent_path() / name).string();
}

}  // namespace pleat::convert

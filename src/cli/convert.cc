// `pleat convert FILE.sql [-o FILE]`: plain DDL into pleat migrations
// (docs/convert.md). Needs no database; with --url it reads the live column
// types to fill in the up/down of widening type changes. Several migrations
// result when the SQL mixes statements pleat models with ones it runs as raw SQL.
#include <fstream>
#include <iostream>
#include <sstream>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "cli/context.h"
#include "convert/column_types.h"
#include "convert/convert.h"
#include "convert/infer.h"

namespace pleat::cli {
namespace {

Status ReadFile(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("file " + path + ": cannot be read", "check the path and its permissions");
  std::stringstream ss;
  ss << in.rdbuf();
  *out = ss.str();
  return Status::Ok();
}

Status WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (out) out << text;
  if (!out) return Status::Invalid("file " + path + ": cannot be written", "check the directory and its permissions");
  return Status::Ok();
}

Status RunConvert(const CliContext& ctx, const std::string& input, const std::string& output) {
  std::string sql;
  std::vector<convert::ConvertedMigration> parts;
  Status s = ReadFile(input, &sql);  // its error names the file
  if (!s.ok()) return s;
  s = convert::Convert(sql, &parts);
  if (!s.ok()) return s.WithContext("file " + input).WithHint("fix the SQL");
  if (!ctx.url.empty()) {  // only when asked: convert otherwise needs no database
    convert::ColumnTypes types;
    s = convert::ReadColumnTypes(ctx.options, &types);
    if (!s.ok()) return s;
    int filled = convert::InferTypeChanges(types, &parts);
    if (filled) ctx.options.log("filled in up/down of " + std::to_string(filled) + " widening type change(s) from " +
                                "the database");
  }
  nlohmann::json files = nlohmann::json::array();
  for (size_t i = 0; i < parts.size(); ++i) {
    std::string path = output.empty() ? "" : convert::PartPath(output, i), yaml = convert::ToYaml(parts[i]);
    if (!path.empty()) s = WriteFile(path, yaml);
    if (!s.ok()) return s;
    files.push_back(path.empty() ? nlohmann::json{{"yaml", yaml}} : nlohmann::json{{"path", path}});
    if (ctx.json) continue;
    if (path.empty() && parts.size() > 1)
      std::cout << (i ? "---\n" : "") << "# migration " << i + 1 << " of " << parts.size()
                << ": a migration file of its own (-o FILE writes each to its own file)\n";
    std::cout << (path.empty() ? yaml : path + "\n");
  }
  if (ctx.json) std::cout << nlohmann::json{{"migrations", files}}.dump() << std::endl;
  return Status::Ok();
}

}  // namespace

void AddConvertCommand(CLI::App* app, CliContext* ctx) {
  auto* cmd = app->add_subcommand("convert", "turn plain DDL (prisma migrate diff, Django, Rails) into pleat migrations");
  static std::string input, output;
  cmd->add_option("FILE", input, "the .sql file")->required();
  cmd->add_option("-o,--output", output, "write the migration to this file (further parts beside it) instead of stdout");
  cmd->callback([ctx] {
    ctx->result = ctx->url.empty() ? Status::Ok() : ResolveOptions(ctx);
    if (ctx->result.ok()) ctx->result = RunConvert(*ctx, input, output);
  });
}

}  // namespace pleat::cli

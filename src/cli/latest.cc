// `pleat latest [schema|migration|url] [--local DIR]`: the newest version
// schema, migration or a connection URL that selects the version schema, for
// application configuration; from the database, or with --local from the
// migration files of DIR.
#include <iostream>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "cli/context.h"
#include "history/history.h"
#include "pg/conninfo_options.h"

namespace pleat::cli {

void AddLatestCommand(CLI::App* app, CliContext* ctx) {
  auto* cmd = app->add_subcommand("latest", "print the newest version schema (for the application's configuration)");
  static std::string local;
  cmd->add_option("--local", local, "answer from the migration files of DIR (the last in name order), not the database")
      ->type_name("DIR");
  cmd->require_subcommand(0, 1);
  auto* schema = cmd->add_subcommand("schema", "the newest version schema (what `latest` alone prints)");
  auto* migration = cmd->add_subcommand("migration", "the name of the newest migration");
  auto* url = cmd->add_subcommand("url", "the connection URL with the newest version schema as search_path");
  cmd->callback([ctx, schema, migration, url] {
    (void)schema;
    ctx->result = ResolveOptions(ctx);
    if (!ctx->result.ok()) return;
    history::LatestMigration latest;
    ctx->result = local.empty() ? history::DatabaseLatest(ctx->options, &latest)
                                : history::LocalLatest(local, ctx->options.schema, &latest);
    if (!ctx->result.ok()) return;
    if (latest.name.empty()) {
      ctx->result = Status::NotFound("no migration has been started in schema \"" + ctx->options.schema + "\"",
                                     "start one with `pleat start FILE`, or adopt the schema with `pleat baseline`");
      return;
    }
    std::string conn = pg::WithSearchPath(ctx->options.conninfo, latest.version_schema);
    if (ctx->json)
      std::cout << nlohmann::json{{"version_schema", latest.version_schema}, {"migration", latest.name}, {"url", conn}}
                       .dump()
                << std::endl;
    else
      std::cout << (migration->parsed() ? latest.name : url->parsed() ? conn : latest.version_schema) << std::endl;
  });
}

}  // namespace pleat::cli

#include "history/baseline.h"

#include <filesystem>
#include <fstream>
#include <memory>

#include "history/baseline_reader.h"
#include "migration/migration.h"
#include "pg/transaction.h"
#include "planner/planner.h"
#include "planner/view_spec.h"
#include "state/pooler_check.h"
#include "state/session.h"
#include "state/state_store.h"

namespace pleat::history {
namespace {

namespace fs = std::filesystem;

// One `sql` operation running `statements` in order; `down` undoes them in reverse.
convert::ConvertedMigration SqlMigration(const std::vector<BaselineSql>& statements, const std::string& source) {
  std::string up, down;
  for (const auto& st : statements) up += st.up + ";\n";
  for (auto it = statements.rbegin(); it != statements.rend(); ++it)
    if (!it->down.empty()) down += it->down + ";\n";
  up.pop_back();
  nlohmann::ordered_json body = {{"up", up}};
  if (!down.empty()) {
    down.pop_back();
    body["down"] = down;
  }
  return {{"sql", body, {}, source}};
}

// Reads the schema in one snapshot, with every name it writes schema-qualified.
Status ReadParts(pg::Connection* conn, const std::string& schema, std::vector<convert::ConvertedMigration>* out) {
  BaselineParts parts;
  pg::Transaction tx;
  Status s = pg::Transaction::Begin(conn, &tx, "ISOLATION LEVEL REPEATABLE READ READ ONLY",
                                    "SET LOCAL search_path = pg_catalog");
  if (s.ok()) s = ReadBaseline(conn, schema, &parts);
  s = tx.Finish(s);
  if (!s.ok()) return s;
  std::string source = "baseline of schema \"" + schema + "\"";
  if (!parts.before.empty()) out->push_back(SqlMigration(parts.before, source + ": what its tables use"));
  if (!parts.operations.empty()) out->push_back(parts.operations);
  if (!parts.after.empty()) out->push_back(SqlMigration(parts.after, source + ": what uses its tables"));
  if (out->empty())
    return Status::Invalid("schema \"" + schema + "\" is empty: there is nothing to baseline",
                           "start with a migration that creates the first table; baseline is for a schema that exists");
  return Status::Ok();
}

Status RefuseHistory(state::StateStore* state) {
  std::optional<state::MigrationRecord> active;
  std::vector<std::string> done;
  Status s = state->Active(&active);
  if (s.ok()) s = state->CompletedNames(&done);
  if (s.ok() && (active || !done.empty()))
    return Status::Invalid("schema \"" + state->target_schema() + "\" already has a pleat history (" +
                               (active ? "\"" + active->name + "\" is " + active->phase : "\"" + done.back() + "\" completed") +
                               "); a baseline is its first migration",
                           "use `pleat pull DIR` to write the history to files");
  return s;
}

// Writes each file after checking that every one parses as a migration and none exists.
Status WriteFiles(const std::vector<std::string>& paths, const std::vector<std::string>& texts) {
  for (size_t i = 0; i < paths.size(); ++i) {
    migration::Migration m;
    Status s = migration::LoadMigrationText(paths[i], texts[i], &m);
    if (!s.ok()) return s.WithContext("baseline wrote a file pleat cannot load").WithHint("report this as a bug");
    if (fs::exists(paths[i]))
      return Status::Invalid("file " + paths[i] + " exists", "choose another NAME or move the file away");
  }
  std::error_code ec;
  fs::create_directories(fs::path(paths[0]).parent_path(), ec);
  for (size_t i = 0; i < paths.size(); ++i) {
    std::ofstream f(paths[i], std::ios::binary);
    f << texts[i];
    if (!f.flush())
      return Status::Invalid("cannot write " + paths[i], "check that the directory exists and is writable");
  }
  return Status::Ok();
}

// Records every file as completed and creates the last one's version schema, in one transaction.
Status Record(pg::Connection* conn, state::StateStore* state, const Options& options,
              const std::vector<std::string>& paths, const std::vector<std::string>& texts,
              std::string* version_schema) {
  planner::ViewSpec views;
  views.target_schema = options.schema;
  views.state_schema = options.state_schema;
  std::vector<std::string> sql;
  pg::Transaction tx;
  Status s = pg::Transaction::Begin(conn, &tx);
  std::string parent;
  for (size_t i = 0; s.ok() && i < paths.size(); ++i) {
    std::string name = fs::path(paths[i]).stem().string();
    nlohmann::json empty = nlohmann::json::array();
    state::MigrationRecord r{name, planner::VersionSchemaName(options.schema, name), parent, "completed", texts[i],
                      {{"start", empty}, {"complete", empty}, {"rollback", empty}, {"verify", empty}}, ""};
    s = state->Insert(r);
    if (s.ok()) s = state->SetPhase(name, "completed");
    parent = views.version_schema = r.version_schema;
  }
  if (s.ok()) s = planner::BuildViewsSql(conn, views, &sql);
  for (const auto& statement : sql)
    if (s.ok()) s = conn->Exec(statement);
  s = tx.Finish(s);
  if (s.ok()) *version_schema = views.version_schema;
  return s;
}

}  // namespace

Status Baseline(const Options& options, const std::string& name, const std::string& dir,
                std::vector<std::string>* files, std::string* version_schema) {
  if (name.empty() || name.find('/') != std::string::npos || fs::path(name).has_extension())
    return Status::Usage("baseline NAME must be a migration name without directory or extension, e.g. 00_baseline",
                         "the files are written as DIR/NAME.yaml");
  pg::Connection conn, heartbeat;
  Status s = state::OpenSession(options, &conn);
  if (s.ok()) s = state::OpenSession(options, &heartbeat);
  if (s.ok()) s = state::RefuseTransactionPooler(&conn, &heartbeat);
  state::StateStore state(&conn, options.state_schema, options.schema);
  if (s.ok()) s = state.Init();
  if (s.ok()) s = state.Lock("baseline", std::move(heartbeat));
  if (s.ok()) s = RefuseHistory(&state);
  std::vector<convert::ConvertedMigration> migrations;
  if (s.ok()) s = ReadParts(&conn, options.schema, &migrations);
  if (!s.ok()) return s.WithContext("baseline of schema \"" + options.schema + "\"");
  std::vector<std::string> paths, texts;
  for (size_t i = 0; i < migrations.size(); ++i) {
    paths.push_back(convert::PartPath((fs::path(dir) / (name + ".yaml")).string(), i));
    texts.push_back("# pleat baseline: recorded as completed where it was taken, without running it\n" +
                    convert::ToYaml(migrations[i]));
  }
  s = WriteFiles(paths, texts);
  if (!s.ok()) return s.WithContext("baseline of schema \"" + options.schema + "\"");
  s = Record(&conn, &state, options, paths, texts, version_schema);
  if (!s.ok()) {
    for (const auto& p : paths) fs::remove(p);
    return s.WithContext("baseline of schema \"" + options.schema + "\"");
  }
  *files = paths;
  return Status::Ok();
}

}  // namespace pleat::history

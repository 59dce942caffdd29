#include "history/history.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "migration/directory.h"
#include "migration/migration.h"
#include "planner/planner.h"
#include "state/session.h"
#include "state/state_store.h"

namespace pleat::history {
namespace {

namespace fs = std::filesystem;

Status OpenHistory(const Options& options, pg::Connection* conn, std::unique_ptr<state::StateStore>* state,
                   bool* initialized) {
  Status s = state::OpenSession(options, conn);
  if (!s.ok()) return s;
  *state = std::make_unique<state::StateStore>(conn, options.state_schema, options.schema);
  return (*state)->IsInitialized(initialized);
}

std::string ReadText(const fs::path& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream text;
  text << f.rdbuf();
  return text.str();
}

// Where record `name` goes: an existing file of that name (any extension), else a new one.
fs::path Target(const std::string& dir, const std::string& name, const std::string& text) {
  for (const char* ext : {".yaml", ".yml", ".json"})
    if (fs::exists(fs::path(dir) / (name + ext))) return fs::path(dir) / (name + ext);
  size_t first = text.find_first_not_of(" \t\r\n");
  bool json = first != std::string::npos && text[first] == '{';
  return fs::path(dir) / (name + (json ? ".json" : ".yaml"));
}

}  // namespace

Status Pull(const Options& options, const std::string& dir, std::vector<std::string>* written,
            std::vector<std::string>* unchanged) {
  pg::Connection conn;
  std::unique_ptr<state::StateStore> state;
  bool initialized = false;
  std::vector<state::MigrationRecord> history;
  Status s = OpenHistory(options, &conn, &state, &initialized);
  if (s.ok() && initialized) s = state->History(&history);
  if (!s.ok()) return s.WithContext("pull of schema \"" + options.schema + "\"");
  std::erase_if(history, [](const state::MigrationRecord& r) { return r.phase == "rolling_back"; });
  if (history.empty())
    return Status::NotFound("schema \"" + options.schema + "\" has no pleat history to pull",
                            "check --schema and --state-schema; `pleat baseline NAME DIR` starts a history");
  // A window (`migrate --together`) gives back each of its files.
  std::vector<std::pair<std::string, std::string>> files;  // name, text
  for (const auto& r : history) {
    for (const auto& member : r.members) files.emplace_back(member.at("name"), member.at("text"));
    if (r.members.empty()) files.emplace_back(r.name, r.file_text);
  }
  std::vector<fs::path> targets;
  for (const auto& [name, text] : files) {
    targets.push_back(Target(dir, name, text));
    if (fs::exists(targets.back()) && ReadText(targets.back()) != text)
      return Status::Invalid("file " + targets.back().string() + " differs from migration \"" + name +
                                 "\" as pleat ran it; nothing was written",
                             "pull into an empty directory, or move the file away to replace it");
  }
  for (size_t i = 1; i < files.size(); ++i)
    if (files[i].first < files[i - 1].first)
      options.log("WARNING: migration \"" + files[i].first + "\" ran after \"" + files[i - 1].first +
                  "\" but sorts before it: `migrate` applies files in name order");
  std::error_code ec;
  fs::create_directories(dir, ec);
  for (size_t i = 0; i < files.size(); ++i) {
    if (fs::exists(targets[i])) {
      unchanged->push_back(targets[i].string());
      continue;
    }
    std::ofstream f(targets[i], std::ios::binary);
    f << files[i].second;
    if (!f.flush()) return Status::Invalid("cannot write " + targets[i].string(), "check that DIR is writable");
    written->push_back(targets[i].string());
  }
  return Status::Ok();
}

Status DatabaseLatest(const Options& options, LatestMigration* out) {
  pg::Connection conn;
  std::unique_ptr<state::StateStore> state;
  bool initialized = false;
  std::optional<state::MigrationRecord> r;
  Status s = OpenHistory(options, &conn, &state, &initialized);
  if (s.ok() && initialized) s = state->Active(&r);
  if (s.ok() && initialized && !r) s = state->LastCompleted(&r);
  *out = r ? LatestMigration{r->name, r->version_schema} : LatestMigration{};
  return s;
}

Status LocalLatest(const std::string& dir, const std::string& schema, LatestMigration* out) {
  std::vector<std::string> files;
  migration::Migration m;
  Status s = migration::ListMigrationFiles(dir, &files);
  if (s.ok()) s = migration::LoadMigrationFile(files.back(), &m);
  if (s.ok()) *out = {m.name, planner::VersionSchemaName(schema, m.version_suffix)};
  return s;
}

}  // namespace pleat::history

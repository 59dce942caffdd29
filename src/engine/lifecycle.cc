#include "engine/lifecycle.h"

#include <algorithm>
#include <filesystem>

#include "check/preflight.h"
#include "check/report.h"
#include "check/rights.h"
#include "engine/step_runner.h"
#include "engine/verifier.h"
#include "migration/directory.h"
#include "migration/migration.h"
#include "migration/window.h"
#include "planner/planner.h"
#include "state/pooler_check.h"
#include "state/session.h"

namespace pleat::engine {

// Commands that change something check the connection path first (changing
// nothing behind a transaction pooler), then take the lease; its heartbeat
// connection is the second connection the pooler check needs.
Status Lifecycle::Connect(const std::string& command) {
  if (conn_.is_open()) return Status::Ok();
  Status s = state::OpenSession(options_, &conn_);
  if (!s.ok()) return s;
  state_ = std::make_unique<state::StateStore>(&conn_, options_.state_schema, options_.schema);
  if (command.empty()) return Status::Ok();
  pg::Connection heartbeat;
  s = state::OpenSession(options_, &heartbeat);
  if (s.ok()) s = state::RefuseTransactionPooler(&conn_, &heartbeat);
  if (s.ok()) s = state_->Init();
  return s.ok() ? state_->Lock(command, std::move(heartbeat)) : s;
}

Status Lifecycle::Init() { return Connect("init"); }

// A step that failed because the lease was lost (the heartbeat cancels the
// running statement) says so rather than "canceling statement due to user request".
Status Lifecycle::RunPhase(const state::MigrationRecord& record, const std::string& phase) {
  StepRunner runner(&conn_, state_.get(), options_, record.name);
  Status s = runner.Run(phase, plan::Plan::FromJson(record.plans.at(phase)));
  Status held = state_->LeaseHeld();
  return s.ok() || held.ok() ? s : held;
}

Status Lifecycle::StartLoaded(const std::string& path, std::string* version_schema) {
  migration::Migration m;
  Status s = migration::LoadMigrationFile(path, &m);
  return s.ok() ? StartMigration(path, m, version_schema) : s;
}

namespace {
// How a start's input is named in messages, and how to start it again.
struct StartSource {
  std::string what, command;
};
StartSource SourceOf(const std::string& path, const migration::Migration& m) {
  if (m.members.empty()) return {"file " + path, "pleat start " + path};
  return {"the files of the window in " + path, "pleat migrate " + path + " --together"};
}
}  // namespace

Status Lifecycle::StartMigration(const std::string& path, const migration::Migration& m, std::string* version_schema) {
  std::optional<state::MigrationRecord> active;
  Status s = state_->Active(&active);
  if (!s.ok()) return s;
  migration_ = m.name;
  version_schema_ = active && active->name == m.name ? active->version_schema : "";
  if (active && active->name == m.name && active->members.empty() != m.members.empty())
    return Status::Invalid("migration \"" + m.name + "\" is in progress " +
                               (m.members.empty() ? "as a window of several files" : "as a single file"),
                           "resume it the way it was started (`pleat migrate DIR --together` for a window), or "
                           "run `pleat rollback` first");
  if (active && active->name != m.name)
    return Status::Invalid("migration \"" + active->name + "\" is in progress (" + active->phase + ")",
                           "run `pleat complete` or `pleat rollback` first, then start \"" + m.name + "\"");
  if (active && active->phase != "starting" && active->phase != "active")
    return Status::Invalid("migration \"" + m.name + "\" is " + active->phase,
                           "run `pleat " + std::string(active->phase == "completing" ? "complete" : "rollback") +
                               "` to finish it");
  if (active && active->file_text != m.text) s = ReplanEdited(path, m, &active);
  if (!s.ok()) return s;
  if (!active) {
    bool completed = false;
    std::optional<state::MigrationRecord> parent;
    s = state_->IsCompleted(m.name, &completed);
    if (s.ok() && completed)
      return Status::Invalid("migration \"" + m.name + "\" was already completed", "give a new migration a new name");
    if (s.ok()) s = state_->LastCompleted(&parent);
    if (s.ok()) s = Preflight(m);
    planner::PlannedMigration planned;
    if (s.ok()) s = planner::PlanMigration(&conn_, options_, m, parent ? parent->version_schema : "", &planned);
    if (!s.ok()) return s.WithContext(SourceOf(path, m).what);
    active = state::MigrationRecord{m.name, planned.version_schema, parent ? parent->version_schema : "", "starting",
                             m.text, planned.plans, ""};
    for (const auto& member : m.members) active->members.push_back({{"name", member.name}, {"text", member.text}});
    version_schema_ = active->version_schema;
    s = state_->Insert(*active);
  } else if (active->phase == "starting") {
    options_.log("resuming the interrupted start of \"" + m.name + "\"");
  }
  if (s.ok() && active->phase == "starting") s = RunPhase(*active, "start");
  if (s.ok()) s = state_->SetPhase(m.name, "active");
  if (!s.ok())
    return s.WithContext("start of \"" + m.name + "\"")
        .WithHint("fix the cause and run `pleat start` again to resume, or `pleat rollback` to undo it");
  *version_schema = active->version_schema;
  return Status::Ok();
}

// The stored plan is bound to the file it was planned from. An edited file is
// planned again only when no step of the start ran (a failed first step may
// still have left an invalid index, so the old plan's rollback runs first);
// otherwise the edit would be silently ignored: refused.
Status Lifecycle::ReplanEdited(const std::string& path, const migration::Migration& m,
                               std::optional<state::MigrationRecord>* active) {
  StartSource source = SourceOf(path, m);
  const state::MigrationRecord& record = **active;
  std::vector<std::string> done;
  Status s = state_->DoneSteps(record.name, "start", &done);
  if (!s.ok()) return s;
  if (record.phase != "starting" || !done.empty())
    return Status::Invalid(source.what + (m.members.empty() ? " differs from the file" : " differ from the files") +
                               " migration \"" + record.name + "\" was started with, and " +
                               (record.phase == "starting" ? std::to_string(done.size()) + " step(s) of its start ran"
                                                           : "its start is done") +
                               ": the stored plan would ignore the edit",
                           "run `pleat rollback` first, then `" + source.command +
                               "` again; or restore what was started");
  options_.log("the file of \"" + record.name + "\" changed and no step of its start ran: planning it again");
  s = RunPhase(record, "rollback");  // what a failed non-transactional step may have left
  if (s.ok()) s = state_->Forget(record.name);
  if (s.ok()) active->reset();
  return s;
}

namespace {
// A window's findings count operations across its files; name the file and
// the operation's place in it instead.
void LocateInWindow(const migration::Migration& m, Finding* f) {
  const migration::Member* member = f->operation > 0 ? migration::MemberOf(m, f->operation - 1) : nullptr;
  if (!member) return;
  f->file = member->name;
  f->operation -= static_cast<int>(member->first_operation);
}
}  // namespace

Status Lifecycle::Preflight(const migration::Migration& m) {
  std::vector<Finding> findings, lint;
  Status s = check::RunPreflight(&conn_, options_, m, &findings);
  if (s.ok()) s = check::RunLint(&conn_, options_, m, &lint);
  if (!s.ok()) return s;
  for (auto& f : lint) f.severity = Severity::kWarning;  // lint advises; only the data blocks a start
  for (auto* list : {&findings, &lint})
    for (auto& f : *list) LocateInWindow(m, &f);
  for (const auto& list : {findings, lint})
    for (const auto& f : list) options_.log(check::FormatFinding(f));
  if (!check::HasErrors(findings)) return Status::Ok();
  for (const auto& f : findings)
    if (f.rule == "invalid-expression")  // fails the start's DDL whatever the data: no --force
      return Status::CheckFailed(std::string(f.file.empty() ? "" : "file " + f.file + ", ") + "operation " +
                                     std::to_string(f.operation) + " (" + f.operation_key + "), " + f.object + ": " +
                                     f.message + "; nothing was changed",
                                 f.fix);
  for (const auto& f : findings)
    if (check::IsRightsFinding(f))
      return Status::CheckFailed("pleat's role lacks rights that \"" + m.name + "\" needs (" + f.object + " " +
                                     f.message + "); nothing was changed",
                                 f.fix + (findings.size() > 1 ? "; `pleat check FILE` lists every finding" : ""));
  if (!options_.preflight.force)
    return Status::CheckFailed("the preflight of \"" + m.name + "\" found " + check::Summary(findings) +
                                   " in the data; nothing was changed",
                               "fix the file or the data as each finding says and run `pleat check FILE`, "
                               "or start anyway with --force");
  options_.log("WARNING: --force: starting \"" + m.name + "\" despite " + check::Summary(findings) +
               " from the preflight; the backfill or complete may fail");
  return Status::Ok();
}

Status Lifecycle::Check(const std::string& path, std::vector<Finding>* findings, nlohmann::json* plans) {
  migration::Migration m;
  Status s = migration::LoadMigrationFile(path, &m);
  if (!s.ok()) return s;
  s = Connect("");
  if (s.ok()) s = check::RunPreflight(&conn_, options_, m, findings);
  if (s.ok()) s = check::RunLint(&conn_, options_, m, findings);
  bool initialized = false;
  std::optional<state::MigrationRecord> parent;
  if (s.ok()) s = state_->IsInitialized(&initialized);
  if (s.ok() && initialized) s = state_->LastCompleted(&parent);
  planner::PlannedMigration planned;
  if (s.ok()) s = planner::PlanMigration(&conn_, options_, m, parent ? parent->version_schema : "", &planned);
  if (s.ok()) *plans = planned.plans;
  return s.WithContext("file " + path);
}

Status Lifecycle::Start(const std::string& path, bool complete, std::string* version_schema) {
  Status s = Connect("start");
  if (s.ok()) s = StartLoaded(path, version_schema);
  if (s.ok() && complete) s = Complete();
  return s;
}

Status Lifecycle::Complete() {
  Status s = Connect("complete");
  std::optional<state::MigrationRecord> active;
  if (s.ok()) s = state_->Active(&active);
  if (!s.ok()) return s;
  if (!active) return Status::Invalid("no migration is in progress", "start one with `pleat start FILE`");
  migration_ = active->name;
  version_schema_ = active->version_schema;
  if (active->phase == "starting" || active->phase == "rolling_back")
    return Status::Invalid("migration \"" + active->name + "\" is " + active->phase + " and cannot be completed",
                           active->phase == "starting" ? "run `pleat start` again to finish starting it"
                                                       : "run `pleat rollback` to finish rolling it back");
  if (active->phase == "active") s = RefuseUnverified(*active);
  if (!s.ok()) return s.WithContext("complete of \"" + active->name + "\"");
  s = state_->SetPhase(active->name, "completing");
  if (s.ok()) s = RunPhase(*active, "complete");
  if (s.ok()) s = state_->SetPhase(active->name, "completed");
  if (s.ok()) {
    options_.log("completed \"" + active->name + "\"; version schema \"" + active->version_schema + "\" is current");
    return Status::Ok();
  }
  // Stopped before the point of no return: both versions are still served, so
  // the migration is active again and can be completed or rolled back.
  bool passed = true;
  Status read = state_->LeaseHeld();
  if (read.ok()) read = PassedNoReturn(*active, &passed);
  if (read.ok() && !passed) read = state_->SetPhase(active->name, "active");
  if (!read.ok())
    return s.WithContext("complete of \"" + active->name + "\"")
        .WithHint("`pleat status` shows where it stopped; fix the cause and run `pleat complete` again");
  if (!passed)
    return s.WithContext("complete of \"" + active->name + "\" stopped before the old version was dropped; it is "
                         "active again, both versions are still served")
        .WithHint("fix the cause and run `pleat complete` again, or `pleat rollback`");
  return s.WithContext("complete of \"" + active->name + "\" (past the point of no return: the old version is dropped)")
      .WithHint("fix the cause and run `pleat complete` again; it resumes where it stopped");
}

Status Lifecycle::PassedNoReturn(const state::MigrationRecord& record, bool* passed) {
  plan::Plan plan = plan::Plan::FromJson(record.plans.at("complete"));
  std::vector<std::string> done;
  Status s = state_->DoneSteps(record.name, "complete", &done);
  *passed = false;
  for (size_t i = plan.NoReturnIndex(); i < plan.steps().size(); ++i)
    *passed = *passed || std::count(done.begin(), done.end(), plan.steps()[i].id) > 0;
  return s;
}

Status Lifecycle::Verify(std::vector<Finding>* out) {
  Status s = Connect("");
  std::optional<state::MigrationRecord> active;
  if (s.ok()) s = state_->Active(&active);
  if (s.ok() && !active) return Status::Invalid("no migration is in progress", "there is nothing to verify");
  return s.ok() ? engine::Verify(&conn_, *state_, *active, options_, out) : s;
}

// Complete drops the old version for good: first the pattern's test step.
Status Lifecycle::RefuseUnverified(const state::MigrationRecord& active) {
  std::vector<Finding> findings;
  Status s = engine::Verify(&conn_, *state_, active, options_, &findings);
  int errors = 0;
  for (const auto& f : findings) {
    if (f.severity != Severity::kError) continue;
    ++errors;
    options_.log("verify: " + f.object + ": " + f.message + " (" + std::to_string(f.count) + ")");
  }
  if (!s.ok() || errors == 0) return s;
  if (options_.force_complete) {
    options_.log("WARNING: completing \"" + active.name + "\" although verify found " + std::to_string(errors) +
                 " problem(s) (--force); the old version and its data go now");
    return Status::Ok();
  }
  return Status::CheckFailed("verify found " + std::to_string(errors) + " problem(s) in \"" + active.name + "\"",
                             "run `pleat verify` for the details and fix them, or `pleat complete --force` to "
                             "complete anyway (what the old version holds is then lost)");
}

Status Lifecycle::Rollback() {
  Status s = Connect("rollback");
  std::optional<state::MigrationRecord> active;
  if (s.ok()) s = state_->Active(&active);
  if (!s.ok()) return s;
  if (!active) return Status::Invalid("no migration is in progress", "there is nothing to roll back");
  migration_ = active->name;
  version_schema_ = active->version_schema;
  bool passed = false;
  if (active->phase == "completing") s = PassedNoReturn(*active, &passed);
  if (s.ok() && passed)
    return Status::Invalid("migration \"" + active->name + "\" is being completed and its old version is dropped; "
                           "it cannot be rolled back",
                           "run `pleat complete` to finish it (`pleat status` shows the step it stopped at)");
  if (s.ok()) s = state_->SetPhase(active->name, "rolling_back");
  if (s.ok()) s = RunPhase(*active, "rollback");
  if (s.ok()) s = state_->Forget(active->name);
  if (!s.ok())
    return s.WithContext("rollback of \"" + active->name + "\"")
        .WithHint("fix the cause and run `pleat rollback` again; it resumes where it stopped");
  std::string left = LeftByRollback(*active);
  options_.log(left.empty() ? "rolled back \"" + active->name + "\""
                            : "rolled back \"" + active->name + "\" except " + left +
                                  ": the schema is not as before; undo that by hand if you need to");
  return Status::Ok();
}

// What the rollback of `record`'s operations left in place ("" when nothing),
// from the file text kept in the state schema.
// A window's are named by file.
std::string Lifecycle::LeftByRollback(const state::MigrationRecord& record) {
  std::vector<std::pair<std::string, std::string>> files;  // name, text
  for (const auto& member : record.members) files.emplace_back(member.at("name"), member.at("text"));
  if (files.empty()) files.emplace_back(record.name, record.file_text);
  std::string left;
  for (const auto& [name, text] : files) {
    migration::Migration m;
    if (!migration::LoadMigrationText(name + ".yaml", text, &m).ok()) continue;
    for (size_t i = 0; i < m.operations.size(); ++i) {
      std::string what = m.operations[i]->LeftByRollback();
      if (!what.empty())
        left += std::string(left.empty() ? "" : "; ") + (record.members.empty() ? "" : "file " + name + ", ") +
                "operation " + std::to_string(i + 1) + " (" + std::string(m.operations[i]->Key()) + "): " + what;
    }
  }
  return left;
}

Status Lifecycle::Latest(std::string* out) {
  Status s = Connect("");
  bool initialized = false;
  if (s.ok()) s = state_->IsInitialized(&initialized);
  out->clear();
  if (!s.ok() || !initialized) return s;
  std::optional<state::MigrationRecord> r;
  s = state_->Active(&r);
  if (s.ok() && !r) s = state_->LastCompleted(&r);
  if (s.ok() && r) *out = r->version_schema;
  return s;
}

Status Lifecycle::Migrate(const std::string& dir, bool complete, bool together, std::string* version_schema) {
  namespace fs = std::filesystem;
  std::vector<std::string> files;
  if (Status listed = migration::ListMigrationFiles(dir, &files); !listed.ok()) return listed;
  Status s = Connect("migrate");
  std::vector<std::string> done;
  if (s.ok()) s = state_->CompletedNames(&done);
  std::erase_if(files, [&](const std::string& f) { return std::count(done.begin(), done.end(), fs::path(f).stem().string()); });
  if (s.ok() && together && files.size() > 1) {
    s = StartWindow(dir, files, version_schema);
    return s.ok() && complete ? Complete() : s;
  }
  for (size_t i = 0; s.ok() && i < files.size(); ++i) {
    options_.log("migration " + files[i]);
    s = StartLoaded(files[i], version_schema);
    if (s.ok() && (complete || i + 1 < files.size())) s = Complete();
  }
  return s;
}

// The window resumes only as itself: an active migration of other files
// (a single one, or a window of another set) is refused by name.
Status Lifecycle::StartWindow(const std::string& dir, const std::vector<std::string>& files,
                              std::string* version_schema) {
  std::vector<migration::Migration> loaded(files.size());
  for (size_t i = 0; i < files.size(); ++i)
    if (Status s = migration::LoadMigrationFile(files[i], &loaded[i]); !s.ok()) return s;
  migration::Migration window;
  Status s = migration::JoinWindow(std::move(loaded), &window);
  std::optional<state::MigrationRecord> active;
  if (s.ok()) s = state_->Active(&active);
  if (!s.ok()) return s;
  std::vector<std::string> names;
  for (const auto& member : window.members) names.push_back(member.name);
  if (active) {
    std::vector<std::string> active_names;
    for (const auto& member : active->members) active_names.push_back(member.at("name"));
    if (active_names != names)
      return Status::Invalid("migration \"" + active->name + "\" is in progress (" + active->phase +
                                 "), and --together starts the pending files of " + dir + " as one window",
                             "run `pleat complete` or `pleat rollback` first, then `pleat migrate " + dir +
                                 " --together` again");
  }
  std::string list;
  for (const auto& name : names) list += (list.empty() ? "" : ", ") + name;
  options_.log("window of " + std::to_string(names.size()) + " migrations: " + list);
  return StartMigration(dir, window, version_schema);
}

}  // namespace pleat::engine

#include "ops/sql.h"

#include "parse/field_reader.h"
#include "parse/statements.h"
#include "pg/quote.h"

namespace pleat::ops {
namespace {

Status CheckSql(const std::string& text, const std::string& where, const std::string& key) {
  parse::Statements parsed;
  Status s = parse::Statements::Parse(text, &parsed);
  if (!s.ok()) return s.WithContext(where + ": \"" + key + "\"").WithHint("fix the SQL in \"" + key + "\"");
  return Status::Ok();
}

// Unqualified names in the SQL mean the target schema, as they do for every
// other operation; the rest of the caller's search_path still resolves
// functions and types from other schemas. Local: it ends with the step.
std::string SearchPathSql(const std::string& schema) {
  return "SELECT set_config('search_path', " + pg::QuoteLiteral(pg::QuoteIdent(schema)) +
         " || ', ' || current_setting('search_path'), true)";
}

}  // namespace

Status Sql::Parse(const nlohmann::json& body, const std::string& where, std::unique_ptr<Operation>* out) {
  auto op = std::make_unique<Sql>();
  Status s = parse::FieldReader::RequireObject(body, where);
  if (!s.ok()) return s;
  parse::FieldReader r(body, where);
  std::optional<bool> on_complete;
  s = r.String("up", &op->up_);
  if (s.ok()) s = r.OptString("down", &op->down_);
  if (s.ok()) s = r.OptBool("onComplete", &on_complete);
  if (s.ok()) s = r.Finish();
  if (!s.ok()) return s;
  if (op->down_ && op->down_->empty()) op->down_.reset();
  op->on_complete_ = on_complete.value_or(false);
  if (op->on_complete_ && op->down_)
    return Status::Invalid(where + ": \"down\" cannot be used with \"onComplete: true\": `up` runs at complete, "
                                   "after which there is no rollback",
                           "remove \"down\", or run `up` at start by removing \"onComplete\"");
  s = CheckSql(op->up_, where, "up");
  if (s.ok() && op->down_) s = CheckSql(*op->down_, where, "down");
  if (s.ok()) *out = std::move(op);
  return s;
}

// pleat cannot know what the SQL does; the engine reads the new version's
// tables from the live catalog once it has run.
Status Sql::Validate(schema::VirtualSchema*) const { return Status::Ok(); }

// The statements run as written, in one transaction with the journal row, so
// a crash never leaves them half-applied; how long they lock is up to the SQL.
Status Sql::Start(const schema::VirtualSchema& before, plan::Plan* plan) const {
  if (!on_complete_) plan->AddSql("up", "run the raw SQL of `up`", {SearchPathSql(before.schema_name()), up_});
  return Status::Ok();
}

// What the SQL does is unknown: complete's dry run ends before it.
Status Sql::Complete(const schema::VirtualSchema& before, plan::Plan* plan) const {
  if (!on_complete_) return Status::Ok();
  plan::Step step;
  step.id = plan->IdFor("up");
  step.description = "run the raw SQL of `up`";
  step.sql = {SearchPathSql(before.schema_name()), up_};
  step.dry_run = "stop";
  plan->Add(std::move(step));
  return Status::Ok();
}

// Without `down` the change stays: raw SQL cannot be undone by guessing.
Status Sql::Rollback(const schema::VirtualSchema& before, plan::Plan* plan) const {
  if (on_complete_ || !down_) return Status::Ok();
  plan->AddUndo("down", "run the raw SQL of `down`", {SearchPathSql(before.schema_name()), *down_}, plan->IdFor("up"));
  return Status::Ok();
}

std::string Sql::LeftByRollback() const {
  return on_complete_ || down_ ? "" : "what the raw SQL of `up` did (it has no `down`)";
}

}  // namespace pleat::ops

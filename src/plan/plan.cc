#include "plan/plan.h"

namespace pleat::plan {
namespace {

const char* KindName(Step::Kind kind) {
  switch (kind) {
    case Step::Kind::kSql: return "sql";
    case Step::Kind::kViews: return "views";
    case Step::Kind::kBackfill: return "backfill";
  }
  return "sql";
}

Step::Kind KindFromName(const std::string& name) {
  if (name == "views") return Step::Kind::kViews;
  if (name == "backfill") return Step::Kind::kBackfill;
  return Step::Kind::kSql;
}

}  // namespace

nlohmann::json Step::ToJson() const {
  return {{"kind", KindName(kind)}, {"id", id},           {"description", description},
          {"sql", sql},             {"transactional", transactional},
          {"only_if_started", only_if_started},           {"payload", payload},
          {"no_return", no_return},                       {"dry_run", dry_run}};
}

Step Step::FromJson(const nlohmann::json& j) {
  Step s;
  s.kind = KindFromName(j.value("kind", "sql"));
  s.id = j.value("id", "");
  s.description = j.value("description", "");
  s.sql = j.value("sql", std::vector<std::string>{});
  s.transactional = j.value("transactional", true);
  s.only_if_started = j.value("only_if_started", "");
  if (j.contains("payload")) s.payload = j["payload"];
  s.no_return = j.value("no_return", false);
  s.dry_run = j.value("dry_run", "");
  return s;
}

std::string Plan::IdFor(const std::string& name) const {
  return id_prefix_.empty() ? name : id_prefix_ + "." + name;
}

void Plan::AddSql(const std::string& name, const std::string& description, std::vector<std::string> sql) {
  Step s;
  s.id = IdFor(name);
  s.description = description;
  s.sql = std::move(sql);
  Add(std::move(s));
}

void Plan::AddAfterBackfill(const std::string& name, const std::string& description, std::vector<std::string> sql,
                            std::vector<std::string> undo_sql) {
  AddSql(name, description, std::move(sql));
  steps_.back().after_backfill = true;
  steps_.back().undo_sql = std::move(undo_sql);
}

void Plan::AddValidate(const std::string& name, const std::string& description, std::vector<std::string> sql) {
  AddSql(name, description, std::move(sql));
  steps_.back().before_no_return = true;
  steps_.back().dry_run = "skip";
}

void Plan::AddConcurrent(const std::string& name, const std::string& description, std::vector<std::string> sql) {
  Step s;
  s.id = IdFor(name);
  s.description = description;
  s.sql = std::move(sql);
  s.transactional = false;
  Add(std::move(s));
}

Plan Plan::Fused(const std::string& name, const std::string& description) const {
  Step fused;
  fused.id = IdFor(name);
  fused.description = description;
  for (const auto& step : steps_) {
    if (step.kind != Step::Kind::kSql || !step.transactional || !step.only_if_started.empty() || step.no_return)
      return *this;
    fused.sql.insert(fused.sql.end(), step.sql.begin(), step.sql.end());
    if (step.dry_run == "stop") fused.dry_run = "stop";
  }
  if (steps_.empty()) return *this;
  Plan out = *this;
  out.steps_ = {std::move(fused)};
  return out;
}

void Plan::AddUndo(const std::string& name, const std::string& description, std::vector<std::string> sql,
                   const std::string& started_id) {
  Step s;
  s.id = IdFor(name);
  s.description = description;
  s.sql = std::move(sql);
  s.only_if_started = started_id;
  Add(std::move(s));
}

void Plan::Add(Step step) { steps_.push_back(std::move(step)); }

nlohmann::json Plan::ToJson() const {
  nlohmann::json arr = nlohmann::json::array();
  for (const auto& s : steps_) arr.push_back(s.ToJson());
  return arr;
}

Plan Plan::FromJson(const nlohmann::json& j) {
  Plan p;
  for (const auto& s : j) p.steps_.push_back(Step::FromJson(s));
  return p;
}

size_t Plan::NoReturnIndex() const {
  for (size_t i = 0; i < steps_.size(); ++i)
    if (steps_[i].no_return) return i;
  return 0;
}

}  // namespace pleat::plan

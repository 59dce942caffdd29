// Plans are stored as JSON when a migration starts and read back by every
// later command, possibly by another binary: a Step must come back exactly as
// it was written, and ids must be unique per operation.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "plan/plan.h"

namespace pleat::engine {
namespace {

plan::Step MakeStep(plan::Step::Kind kind, std::string id, std::vector<std::string> sql, bool transactional,
              std::string only_if_started, nlohmann::json payload) {
  plan::Step s;
  s.kind = kind;
  s.id = std::move(id);
  s.description = "what \"" + s.id + "\" does, with 'quotes' and ünïcode";
  s.sql = std::move(sql);
  s.transactional = transactional;
  s.only_if_started = std::move(only_if_started);
  s.payload = std::move(payload);
  return s;
}

void ExpectSameStep(const plan::Step& want, const plan::Step& got) {
  EXPECT_EQ(want.kind, got.kind);
  EXPECT_EQ(want.id, got.id);
  EXPECT_EQ(want.description, got.description);
  EXPECT_EQ(want.sql, got.sql);
  EXPECT_EQ(want.transactional, got.transactional);
  EXPECT_EQ(want.only_if_started, got.only_if_started);
  EXPECT_EQ(want.payload, got.payload);
  EXPECT_EQ(want.no_return, got.no_return);
  EXPECT_EQ(want.dry_run, got.dry_run);
}

// Complete's point of no return and what its trial does with a step are stored
// with the plan; a plan stored without them puts the point at its first step.
TEST(Step, NoReturnAndDryRunRoundTrip) {
  plan::Plan plan;
  plan.AddValidate("check", "validate", {"ALTER TABLE t VALIDATE CONSTRAINT c"});
  plan::Step point = MakeStep(plan::Step::Kind::kSql, "drop_old_version", {"DROP SCHEMA IF EXISTS \"v1\" CASCADE"},
                              true, "", nullptr);
  point.no_return = true;
  plan.Add(point);
  plan::Plan back = plan::Plan::FromJson(nlohmann::json::parse(plan.ToJson().dump()));
  ASSERT_EQ(2u, back.steps().size());
  EXPECT_EQ("skip", back.steps()[0].dry_run);
  EXPECT_TRUE(back.steps()[1].no_return);
  EXPECT_EQ(1u, back.NoReturnIndex());
  nlohmann::json old = plan.ToJson();
  for (auto& step : old) step.erase("no_return");
  EXPECT_EQ(0u, plan::Plan::FromJson(old).NoReturnIndex());
}

TEST(Step, JsonRoundTrip) {
  const struct {
    const char* name;
    plan::Step step;
  } cases[] = {
      {"sql", MakeStep(plan::Step::Kind::kSql, "01.add_column.add",
                       {"ALTER TABLE \"public\".\"t\" ADD COLUMN \"c\" text", "COMMENT ON COLUMN x IS 'a;b'"}, true, "",
                       nullptr)},
      {"no statements", MakeStep(plan::Step::Kind::kSql, "02.drop_column.noop", {}, true, "", nullptr)},
      {"concurrent", MakeStep(plan::Step::Kind::kSql, "03.create_index.build",
                              {"CREATE INDEX CONCURRENTLY IF NOT EXISTS \"i\" ON \"public\".\"t\" (\"c\")"}, false, "",
                              {{"invalid_index", "\"public\".\"i\""}})},
      {"undo", MakeStep(plan::Step::Kind::kSql, "sync.t", {"DROP TRIGGER IF EXISTS \"x\" ON \"public\".\"t\""}, true,
                        "sync.t", nullptr)},
      {"views", MakeStep(plan::Step::Kind::kViews, "views", {}, true, "",
                         {{"version_schema", "public_02"}, {"mark", true}, {"tables", nlohmann::json::object()}})},
      {"backfill", MakeStep(plan::Step::Kind::kBackfill, "backfill", {}, true, "",
                            nlohmann::json::array({{{"table", "t"},
                                                    {"set", {{{"column", "c"}, {"expression", "upper(\"n\")"}}}}}}))},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(std::string("case: ") + c.name);
    nlohmann::json j = c.step.ToJson();
    ExpectSameStep(c.step, plan::Step::FromJson(j));
    // Through text too, as the state schema keeps it (jsonb).
    plan::Step reparsed = plan::Step::FromJson(nlohmann::json::parse(j.dump()));
    ExpectSameStep(c.step, reparsed);
    EXPECT_EQ(j, reparsed.ToJson());
  }
}

TEST(Step, MissingFieldsTakeTheirDefaults) {
  plan::Step s = plan::Step::FromJson(nlohmann::json::object({{"id", "x"}}));
  EXPECT_EQ(plan::Step::Kind::kSql, s.kind);
  EXPECT_EQ("x", s.id);
  EXPECT_TRUE(s.sql.empty());
  EXPECT_TRUE(s.transactional);
  EXPECT_EQ("", s.only_if_started);
  EXPECT_TRUE(s.payload.is_null());
}

TEST(Plan, IdsCarryTheOperationPrefix) {
  plan::Plan plan;
  EXPECT_EQ("views", plan.IdFor("views"));
  plan.set_id_prefix("03.add_column");
  EXPECT_EQ("03.add_column.add", plan.IdFor("add"));
  plan.AddSql("add", "add", {"SELECT 1"});
  plan.AddConcurrent("unique", "unique", {"CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS i ON t (c)"});
  plan.AddUndo("drop", "drop", {"SELECT 2"}, "03.add_column.add");
  plan.set_id_prefix("");
  plan.AddSql("views", "views", {});
  const struct {
    const char* id;
    bool transactional;
    const char* only_if_started;
  } want[] = {{"03.add_column.add", true, ""},
              {"03.add_column.unique", false, ""},
              {"03.add_column.drop", true, "03.add_column.add"},
              {"views", true, ""}};
  ASSERT_EQ(std::size(want), plan.steps().size());
  for (size_t i = 0; i < plan.steps().size(); ++i) {
    SCOPED_TRACE("step " + std::to_string(i) + ": " + want[i].id);
    EXPECT_EQ(want[i].id, plan.steps()[i].id);
    EXPECT_EQ(want[i].transactional, plan.steps()[i].transactional);
    EXPECT_EQ(want[i].only_if_started, plan.steps()[i].only_if_started);
  }
}

TEST(Plan, JsonRoundTripKeepsOrderAndEveryField) {
  const struct {
    const char* name;
    std::vector<plan::Step> steps;
  } cases[] = {
      {"empty", {}},
      {"one", {MakeStep(plan::Step::Kind::kSql, "a", {"SELECT 1"}, true, "", nullptr)}},
      {"mixed",
       {MakeStep(plan::Step::Kind::kSql, "b", {"SELECT 1", "SELECT 2"}, false, "", {{"invalid_index", "i"}}),
        MakeStep(plan::Step::Kind::kBackfill, "backfill", {}, true, "", nlohmann::json::array()),
        MakeStep(plan::Step::Kind::kSql, "a", {}, true, "b", nullptr),
        MakeStep(plan::Step::Kind::kViews, "views", {}, true, "", {{"mark", false}})}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(std::string("case: ") + c.name);
    plan::Plan plan;
    for (const auto& s : c.steps) plan.Add(s);
    nlohmann::json j = plan.ToJson();
    ASSERT_TRUE(j.is_array());
    plan::Plan back = plan::Plan::FromJson(nlohmann::json::parse(j.dump()));
    ASSERT_EQ(c.steps.size(), back.steps().size());
    for (size_t i = 0; i < c.steps.size(); ++i) ExpectSameStep(c.steps[i], back.steps()[i]);
    EXPECT_EQ(j, back.ToJson());
  }
}

// Fused: the statements of every step, in order, as one transactional step;
// the plan unchanged when a step cannot run inside a transaction.
TEST(Plan, FusedRunsEveryStatementInOrderInOneStep) {
  plan::Plan plan;
  plan.set_id_prefix("03");
  plan.Add(MakeStep(plan::Step::Kind::kSql, "drop", {"DROP VIEW v", "SELECT 1"}, true, "", nullptr));
  plan.Add(MakeStep(plan::Step::Kind::kSql, "swap", {"ALTER TABLE t DROP COLUMN c"}, true, "", nullptr));
  plan::Step raw = MakeStep(plan::Step::Kind::kSql, "raw", {"SELECT 2"}, true, "", nullptr);
  raw.dry_run = "stop";
  plan.Add(raw);
  plan::Plan fused = plan.Fused("replace", "replace it");
  ASSERT_EQ(1u, fused.steps().size());
  const plan::Step& step = fused.steps()[0];
  EXPECT_EQ("03.replace", step.id);
  EXPECT_EQ("replace it", step.description);
  EXPECT_EQ((std::vector<std::string>{"DROP VIEW v", "SELECT 1", "ALTER TABLE t DROP COLUMN c", "SELECT 2"}), step.sql);
  EXPECT_TRUE(step.transactional);
  EXPECT_EQ("stop", step.dry_run) << "a step the dry run stops before makes it stop before the fused one";

  EXPECT_TRUE(plan::Plan().Fused("x", "x").steps().empty());
  for (const plan::Step& alone : {MakeStep(plan::Step::Kind::kSql, "c", {"DROP INDEX CONCURRENTLY i"}, false, "", nullptr),
                                  MakeStep(plan::Step::Kind::kViews, "views", {}, true, "", nullptr),
                                  MakeStep(plan::Step::Kind::kSql, "undo", {"SELECT 3"}, true, "03.drop", nullptr)}) {
    SCOPED_TRACE(alone.id);
    plan::Plan mixed = plan;
    mixed.Add(alone);
    plan::Plan same = mixed.Fused("replace", "replace it");
    EXPECT_EQ(mixed.ToJson(), same.ToJson());
  }
}

}  // namespace
}  // namespace pleat::engine

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "api/json_views.h"
#include "fakes/timestamps.h"

namespace slayer::api {
namespace {

using nlohmann::json;

// One instance with an open miss and an item at risk, as the poller reports them.
std::vector<app::InstanceState> States() {
  app::InstanceState s;
  s.name = "prod";
  s.db_up = true;
  app::Violation v;
  v.rule = "by-9";
  v.severity = "critical";
  v.dag_id = "sales";
  v.run_id = "scheduled__2026-11-23T00:00:00+00:00";
  v.need_by = test::T("2026-11-23T09:00:00Z");
  s.violations.push_back(v);
  rules::Item at_risk;
  at_risk.key = {"prod", "etl-2h", "etl", "manual__1", "load", ""};
  at_risk.severity = "warning";
  at_risk.need_by = test::T("2026-11-23T10:30:00Z");
  at_risk.state = rules::ItemState::kAtRisk;
  rules::Item pending = at_risk;
  pending.key.task_id = "extract";
  pending.state = rules::ItemState::kPending;
  s.items = {at_risk, pending};
  return {s};
}

TEST(ViolationsJsonTest, ScanListsTheMissesInTheSpecDocument) {
  json doc = json::parse(ViolationsJson(States(), test::T("2026-11-23T10:00:00Z")));
  ASSERT_EQ(doc["violations"].size(), 1u) << doc;
  const json& v = doc["violations"][0];
  EXPECT_EQ(v["state"], "missed");
  EXPECT_FALSE(v.contains("severity")) << "SPEC section 2 fixes the scan document";
  EXPECT_EQ(v["overdue_seconds"], 3600.0);
  EXPECT_EQ(v["need_by"], "2026-11-23T09:00:00Z");
}

TEST(ViolationsJsonTest, TheApiAlsoListsTheItemsAtRisk) {
  json doc = json::parse(
      ViolationsJson(States(), test::T("2026-11-23T10:00:00Z"), ViolationScope::kMissedAndAtRisk));
  ASSERT_EQ(doc["violations"].size(), 2u) << doc;
  EXPECT_EQ(doc["violations"][0]["severity"], "critical");
  const json& v = doc["violations"][1];
  EXPECT_EQ(v, json::parse(R"({"airflow_instance":"prod","rule":"etl-2h","dag_id":"etl",
      "run_id":"manual__1","task_id":"load","need_by":"2026-11-23T10:30:00Z",
      "overdue_seconds":-1800.0,"state":"at_risk","severity":"warning"})"));
}

}  // namespace
}  // namespace slayer::api

#include "insights/report_json.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "insights/test_items.h"

namespace slayer::insights {
namespace {

using namespace test;
using std::chrono::minutes;
using std::chrono::seconds;

const std::string kGoldenDir = SLAYER_SOURCE_DIR "/tests/insights/testdata/";

// Compares `actual` with a file in testdata/; SLAYER_UPDATE_GOLDEN=1 rewrites the file instead.
void ExpectGolden(const std::string& name, const std::string& actual) {
  const std::string path = kGoldenDir + name;
  if (const char* update = std::getenv("SLAYER_UPDATE_GOLDEN"); update && *update == '1') {
    std::ofstream(path) << actual << "\n";
    return;
  }
  std::ifstream in(path);
  ASSERT_TRUE(in) << "missing golden file " << path << " (SLAYER_UPDATE_GOLDEN=1 writes it)";
  std::stringstream want;
  want << in.rdbuf();
  EXPECT_EQ(actual + "\n", want.str())
      << "golden " << path << " differs; review, then SLAYER_UPDATE_GOLDEN=1";
}

// Two DAGs in a week of November in Berlin: etl with every outcome, sales with nothing
// evaluated yet.
Report SmallReport(GroupBy group_by) {
  std::vector<rules::Item> items = {
      Item("etl", "by-9", "", "2026-11-23T08:00:00Z", ItemState::kMet),
      Item("etl", "by-9", "", "2026-11-24T08:00:00Z", ItemState::kMetLate, seconds(90)),
      Item("etl", "by-9", "", "2026-11-25T08:00:00Z", ItemState::kMetLate,
           minutes(30) + std::chrono::microseconds(250000)),
      Item("etl", "runtime", "load", "2026-11-25T22:30:00Z", ItemState::kMissed),
      Item("etl", "runtime", "load", "2026-11-26T08:00:00Z", ItemState::kAbandoned),
      Item("sales", "by-9", "", "2026-11-29T08:00:00Z", ItemState::kPending),
  };
  ReportOptions o;
  o.since = T("2026-11-23T00:00:00Z");
  o.until = T("2026-11-30T00:00:00Z");
  o.group_by = group_by;
  auto berlin = DisplayZone::Make("Europe/Berlin");
  EXPECT_TRUE(berlin);
  if (berlin) o.zone = *berlin;
  return BuildReport(items, o);
}

TEST(ReportJsonTest, GoldenByDag) {
  ExpectGolden("report_by_dag.json", ReportJson(SmallReport(GroupBy::kDag)));
}

TEST(ReportJsonTest, GoldenByTask) {
  ExpectGolden("report_by_task.json", ReportJson(SmallReport(GroupBy::kTask)));
}

TEST(ReportJsonTest, DocumentShape) {
  const nlohmann::json doc = nlohmann::json::parse(ReportJson(SmallReport(GroupBy::kDag)));
  EXPECT_EQ(doc["since"], "2026-11-23T00:00:00Z");
  EXPECT_EQ(doc["until"], "2026-11-30T00:00:00Z");
  EXPECT_EQ(doc["group_by"], "dag");
  ASSERT_EQ(doc["groups"].size(), 2u);
  const auto& etl = doc["groups"][0];
  EXPECT_EQ(etl["key"], nlohmann::json({{"dag_id", "etl"}}));
  EXPECT_EQ(etl["evaluated"], 5);
  EXPECT_EQ(etl["met"], 1);
  EXPECT_EQ(etl["met_late"], 2);
  EXPECT_EQ(etl["missed"], 1);
  EXPECT_EQ(etl["abandoned"], 1);
  EXPECT_DOUBLE_EQ(etl["compliance"].get<double>(), 0.2);
  EXPECT_DOUBLE_EQ(etl["lateness_seconds"]["max"].get<double>(), 1800.25);
  EXPECT_DOUBLE_EQ(etl["lateness_seconds"]["p50"].get<double>(), 90);
  EXPECT_DOUBLE_EQ(etl["lateness_seconds"]["mean"].get<double>(), 945.125);
  ASSERT_EQ(etl["by_hour"].size(), 24u);
  EXPECT_EQ(etl["by_hour"][9], 2);   // 08:00Z is 09:00 CET
  EXPECT_EQ(etl["by_hour"][23], 1);  // 22:30Z is 23:30 CET
  ASSERT_EQ(etl["by_weekday_hour"].size(), 7u);
  for (const auto& day : etl["by_weekday_hour"]) EXPECT_EQ(day.size(), 24u);
  EXPECT_EQ(etl["by_weekday_hour"][1][9], 1);   // Tuesday 24th
  EXPECT_EQ(etl["by_weekday_hour"][2][9], 1);   // Wednesday 25th
  EXPECT_EQ(etl["by_weekday_hour"][2][23], 1);  // Wednesday 25th, 23:30
  const auto& sales = doc["groups"][1];
  EXPECT_EQ(sales["evaluated"], 0);
  EXPECT_TRUE(sales["compliance"].is_null());
  for (const char* k : {"mean", "p50", "p95", "max"}) {
    EXPECT_TRUE(sales["lateness_seconds"][k].is_null()) << k;
  }
}

TEST(ReportJsonTest, KeysPerGroupBy) {
  const auto rule = nlohmann::json::parse(ReportJson(SmallReport(GroupBy::kRule)));
  EXPECT_EQ(rule["group_by"], "rule");
  EXPECT_EQ(rule["groups"][0]["key"], nlohmann::json({{"rule", "by-9"}}));
  const auto task = nlohmann::json::parse(ReportJson(SmallReport(GroupBy::kTask)));
  EXPECT_EQ(task["groups"][0]["key"], nlohmann::json({{"dag_id", "etl"}, {"task_id", ""}}));
  EXPECT_EQ(task["groups"][1]["key"], nlohmann::json({{"dag_id", "etl"}, {"task_id", "load"}}));
}

TEST(ReportJsonTest, EmptyReport) {
  ReportOptions o;
  o.since = T("2026-11-23T00:00:00Z");
  o.until = T("2026-11-30T00:00:00Z");
  EXPECT_EQ(ReportJson(BuildReport({}, o)),
            "{\"since\":\"2026-11-23T00:00:00Z\",\"until\":\"2026-11-30T00:00:00Z\","
            "\"group_by\":\"dag\",\"groups\":[]}");
}

}  // namespace
}  // namespace slayer::insights

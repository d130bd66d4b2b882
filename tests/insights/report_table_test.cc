#include "insights/report_table.h"

#include <gtest/gtest.h>

#include <sstream>

#include "insights/test_items.h"

namespace slayer::insights {
namespace {

using namespace test;
using std::chrono::minutes;
using std::chrono::seconds;

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

Report Build(std::vector<rules::Item> items, GroupBy group_by = GroupBy::kDag) {
  ReportOptions o;
  o.since = T("2026-11-01T00:00:00Z");
  o.until = T("2026-12-01T00:00:00Z");
  o.group_by = group_by;
  return BuildReport(items, o);
}

// Three DAGs: etl 2 of 3 met (66.6%), long_dag_name all met, sales 1 late.
std::vector<rules::Item> ThreeDags() {
  return {Item("etl", "r", "", "2026-11-02T08:00:00Z", ItemState::kMet),
          Item("etl", "r", "", "2026-11-03T08:00:00Z", ItemState::kMet),
          Item("etl", "r", "", "2026-11-04T08:00:00Z", ItemState::kMetLate, minutes(90)),
          Item("long_dag_name", "r", "", "2026-11-02T08:00:00Z", ItemState::kMet),
          Item("sales", "r", "", "2026-11-02T09:00:00Z", ItemState::kMissed)};
}

TEST(ReportTableTest, AlignedColumnsAndATotal) {
  std::vector<std::string> lines = Lines(ReportTable(Build(ThreeDags()), {}));
  ASSERT_EQ(lines.size(), 7u);
  EXPECT_EQ(lines[0],
            "Deadlines with a need-by from 2026-11-01T00:00:00Z to 2026-12-01T00:00:00Z, by dag");
  EXPECT_EQ(lines[1], "");
  EXPECT_EQ(lines[2],
            "DAG            EVALUATED  MET  MET_LATE  MISSED  ABANDONED  COMPLIANCE  LATE_MEAN  "
            "LATE_P95  LATE_MAX");
  EXPECT_EQ(lines[3],
            "etl                    3    2         1       0          0       66.6%      1h30m  "
            "   1h30m     1h30m");
  EXPECT_EQ(lines[4],
            "long_dag_name          1    1         0       0          0      100.0%          -  "
            "       -         -");
  EXPECT_EQ(lines[5],
            "sales                  1    0         0       1          0        0.0%          -  "
            "       -         -");
  EXPECT_EQ(lines[6],
            "TOTAL                  5    3         1       1          0       60.0%      1h30m  "
            "   1h30m     1h30m");
}

TEST(ReportTableTest, ComplianceIsRoundedDown) {
  std::vector<rules::Item> items;
  for (int i = 0; i < 999; ++i) {
    items.push_back(Item("etl", "r", "", "2026-11-02T08:00:00Z", ItemState::kMet));
    items.back().key.run_id += std::to_string(i);
  }
  items.push_back(Item("etl", "r", "", "2026-11-02T08:00:00Z", ItemState::kMissed));
  const std::string table = ReportTable(Build(items), {});
  EXPECT_NE(table.find(" 99.9% "), std::string::npos) << table;
}

TEST(ReportTableTest, ASingleGroupGetsItsHistogram) {
  std::vector<rules::Item> items = {
      Item("etl", "r", "", "2026-11-02T08:00:00Z", ItemState::kMissed),
      Item("etl", "r", "", "2026-11-03T08:00:00Z", ItemState::kMetLate, seconds(1)),
      Item("etl", "r", "", "2026-11-04T13:00:00Z", ItemState::kMetLate, seconds(1))};
  const std::string table = ReportTable(Build(items), {});
  EXPECT_NE(table.find("\nMisses by need-by hour in UTC, dag_id=etl: 3\n"), std::string::npos)
      << table;
  EXPECT_NE(table.find("\n  07 | 0\n"), std::string::npos) << table;
  EXPECT_NE(table.find("\n  08 | " + std::string(40, '#') + " 2\n"), std::string::npos) << table;
  EXPECT_NE(table.find("\n  13 | " + std::string(20, '#') + " 1\n"), std::string::npos) << table;
  EXPECT_EQ(table.find("TOTAL"), std::string::npos);  // one group: no total line
}

TEST(ReportTableTest, HoursDrawsEveryGroupWithMisses) {
  const Report r = Build(ThreeDags());
  EXPECT_EQ(ReportTable(r, {}).find("Misses by need-by hour"), std::string::npos);
  const std::string table = ReportTable(r, {.hours = true});
  EXPECT_NE(table.find("Misses by need-by hour in UTC, dag_id=etl: 1\n"), std::string::npos);
  EXPECT_NE(table.find("Misses by need-by hour in UTC, dag_id=sales: 1\n"), std::string::npos);
  EXPECT_EQ(table.find("dag_id=long_dag_name"), std::string::npos);  // no misses
}

TEST(ReportTableTest, TaskGroupsShowDagAndTask) {
  const Report r = Build({Item("etl", "r", "", "2026-11-02T08:00:00Z", ItemState::kMet),
                          Item("etl", "r", "load", "2026-11-02T08:00:00Z", ItemState::kMet)},
                         GroupBy::kTask);
  std::vector<std::string> lines = Lines(ReportTable(r, {}));
  ASSERT_GE(lines.size(), 5u);
  // The DAG column is as wide as "TOTAL".
  EXPECT_EQ(lines[2].rfind("DAG    TASK  EVALUATED", 0), 0u) << lines[2];
  EXPECT_EQ(lines[3].rfind("etl    -             1", 0), 0u) << lines[3];
  EXPECT_EQ(lines[4].rfind("etl    load          1", 0), 0u) << lines[4];
  EXPECT_EQ(lines[5].rfind("TOTAL                2", 0), 0u) << lines[5];
}

TEST(ReportTableTest, EmptyReportSaysWhatToCheck) {
  const std::string table = ReportTable(Build({}), {});
  EXPECT_NE(table.find("No items in this window."), std::string::npos) << table;
  EXPECT_NE(table.find("--since"), std::string::npos);
}

}  // namespace
}  // namespace slayer::insights

#include "insights/report_csv.h"

#include <gtest/gtest.h>

#include <sstream>

#include "insights/test_items.h"

namespace slayer::insights {
namespace {

using namespace test;
using std::chrono::seconds;

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

Report Build(std::vector<rules::Item> items, GroupBy group_by) {
  ReportOptions o;
  o.since = T("2026-11-01T00:00:00Z");
  o.until = T("2026-12-01T00:00:00Z");
  o.group_by = group_by;
  return BuildReport(items, o);
}

TEST(ReportCsvTest, HeaderAndOneLinePerGroup) {
  Report r = Build({Item("etl", "r", "", "2026-11-02T08:00:00Z", ItemState::kMet),
                    Item("etl", "r", "", "2026-11-03T08:00:00Z", ItemState::kMetLate, seconds(90)),
                    Item("etl", "r", "", "2026-11-03T09:00:00Z", ItemState::kMetLate, seconds(30)),
                    Item("etl", "r", "", "2026-11-04T08:00:00Z", ItemState::kMissed),
                    Item("zz", "r", "", "2026-11-04T08:00:00Z", ItemState::kPending)},
                   GroupBy::kDag);
  std::vector<std::string> lines = Lines(ReportCsv(r));
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0].rfind("dag_id,evaluated,met,met_late,missed,abandoned,compliance,"
                           "lateness_mean_seconds,lateness_p50_seconds,lateness_p95_seconds,"
                           "lateness_max_seconds,misses_hour_00,misses_hour_01,",
                           0),
            0u)
      << lines[0];
  EXPECT_TRUE(lines[0].ends_with(",misses_hour_23")) << lines[0];
  EXPECT_EQ(lines[1],
            "etl,4,1,2,1,0,0.25,60,30,90,90,0,0,0,0,0,0,0,0,2,1,0,0,0,0,0,0,0,0,0,0,0,0,0,0");
  // Nothing evaluated: empty compliance and lateness, not zeros.
  EXPECT_EQ(lines[2], "zz,0,0,0,0,0,,,,,,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0");
}

TEST(ReportCsvTest, TaskGroupsHaveTwoKeyColumns) {
  Report r = Build({Item("etl", "r", "", "2026-11-02T08:00:00Z", ItemState::kMet),
                    Item("etl", "r", "load", "2026-11-02T08:00:00Z", ItemState::kMet)},
                   GroupBy::kTask);
  std::vector<std::string> lines = Lines(ReportCsv(r));
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0].rfind("dag_id,task_id,evaluated,", 0), 0u);
  EXPECT_EQ(lines[1].rfind("etl,,1,1,0,0,0,1,", 0), 0u) << lines[1];
  EXPECT_EQ(lines[2].rfind("etl,load,1,1,0,0,0,1,", 0), 0u) << lines[2];
}

TEST(ReportCsvTest, RuleKeyIsQuotedWhenItMustBe) {
  Report r = Build({Item("etl", "by 9, \"sharp\"", "", "2026-11-02T08:00:00Z", ItemState::kMet)},
                   GroupBy::kRule);
  std::vector<std::string> lines = Lines(ReportCsv(r));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].rfind("rule,evaluated,", 0), 0u);
  EXPECT_EQ(lines[1].rfind("\"by 9, \"\"sharp\"\"\",1,1,", 0), 0u) << lines[1];
}

TEST(ReportCsvTest, CsvField) {
  EXPECT_EQ(CsvField("plain_id"), "plain_id");
  EXPECT_EQ(CsvField(""), "");
  EXPECT_EQ(CsvField("a,b"), "\"a,b\"");
  EXPECT_EQ(CsvField("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(CsvField("two\nlines"), "\"two\nlines\"");
  EXPECT_EQ(CsvField("cr\r"), "\"cr\r\"");
}

}  // namespace
}  // namespace slayer::insights

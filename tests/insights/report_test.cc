#include "insights/report.h"

#include <gtest/gtest.h>

#include <numeric>
#include <vector>

#include "insights/test_items.h"

namespace slayer::insights {
namespace {

using namespace test;
using std::chrono::minutes;
using std::chrono::seconds;

ReportOptions Window(std::string_view since, std::string_view until,
                     GroupBy group_by = GroupBy::kDag) {
  ReportOptions o;
  o.since = T(since);
  o.until = T(until);
  o.group_by = group_by;
  return o;
}

int64_t Sum(const std::array<int64_t, 24>& hours) {
  return std::accumulate(hours.begin(), hours.end(), int64_t{0});
}

TEST(ReportTest, EmptyInputHasNoGroups) {
  Report r = BuildReport({}, Window("2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z"));
  EXPECT_TRUE(r.groups.empty());
  EXPECT_EQ(r.total.evaluated, 0);
  EXPECT_FALSE(r.total.compliance());
  EXPECT_EQ(r.since, T("2026-11-01T00:00:00Z"));
  EXPECT_EQ(r.until, T("2026-12-01T00:00:00Z"));
  EXPECT_EQ(r.display_timezone, "UTC");
}

TEST(ReportTest, CountsOutcomesAndLeavesPendingItemsOut) {
  std::vector<rules::Item> items = {
      Item("etl", "r", "", "2026-11-02T08:00:00Z", ItemState::kMet),
      Item("etl", "r", "", "2026-11-03T08:00:00Z", ItemState::kMet),
      Item("etl", "r", "", "2026-11-04T08:00:00Z", ItemState::kMet),
      Item("etl", "r", "", "2026-11-05T08:00:00Z", ItemState::kMetLate),
      Item("etl", "r", "", "2026-11-06T08:00:00Z", ItemState::kMissed),
      Item("etl", "r", "", "2026-11-07T08:00:00Z", ItemState::kAbandoned),
      Item("etl", "r", "", "2026-11-08T08:00:00Z", ItemState::kPending),
      Item("etl", "r", "", "2026-11-09T08:00:00Z", ItemState::kAtRisk),
  };
  Report r = BuildReport(items, Window("2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z"));
  ASSERT_EQ(r.groups.size(), 1u);
  const ReportGroup& g = r.groups[0];
  EXPECT_EQ(g.key.dag_id, "etl");
  EXPECT_EQ(g.met, 3);
  EXPECT_EQ(g.met_late, 1);
  EXPECT_EQ(g.missed, 1);
  EXPECT_EQ(g.abandoned, 1);
  EXPECT_EQ(g.evaluated, 6);  // pending and at_risk are not evaluated yet
  EXPECT_EQ(g.misses(), 2);
  ASSERT_TRUE(g.compliance());
  EXPECT_DOUBLE_EQ(*g.compliance(), 0.5);
}

TEST(ReportTest, ComplianceIsNullWhenNothingWasEvaluated) {
  std::vector<rules::Item> items = {
      Item("etl", "r", "", "2026-11-08T08:00:00Z", ItemState::kPending)};
  Report r = BuildReport(items, Window("2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z"));
  ASSERT_EQ(r.groups.size(), 1u);  // the DAG is tracked; nothing is known yet
  EXPECT_EQ(r.groups[0].evaluated, 0);
  EXPECT_FALSE(r.groups[0].compliance());
}

TEST(ReportTest, LatenessCountsOnlyItemsThatFinishedLate) {
  std::vector<rules::Item> items = {
      Item("etl", "r", "", "2026-11-02T08:00:00Z", ItemState::kMetLate, minutes(10)),
      Item("etl", "r", "", "2026-11-03T08:00:00Z", ItemState::kMetLate, minutes(30)),
      Item("etl", "r", "", "2026-11-04T08:00:00Z", ItemState::kMetLate, minutes(20)),
      // Overdue for weeks, but not finished: not a lateness (yet).
      Item("etl", "r", "", "2026-11-05T08:00:00Z", ItemState::kMissed),
      Item("etl", "r", "", "2026-11-06T08:00:00Z", ItemState::kAbandoned, std::chrono::hours(5)),
      Item("etl", "r", "", "2026-11-07T08:00:00Z", ItemState::kMet),
  };
  Report r = BuildReport(items, Window("2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z"));
  const LatenessStats& l = r.groups.at(0).lateness;
  EXPECT_EQ(l.count, 3);
  EXPECT_EQ(l.mean, minutes(20));
  EXPECT_EQ(l.p50, minutes(20));
  EXPECT_EQ(l.p95, minutes(30));
  EXPECT_EQ(l.max, minutes(30));
}

TEST(ReportTest, WindowIncludesSinceAndExcludesUntil) {
  std::vector<rules::Item> items = {
      Item("etl", "r", "", "2026-10-31T23:59:59Z", ItemState::kMet),
      Item("etl", "r", "", "2026-11-01T00:00:00Z", ItemState::kMet),
      Item("etl", "r", "", "2026-11-30T23:59:59Z", ItemState::kMissed),
      Item("etl", "r", "", "2026-12-01T00:00:00Z", ItemState::kMissed),
  };
  Report r = BuildReport(items, Window("2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z"));
  ASSERT_EQ(r.groups.size(), 1u);
  EXPECT_EQ(r.groups[0].met, 1);
  EXPECT_EQ(r.groups[0].missed, 1);
}

TEST(ReportTest, GroupsByDagRuleOrTaskInKeyOrder) {
  std::vector<rules::Item> items = {
      Item("sales", "by-9", "", "2026-11-02T08:00:00Z", ItemState::kMet),
      Item("etl", "by-9", "load", "2026-11-02T08:00:00Z", ItemState::kMetLate),
      Item("etl", "runtime", "extract", "2026-11-02T09:00:00Z", ItemState::kMissed),
      Item("etl", "runtime", "", "2026-11-02T10:00:00Z", ItemState::kMet),
      Item("crm", "runtime", "load", "2026-11-02T10:00:00Z", ItemState::kMet),
  };
  const char* since = "2026-11-01T00:00:00Z";
  const char* until = "2026-12-01T00:00:00Z";

  Report by_dag = BuildReport(items, Window(since, until, GroupBy::kDag));
  ASSERT_EQ(by_dag.groups.size(), 3u);
  EXPECT_EQ(by_dag.groups[0].key, (GroupKey{.dag_id = "crm"}));
  EXPECT_EQ(by_dag.groups[1].key, (GroupKey{.dag_id = "etl"}));
  EXPECT_EQ(by_dag.groups[1].evaluated, 3);
  EXPECT_EQ(by_dag.groups[2].key, (GroupKey{.dag_id = "sales"}));

  Report by_rule = BuildReport(items, Window(since, until, GroupBy::kRule));
  ASSERT_EQ(by_rule.groups.size(), 2u);
  EXPECT_EQ(by_rule.groups[0].key, (GroupKey{.rule = "by-9"}));
  EXPECT_EQ(by_rule.groups[0].evaluated, 2);
  EXPECT_EQ(by_rule.groups[1].key, (GroupKey{.rule = "runtime"}));
  EXPECT_EQ(by_rule.groups[1].evaluated, 3);

  // Task ids repeat across DAGs ("load"), so a task group is (dag_id, task_id); DAG-level items
  // form the group with the empty task_id.
  Report by_task = BuildReport(items, Window(since, until, GroupBy::kTask));
  ASSERT_EQ(by_task.groups.size(), 5u);
  EXPECT_EQ(by_task.groups[0].key, (GroupKey{.dag_id = "crm", .task_id = "load"}));
  EXPECT_EQ(by_task.groups[1].key, (GroupKey{.dag_id = "etl", .task_id = ""}));
  EXPECT_EQ(by_task.groups[2].key, (GroupKey{.dag_id = "etl", .task_id = "extract"}));
  EXPECT_EQ(by_task.groups[3].key, (GroupKey{.dag_id = "etl", .task_id = "load"}));
  EXPECT_EQ(by_task.groups[4].key, (GroupKey{.dag_id = "sales", .task_id = ""}));

  // Every grouping covers the same items.
  for (const Report* r : {&by_dag, &by_rule, &by_task}) {
    EXPECT_EQ(r->total.evaluated, 5);
    EXPECT_EQ(r->total.met, 3);
    EXPECT_EQ(r->total.met_late, 1);
    EXPECT_EQ(r->total.missed, 1);
    int64_t sum = 0;
    for (const ReportGroup& g : r->groups) sum += g.evaluated;
    EXPECT_EQ(sum, 5);
  }
}

TEST(ReportTest, HistogramsCountMissesByLocalHourAcrossDst) {
  // 08:00 UTC every day: 09:00 in Berlin before the clocks go forward on Sunday 2026-03-29,
  // 10:00 from then on.
  std::vector<rules::Item> items = {
      Item("etl", "r", "", "2026-03-27T08:00:00Z", ItemState::kMissed),   // Fri 09:00 CET
      Item("etl", "r", "", "2026-03-28T08:00:00Z", ItemState::kMetLate),  // Sat 09:00 CET
      Item("etl", "r", "", "2026-03-29T08:00:00Z", ItemState::kMetLate),  // Sun 10:00 CEST
      Item("etl", "r", "", "2026-03-30T08:00:00Z", ItemState::kMissed),   // Mon 10:00 CEST
      // Neither a met item nor an abandoned one is a miss in the histograms.
      Item("etl", "r", "", "2026-03-31T08:00:00Z", ItemState::kMet),
      Item("etl", "r", "", "2026-04-01T08:00:00Z", ItemState::kAbandoned, std::chrono::hours(1)),
      Item("etl", "r", "", "2026-04-02T08:00:00Z", ItemState::kPending),
  };
  ReportOptions o = Window("2026-03-01T00:00:00Z", "2026-05-01T00:00:00Z");
  auto berlin = DisplayZone::Make("Europe/Berlin");
  ASSERT_TRUE(berlin);
  o.zone = *berlin;
  Report r = BuildReport(items, o);
  EXPECT_EQ(r.display_timezone, "Europe/Berlin");
  const ReportGroup& g = r.groups.at(0);
  EXPECT_EQ(g.by_hour[9], 2);
  EXPECT_EQ(g.by_hour[10], 2);
  EXPECT_EQ(g.by_hour[8], 0);
  EXPECT_EQ(Sum(g.by_hour), g.misses());
  EXPECT_EQ(g.by_weekday_hour[4][9], 1);   // Friday
  EXPECT_EQ(g.by_weekday_hour[5][9], 1);   // Saturday
  EXPECT_EQ(g.by_weekday_hour[6][10], 1);  // Sunday
  EXPECT_EQ(g.by_weekday_hour[0][10], 1);  // Monday
  int64_t cells = 0;
  for (const auto& day : g.by_weekday_hour) cells += Sum(day);
  EXPECT_EQ(cells, 4);

  // In UTC the same misses all fall at 08.
  Report utc = BuildReport(items, Window("2026-03-01T00:00:00Z", "2026-05-01T00:00:00Z"));
  EXPECT_EQ(utc.groups.at(0).by_hour[8], 4);
  EXPECT_EQ(utc.display_timezone, "UTC");
}

TEST(ReportTest, TotalSummarisesLatenessOverAllGroups) {
  std::vector<rules::Item> items = {
      Item("a", "r", "", "2026-11-02T08:00:00Z", ItemState::kMetLate, minutes(1)),
      Item("b", "r", "", "2026-11-02T08:00:00Z", ItemState::kMetLate, minutes(3)),
      Item("c", "r", "", "2026-11-02T08:00:00Z", ItemState::kMet),
  };
  Report r = BuildReport(items, Window("2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z"));
  EXPECT_EQ(r.total.lateness.count, 2);
  EXPECT_EQ(r.total.lateness.mean, minutes(2));
  EXPECT_EQ(r.total.lateness.max, minutes(3));
  ASSERT_TRUE(r.total.compliance());
  EXPECT_NEAR(*r.total.compliance(), 1.0 / 3.0, 1e-12);
  EXPECT_EQ(r.total.by_hour[8], 2);
}

TEST(ReportTest, GroupByNamesRoundTrip) {
  for (GroupBy g : {GroupBy::kDag, GroupBy::kRule, GroupBy::kTask}) {
    EXPECT_EQ(ParseGroupBy(GroupByName(g)), g);
  }
  EXPECT_FALSE(ParseGroupBy("dag_id"));
  EXPECT_FALSE(ParseGroupBy("DAG"));
}

}  // namespace
}  // namespace slayer::insights

#include "sim/timetable.h"
#include "fakes/timestamps.h"

#include <gtest/gtest.h>

namespace slayer::sim {
namespace {

using test::T;

DagSpec Cron(const std::string& cron, const std::string& tz) {
  DagSpec d;
  d.dag_id = "d";
  d.schedule_kind = ScheduleKind::kCron;
  d.schedule_text = cron;
  d.cron = ExpandCronPreset(cron);
  d.timezone = tz;
  return d;
}

TEST(TimetableTest, DailyBerlinCronAcrossSpringForward) {
  auto tt = *Timetable::Make(Cron("30 2 * * *", "Europe/Berlin"), AirflowVersion::kV2);
  // 2025-03-30 02:30 does not exist in Berlin: pendulum moves it forward by the gap (03:30 CEST).
  EXPECT_EQ(tt.GetNext(T("2025-03-29T02:00:00Z")), T("2025-03-30T01:30:00Z"));
  EXPECT_EQ(tt.GetNext(T("2025-03-30T01:30:00Z")), T("2025-03-31T00:30:00Z"));
  EXPECT_EQ(tt.GetNext(T("2025-03-28T12:00:00Z")), T("2025-03-29T01:30:00Z"));
}

TEST(TimetableTest, DailyBerlinCronAcrossFallBackFiresOnceAtTheSecondOccurrence) {
  // 2025-10-26 02:30 happens twice in Berlin (CEST, then CET): Airflow (pendulum, fold=1) runs
  // it once, at 02:30 CET (docs/cron.md).
  auto tt = *Timetable::Make(Cron("30 2 * * *", "Europe/Berlin"), AirflowVersion::kV2);
  EXPECT_EQ(tt.GetNext(T("2025-10-25T00:30:00Z")), T("2025-10-26T01:30:00Z"));  // CET
  EXPECT_EQ(tt.GetNext(T("2025-10-25T12:00:00Z")), T("2025-10-26T01:30:00Z"));
  EXPECT_EQ(tt.GetNext(T("2025-10-26T01:30:00Z")), T("2025-10-27T01:30:00Z"));
  EXPECT_EQ(tt.GetPrev(T("2025-10-27T01:30:00Z")), T("2025-10-26T01:30:00Z"));
}

TEST(TimetableTest, HourlyCronKeepsOneHourStepsOverDstFold) {
  auto tt = *Timetable::Make(Cron("0 * * * *", "Europe/Berlin"), AirflowVersion::kV2);
  Timestamp t = T("2025-10-25T23:00:00Z");
  for (int i = 0; i < 5; ++i) {
    Timestamp next = tt.GetNext(t);
    EXPECT_EQ(next - t, std::chrono::hours(1)) << FormatRfc3339(t);
    t = next;
  }
  t = T("2025-03-29T23:00:00Z");
  for (int i = 0; i < 5; ++i) {
    Timestamp next = tt.GetNext(t);
    EXPECT_EQ(next - t, std::chrono::hours(1)) << FormatRfc3339(t);
    t = next;
  }
}

TEST(TimetableTest, DataIntervalRunsAreCreatedAtTheIntervalEnd) {
  auto tt = *Timetable::Make(Cron("@hourly", "UTC"), AirflowVersion::kV2);
  EXPECT_EQ(tt.kind(), Timetable::Kind::kCronDataInterval);
  // No catchup: the latest complete interval.
  auto first =
      tt.NextDagRunInfo(std::nullopt, T("2025-01-01T00:00:00Z"), false, T("2025-01-02T10:17:00Z"));
  ASSERT_TRUE(first);
  EXPECT_EQ(first->logical_date, T("2025-01-02T09:00:00Z"));
  EXPECT_EQ(first->data_interval.end, T("2025-01-02T10:00:00Z"));
  EXPECT_EQ(first->run_after, T("2025-01-02T10:00:00Z"));
  auto second = tt.NextDagRunInfo(first->data_interval, T("2025-01-01T00:00:00Z"), false,
                                  T("2025-01-02T10:17:00Z"));
  EXPECT_EQ(second->logical_date, T("2025-01-02T10:00:00Z"));
  EXPECT_EQ(second->run_after, T("2025-01-02T11:00:00Z"));
  // Catchup: from the aligned start date.
  auto caught =
      tt.NextDagRunInfo(std::nullopt, T("2025-01-01T00:30:00Z"), true, T("2025-01-02T10:17:00Z"));
  EXPECT_EQ(caught->logical_date, T("2025-01-01T01:00:00Z"));
}

TEST(TimetableTest, Airflow3CronIsATriggerTimetable) {
  auto tt = *Timetable::Make(Cron("@hourly", "UTC"), AirflowVersion::kV3_1);
  EXPECT_EQ(tt.kind(), Timetable::Kind::kCronTrigger);
  auto first =
      tt.NextDagRunInfo(std::nullopt, T("2025-01-01T00:00:00Z"), false, T("2025-01-02T10:17:00Z"));
  EXPECT_EQ(first->logical_date, T("2025-01-02T10:00:00Z"));
  EXPECT_EQ(first->run_after, T("2025-01-02T10:00:00Z"));
  EXPECT_EQ(first->data_interval.start, first->data_interval.end);
  DagSpec with_intervals = Cron("@hourly", "UTC");
  with_intervals.cron_data_intervals = true;
  EXPECT_EQ(Timetable::Make(with_intervals, AirflowVersion::kV3_1)->kind(),
            Timetable::Kind::kCronDataInterval);
}

TEST(TimetableTest, TimedeltaIsEpochAlignedWithoutCatchup) {
  DagSpec d;
  d.schedule_kind = ScheduleKind::kDelta;
  d.schedule_text = "30m";
  d.delta = std::chrono::minutes(30);
  auto tt = *Timetable::Make(d, AirflowVersion::kV2);
  auto first =
      tt.NextDagRunInfo(std::nullopt, T("2025-01-01T00:07:00Z"), false, T("2025-01-02T10:17:00Z"));
  EXPECT_EQ(first->data_interval.start, T("2025-01-02T09:30:00Z"));
  EXPECT_EQ(first->run_after, T("2025-01-02T10:00:00Z"));
  auto caught =
      tt.NextDagRunInfo(std::nullopt, T("2025-01-01T00:07:00Z"), true, T("2025-01-02T10:17:00Z"));
  EXPECT_EQ(caught->data_interval.start, T("2025-01-01T00:07:00Z"));
  EXPECT_EQ(tt.ScheduleIntervalJson(),
            R"({"type": "timedelta", "attrs": {"days": 0, "seconds": 1800, "microseconds": 0}})");
  EXPECT_EQ(tt.Summary(), "0:30:00");
}

TEST(TimetableTest, ManualDataIntervalIsTheLastCompleteOne) {
  auto tt = *Timetable::Make(Cron("0 0 * * *", "UTC"), AirflowVersion::kV2);
  DataInterval di = tt.InferManualDataInterval(T("2025-01-25T01:00:00Z"));
  EXPECT_EQ(di.start, T("2025-01-24T00:00:00Z"));
  EXPECT_EQ(di.end, T("2025-01-25T00:00:00Z"));
}

TEST(TimetableTest, HourlyCronFiresInBothPassesOfTheRepeatedHour) {
  auto tt = *Timetable::Make(Cron("*/30 * * * *", "Europe/Berlin"), AirflowVersion::kV2);
  // 02:00, 02:30 CEST, then 02:00, 02:30 CET, then 03:00 CET.
  Timestamp t = T("2025-10-26T00:00:00Z");
  for (const char* want : {"2025-10-26T00:30:00Z", "2025-10-26T01:00:00Z", "2025-10-26T01:30:00Z",
                           "2025-10-26T02:00:00Z"}) {
    t = tt.GetNext(t);
    EXPECT_EQ(t, T(want));
  }
}

TEST(TimetableTest, StoresPresetsExpandedAsAirflowDoes) {
  auto tt = *Timetable::Make(Cron("@daily", "UTC"), AirflowVersion::kV2);
  EXPECT_EQ(tt.expression(), "0 0 * * *");
  EXPECT_EQ(tt.Summary(), "0 0 * * *");
  EXPECT_EQ(tt.schedule_text(), "@daily");
  EXPECT_EQ(tt.ScheduleIntervalJson(), "\"@daily\"");
  EXPECT_EQ(ExpandCronPreset("@quarterly"), "0 0 1 */3 *");
  EXPECT_EQ(ExpandCronPreset("@Hourly"), "0 * * * *");
  EXPECT_EQ(ExpandCronPreset("*/5 * * * *"), "*/5 * * * *");
}

TEST(TimetableTest, CronThatNeverMatchesCreatesNoRuns) {
  auto tt = *Timetable::Make(Cron("0 0 30 2 *", "UTC"), AirflowVersion::kV2);
  EXPECT_FALSE(
      tt.NextDagRunInfo(std::nullopt, T("2025-01-01T00:00:00Z"), true, T("2025-06-01T00:00:00Z")));
}

TEST(TimetableTest, RejectsUnknownTimeZone) {
  EXPECT_FALSE(Timetable::Make(Cron("@daily", "Mars/Olympus"), AirflowVersion::kV2));
}

TEST(TimetableTest, RejectsBadCronWithTheCronModulesMessage) {
  auto tt = Timetable::Make(Cron("0 25 * * *", "UTC"), AirflowVersion::kV2);
  ASSERT_FALSE(tt);
  EXPECT_EQ(tt.error().message(),
            "cron '0 25 * * *': field 2 (hour) at column 3: 25 is out of range 0-23");
}

TEST(TimetableTest, PythonTimedeltaStrings) {
  EXPECT_EQ(PythonTimedeltaString(std::chrono::hours(24)), "1 day, 0:00:00");
  EXPECT_EQ(PythonTimedeltaString(std::chrono::hours(49)), "2 days, 1:00:00");
  EXPECT_EQ(PythonTimedeltaString(std::chrono::milliseconds(1500)), "0:00:01.500000");
}

}  // namespace
}  // namespace slayer::sim

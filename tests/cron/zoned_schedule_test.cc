#include "cron/zoned_schedule.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/time.h"
#include "fakes/timestamps.h"

namespace slayer::cron {
namespace {

using Strings = std::vector<std::string>;

// RFC 3339 with an offset, so that the tests read as local times.
using test::T;

// Same instant as T(text), formatted in UTC the way FormatRfc3339 does.
std::string U(std::string_view text) { return FormatRfc3339(T(text)); }

std::string Format(std::optional<Timestamp> t) { return t ? FormatRfc3339(*t) : "none"; }

ZonedSchedule Make(std::string_view cron, std::string_view zone) {
  Result<CronExpression> expression = CronExpression::Parse(cron);
  EXPECT_TRUE(expression.has_value()) << expression.status().ToString();
  Result<ZonedSchedule> schedule = ZonedSchedule::Make(std::move(expression).value(), zone);
  EXPECT_TRUE(schedule.has_value()) << schedule.status().ToString();
  return std::move(schedule).value();
}

Strings NextN(std::string_view cron, std::string_view zone, std::string_view start, int n) {
  const ZonedSchedule schedule = Make(cron, zone);
  Strings out;
  std::optional<Timestamp> t = T(start);
  for (int i = 0; i < n && t; ++i) {
    t = schedule.Next(*t);
    out.push_back(Format(t));
  }
  return out;
}

Strings PrevN(std::string_view cron, std::string_view zone, std::string_view start, int n) {
  const ZonedSchedule schedule = Make(cron, zone);
  Strings out;
  std::optional<Timestamp> t = T(start);
  for (int i = 0; i < n && t; ++i) {
    t = schedule.Prev(*t);
    out.push_back(Format(t));
  }
  return out;
}

TEST(CheckTimeZoneTest, KnownAndUnknownNames) {
  EXPECT_TRUE(CheckTimeZone("UTC").ok());
  EXPECT_TRUE(CheckTimeZone("Europe/Berlin").ok());
  EXPECT_TRUE(CheckTimeZone("Australia/Lord_Howe").ok());
  const Status bad = CheckTimeZone("Europe/Atlantis");
  EXPECT_EQ(bad.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.message(), "unknown time zone 'Europe/Atlantis'");
  EXPECT_EQ(CheckTimeZone("").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(CheckTimeZone("europe/berlin").code(), StatusCode::kInvalidArgument);
}

TEST(ZonedScheduleTest, MakeRejectsUnknownZone) {
  Result<ZonedSchedule> schedule =
      ZonedSchedule::Make(*CronExpression::Parse("@daily"), "Mars/Olympus_Mons");
  ASSERT_FALSE(schedule.has_value());
  EXPECT_EQ(schedule.error().message(), "unknown time zone 'Mars/Olympus_Mons'");
}

TEST(ZonedScheduleTest, Accessors) {
  const ZonedSchedule schedule = Make("0 9 * * MON-FRI", "Europe/Berlin");
  EXPECT_EQ(schedule.time_zone(), "Europe/Berlin");
  EXPECT_EQ(schedule.cron().text(), "0 9 * * MON-FRI");
}

TEST(ZonedScheduleTest, Utc) {
  EXPECT_EQ(NextN("*/15 * * * *", "UTC", "2026-01-01T00:05:00Z", 2),
            (Strings{"2026-01-01T00:15:00Z", "2026-01-01T00:30:00Z"}));
  EXPECT_EQ(PrevN("0 0 * * *", "UTC", "2026-01-01T00:00:00Z", 1),
            (Strings{"2025-12-31T00:00:00Z"}));
}

TEST(ZonedScheduleTest, SubMinuteInstants) {
  const ZonedSchedule schedule = Make("30 9 * * *", "Europe/Berlin");
  EXPECT_EQ(Format(schedule.Next(T("2026-06-01T09:29:59.999999+02:00"))),
            U("2026-06-01T09:30:00+02:00"));
  EXPECT_EQ(Format(schedule.Next(T("2026-06-01T09:30:00.000001+02:00"))),
            U("2026-06-02T09:30:00+02:00"));
  EXPECT_EQ(Format(schedule.Prev(T("2026-06-01T09:30:00.000001+02:00"))),
            U("2026-06-01T09:30:00+02:00"));
  EXPECT_EQ(Format(schedule.Prev(T("2026-06-01T09:30:00+02:00"))), U("2026-05-31T09:30:00+02:00"));
  // Every-hour schedules keep the fraction out of the result too.
  const ZonedSchedule every = Make("*/10 * * * *", "Europe/Berlin");
  EXPECT_EQ(Format(every.Next(T("2026-06-01T09:29:59.5+02:00"))), U("2026-06-01T09:30:00+02:00"));
  EXPECT_EQ(Format(every.Prev(T("2026-06-01T09:30:00.5+02:00"))), U("2026-06-01T09:30:00+02:00"));
}

// Europe/Berlin 2026: 02:00 CET -> 03:00 CEST on 29 March, 03:00 CEST -> 02:00 CET on 25 October.
TEST(ZonedScheduleTest, BerlinSpringGapShiftsForward) {
  // 02:30 does not exist on 29 March: Airflow runs it at 03:30 CEST, once.
  const Strings ticks = {U("2026-03-28T02:30:00+01:00"), U("2026-03-29T03:30:00+02:00"),
                         U("2026-03-30T02:30:00+02:00")};
  EXPECT_EQ(NextN("30 2 * * *", "Europe/Berlin", "2026-03-27T12:00:00Z", 3), ticks);
  EXPECT_EQ(PrevN("30 2 * * *", "Europe/Berlin", "2026-03-30T12:00:00Z", 3),
            (Strings{ticks[2], ticks[1], ticks[0]}));
}

TEST(ZonedScheduleTest, BerlinSpringGapEveryHalfHour) {
  EXPECT_EQ(NextN("*/30 * * * *", "Europe/Berlin", "2026-03-29T01:00:00+01:00", 3),
            (Strings{U("2026-03-29T01:30:00+01:00"), U("2026-03-29T03:00:00+02:00"),
                     U("2026-03-29T03:30:00+02:00")}));
  EXPECT_EQ(PrevN("*/30 * * * *", "Europe/Berlin", "2026-03-29T03:30:00+02:00", 2),
            (Strings{U("2026-03-29T03:00:00+02:00"), U("2026-03-29T01:30:00+01:00")}));
}

TEST(ZonedScheduleTest, BerlinAutumnRepeatFiresOnceForFixedHours) {
  // 02:30 happens twice on 25 October; a fixed-hour schedule fires at the second one (CET).
  const Strings ticks = {U("2026-10-24T02:30:00+02:00"), U("2026-10-25T02:30:00+01:00"),
                         U("2026-10-26T02:30:00+01:00")};
  EXPECT_EQ(NextN("30 2 * * *", "Europe/Berlin", "2026-10-23T12:00:00Z", 3), ticks);
  EXPECT_EQ(PrevN("30 2 * * *", "Europe/Berlin", "2026-10-26T12:00:00Z", 3),
            (Strings{ticks[2], ticks[1], ticks[0]}));
}

TEST(ZonedScheduleTest, BerlinAutumnRepeatFiresTwiceForEveryHourSchedules) {
  const Strings ticks = {U("2026-10-25T01:30:00+02:00"), U("2026-10-25T02:00:00+02:00"),
                         U("2026-10-25T02:30:00+02:00"), U("2026-10-25T02:00:00+01:00"),
                         U("2026-10-25T02:30:00+01:00"), U("2026-10-25T03:00:00+01:00")};
  EXPECT_EQ(NextN("*/30 * * * *", "Europe/Berlin", "2026-10-25T01:00:00+02:00", 6), ticks);
  EXPECT_EQ(PrevN("*/30 * * * *", "Europe/Berlin", "2026-10-25T03:30:00+01:00", 6),
            (Strings{ticks[5], ticks[4], ticks[3], ticks[2], ticks[1], ticks[0]}));
}

TEST(ZonedScheduleTest, BerlinWeekdaysAcrossBothChanges) {
  EXPECT_EQ(NextN("0 9 * * MON-FRI", "Europe/Berlin", "2026-03-26T12:00:00Z", 3),
            (Strings{U("2026-03-27T09:00:00+01:00"), U("2026-03-30T09:00:00+02:00"),
                     U("2026-03-31T09:00:00+02:00")}));
  EXPECT_EQ(NextN("0 9 * * MON-FRI", "Europe/Berlin", "2026-10-22T12:00:00Z", 3),
            (Strings{U("2026-10-23T09:00:00+02:00"), U("2026-10-26T09:00:00+01:00"),
                     U("2026-10-27T09:00:00+01:00")}));
  EXPECT_EQ(PrevN("0 9 * * MON-FRI", "Europe/Berlin", "2026-03-30T12:00:00Z", 2),
            (Strings{U("2026-03-30T09:00:00+02:00"), U("2026-03-27T09:00:00+01:00")}));
  EXPECT_EQ(PrevN("0 9 * * MON-FRI", "Europe/Berlin", "2026-10-26T12:00:00Z", 2),
            (Strings{U("2026-10-26T09:00:00+01:00"), U("2026-10-23T09:00:00+02:00")}));
}

TEST(ZonedScheduleTest, PrevIsStrictInsideDstChanges) {
  // Airflow's _get_prev would answer 03:30 CEST here, after the instant asked about.
  const ZonedSchedule spring = Make("30 2 * * *", "Europe/Berlin");
  EXPECT_EQ(Format(spring.Prev(T("2026-03-29T03:15:00+02:00"))), U("2026-03-28T02:30:00+01:00"));
  // In the first pass of the repeated hour, today's tick (second pass) is still to come.
  const ZonedSchedule autumn = Make("30 2 * * *", "Europe/Berlin");
  EXPECT_EQ(Format(autumn.Prev(T("2026-10-25T02:45:00+02:00"))), U("2026-10-24T02:30:00+02:00"));
  // Next from there follows Airflow: the naive next match is tomorrow's (documented edge).
  EXPECT_EQ(Format(autumn.Next(T("2026-10-25T02:45:00+02:00"))), U("2026-10-26T02:30:00+01:00"));
  EXPECT_EQ(Format(autumn.Next(T("2026-10-25T02:15:00+02:00"))), U("2026-10-25T02:30:00+01:00"));
}

TEST(ZonedScheduleTest, FixedHourScheduleInsideTheGapFiresOnce) {
  // "*/15 2 * * *": the whole 02:xx hour is missing on 29 March; Airflow runs 03:00 CEST only.
  EXPECT_EQ(NextN("*/15 2 * * *", "Europe/Berlin", "2026-03-28T02:40:00+01:00", 3),
            (Strings{U("2026-03-28T02:45:00+01:00"), U("2026-03-29T03:00:00+02:00"),
                     U("2026-03-30T02:00:00+02:00")}));
}

// America/New_York 2026: 02:00 EST -> 03:00 EDT on 8 March, 02:00 EDT -> 01:00 EST on 1 November.
TEST(ZonedScheduleTest, NewYork) {
  EXPECT_EQ(NextN("30 2 * * *", "America/New_York", "2026-03-07T12:00:00Z", 3),
            (Strings{U("2026-03-08T03:30:00-04:00"), U("2026-03-09T02:30:00-04:00"),
                     U("2026-03-10T02:30:00-04:00")}));
  EXPECT_EQ(NextN("30 1 * * *", "America/New_York", "2026-10-31T12:00:00Z", 2),
            (Strings{U("2026-11-01T01:30:00-05:00"), U("2026-11-02T01:30:00-05:00")}));
  EXPECT_EQ(NextN("*/30 * * * *", "America/New_York", "2026-11-01T00:30:00-04:00", 5),
            (Strings{U("2026-11-01T01:00:00-04:00"), U("2026-11-01T01:30:00-04:00"),
                     U("2026-11-01T01:00:00-05:00"), U("2026-11-01T01:30:00-05:00"),
                     U("2026-11-01T02:00:00-05:00")}));
}

// Australia/Lord_Howe: +10:30 standard, +11:00 in summer; clocks move by 30 minutes at 02:00
// (to 02:30 on 4 October 2026, back to 01:30 on 5 April 2026).
TEST(ZonedScheduleTest, LordHoweHalfHourShifts) {
  EXPECT_EQ(NextN("15 2 * * *", "Australia/Lord_Howe", "2026-10-02T12:00:00Z", 3),
            (Strings{U("2026-10-03T02:15:00+10:30"), U("2026-10-04T02:45:00+11:00"),
                     U("2026-10-05T02:15:00+11:00")}));
  EXPECT_EQ(NextN("45 1 * * *", "Australia/Lord_Howe", "2026-04-03T12:00:00Z", 3),
            (Strings{U("2026-04-04T01:45:00+11:00"), U("2026-04-05T01:45:00+10:30"),
                     U("2026-04-06T01:45:00+10:30")}));
  // Every-hour schedules step by real time: 01:00 + 1 h lands on 02:30 (Airflow does the same).
  EXPECT_EQ(NextN("0 * * * *", "Australia/Lord_Howe", "2026-10-04T00:30:00+10:30", 3),
            (Strings{U("2026-10-04T01:00:00+10:30"), U("2026-10-04T02:30:00+11:00"),
                     U("2026-10-04T03:00:00+11:00")}));
  EXPECT_EQ(NextN("*/15 * * * *", "Australia/Lord_Howe", "2026-04-05T01:30:00+11:00", 5),
            (Strings{U("2026-04-05T01:45:00+11:00"), U("2026-04-05T01:30:00+10:30"),
                     U("2026-04-05T01:45:00+10:30"), U("2026-04-05T02:00:00+10:30"),
                     U("2026-04-05T02:15:00+10:30")}));
}

TEST(ZonedScheduleTest, EveryHourScheduleSpanningDaysKeepsAirflowsRealTimeStep) {
  // Airflow adds the naive distance (30 days 1 hour) to the real instant, which crosses the
  // March change, so 1 April starts at 01:00 CEST. Reproduced so expected runs match Airflow.
  EXPECT_EQ(NextN("0 * 1 * *", "Europe/Berlin", "2026-03-01T22:30:00+01:00", 3),
            (Strings{U("2026-03-01T23:00:00+01:00"), U("2026-04-01T01:00:00+02:00"),
                     U("2026-04-01T02:00:00+02:00")}));
}

TEST(ZonedScheduleTest, NeverMatching) {
  const ZonedSchedule schedule = Make("0 0 30 2 *", "Europe/Berlin");
  EXPECT_EQ(schedule.Next(T("2026-01-01T00:00:00Z")), std::nullopt);
  EXPECT_EQ(schedule.Prev(T("2026-01-01T00:00:00Z")), std::nullopt);
  const ZonedSchedule every_hour = Make("* * 30 2 *", "Europe/Berlin");
  EXPECT_EQ(every_hour.Next(T("2026-01-01T00:00:00Z")), std::nullopt);
  EXPECT_EQ(every_hour.Prev(T("2026-01-01T00:00:00Z")), std::nullopt);
}

}  // namespace
}  // namespace slayer::cron

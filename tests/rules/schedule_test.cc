#include "rules/schedule.h"

#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/time.h"
#include "sim/engine.h"
#include "sim/timetable.h"
#include "fakes/timestamps.h"

namespace slayer::rules {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using Strings = std::vector<std::string>;
using Kind = airflow::Timetable::Kind;

// RFC 3339 with an offset, so that the tests read as local times.
using test::T;

std::string Format(std::optional<Timestamp> t) { return t ? FormatRfc3339(*t) : "none"; }

// "logical / interval start - interval end / run_after / run_id", all UTC.
std::string Describe(const RunSlot& s) {
  return FormatRfc3339(s.logical_date) + " [" + FormatRfc3339(s.data_interval_start) + ", " +
         FormatRfc3339(s.data_interval_end) + "] after " + FormatRfc3339(s.run_after) + " " +
         s.run_id;
}

Strings Describe(const std::vector<RunSlot>& slots) {
  Strings out;
  for (const RunSlot& s : slots) out.push_back(Describe(s));
  return out;
}

Strings Format(const std::vector<Timestamp>& ticks) {
  Strings out;
  for (Timestamp t : ticks) out.push_back(FormatRfc3339(t));
  return out;
}

airflow::Timetable Cron(std::string cron, std::string zone, bool data_interval) {
  airflow::Timetable t;
  t.kind = Kind::kCron;
  t.cron = std::move(cron);
  t.time_zone = std::move(zone);
  t.data_interval = data_interval;
  return t;
}

airflow::Timetable Delta(Duration delta, bool data_interval) {
  airflow::Timetable t;
  t.kind = Kind::kDelta;
  t.delta = delta;
  t.data_interval = data_interval;
  return t;
}

RunSchedule MakeRuns(const airflow::Timetable& timetable,
                     std::optional<Timestamp> anchor = std::nullopt) {
  Result<RunSchedule> schedule = RunSchedule::Make(timetable, anchor);
  EXPECT_TRUE(schedule.has_value()) << schedule.status().ToString();
  return std::move(schedule).value();
}

WallClockSchedule MakeWallClock(std::string cron, std::string zone,
                                std::vector<std::chrono::year_month_day> skip_dates = {},
                                std::optional<minutes> window_start = std::nullopt) {
  config::WallClock at;
  at.cron = std::move(cron);
  at.timezone = std::move(zone);
  at.skip_dates = std::move(skip_dates);
  at.window_start = window_start;
  Result<WallClockSchedule> schedule = WallClockSchedule::Make(at);
  EXPECT_TRUE(schedule.has_value()) << schedule.status().ToString();
  return std::move(schedule).value();
}

constexpr std::chrono::year_month_day kChristmas2026{std::chrono::year{2026}, std::chrono::December,
                                                     std::chrono::day{25}};

// --- ScheduledRunId -------------------------------------------------------------------------

TEST(ScheduledRunIdTest, PythonIsoFormatOfUtc) {
  EXPECT_EQ(ScheduledRunId(T("2026-11-23T00:00:00Z")), "scheduled__2026-11-23T00:00:00+00:00");
  EXPECT_EQ(ScheduledRunId(T("2026-11-23T10:04:05+02:00")), "scheduled__2026-11-23T08:04:05+00:00");
  // isoformat() writes microseconds only when they are not zero, always six digits.
  EXPECT_EQ(ScheduledRunId(T("2026-11-23T00:00:00.123456Z")),
            "scheduled__2026-11-23T00:00:00.123456+00:00");
  EXPECT_EQ(ScheduledRunId(T("2026-11-23T00:00:00.000001Z")),
            "scheduled__2026-11-23T00:00:00.000001+00:00");
  EXPECT_EQ(ScheduledRunId(T("2026-11-23T00:00:00.5Z")),
            "scheduled__2026-11-23T00:00:00.500000+00:00");
}

TEST(ScheduledRunIdTest, SameAsTheSimulator) {
  for (std::string_view text : {"2026-11-23T00:00:00Z", "2026-03-28T23:00:00Z",
                                "1999-12-31T23:59:59.999999Z", "2026-11-23T00:00:00.000100Z"}) {
    EXPECT_EQ(ScheduledRunId(T(text)), "scheduled__" + sim::PythonIsoFormat(T(text))) << text;
  }
}

// --- RunSchedule::Make ----------------------------------------------------------------------

TEST(RunScheduleMakeTest, KindsWithoutRegularRuns) {
  for (auto [kind, name] : {std::pair{Kind::kOnce, "once"}, std::pair{Kind::kNone, "none"},
                            std::pair{Kind::kOther, "other"}, std::pair{Kind::kAsset, "asset"}}) {
    airflow::Timetable t;
    t.kind = kind;
    Result<RunSchedule> schedule = RunSchedule::Make(t, T("2026-01-01T00:00:00Z"));
    ASSERT_FALSE(schedule.has_value()) << name;
    EXPECT_EQ(schedule.error().code(), StatusCode::kFailedPrecondition) << name;
    EXPECT_NE(schedule.error().message().find("'" + std::string(name) + "'"), std::string::npos)
        << schedule.error().message();
  }
  airflow::Timetable once;
  once.kind = Kind::kOnce;
  once.type_name = "airflow.timetables.simple.OnceTimetable";
  EXPECT_EQ(RunSchedule::Make(once, std::nullopt).error().message(),
            "timetable kind 'once' has no regular runs (airflow.timetables.simple.OnceTimetable)");
}

TEST(RunScheduleMakeTest, AssetWithATimePartUsesIt) {
  airflow::Timetable t = Cron("0 * * * *", "UTC", false);
  t.kind = Kind::kAsset;
  const RunSchedule cron = MakeRuns(t);
  EXPECT_EQ(Describe(cron.SlotsBetween(T("2026-11-23T00:00:00Z"), T("2026-11-23T01:00:00Z"), 5)),
            (Strings{"2026-11-23T00:00:00Z [2026-11-23T00:00:00Z, 2026-11-23T00:00:00Z] after "
                     "2026-11-23T00:00:00Z scheduled__2026-11-23T00:00:00+00:00",
                     "2026-11-23T01:00:00Z [2026-11-23T01:00:00Z, 2026-11-23T01:00:00Z] after "
                     "2026-11-23T01:00:00Z scheduled__2026-11-23T01:00:00+00:00"}));

  airflow::Timetable d = Delta(hours(6), true);
  d.kind = Kind::kAsset;
  const RunSchedule delta = MakeRuns(d, T("2026-11-23T00:00:00Z"));
  ASSERT_TRUE(delta.SlotAt(T("2026-11-23T06:00:00Z")).has_value());
  EXPECT_EQ(delta.SlotAt(T("2026-11-23T06:00:00Z"))->run_after, T("2026-11-23T12:00:00Z"));
}

TEST(RunScheduleMakeTest, CronAndZoneErrors) {
  Result<RunSchedule> bad_cron = RunSchedule::Make(Cron("0 25 * * *", "UTC", true), std::nullopt);
  ASSERT_FALSE(bad_cron.has_value());
  EXPECT_EQ(bad_cron.error().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad_cron.error().message(),
            "cron '0 25 * * *': field 2 (hour) at column 3: 25 is out of range 0-23");

  Result<RunSchedule> bad_zone =
      RunSchedule::Make(Cron("0 * * * *", "Europe/Atlantis", true), std::nullopt);
  ASSERT_FALSE(bad_zone.has_value());
  EXPECT_EQ(bad_zone.error().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad_zone.error().message(), "unknown time zone 'Europe/Atlantis'");

  airflow::Timetable no_cron;
  no_cron.kind = Kind::kCron;
  EXPECT_EQ(RunSchedule::Make(no_cron, std::nullopt).error().code(), StatusCode::kInvalidArgument);
}

TEST(RunScheduleMakeTest, FixedOffsetZones) {
  Result<RunSchedule> half = RunSchedule::Make(Cron("0 0 * * *", "+05:30", true), std::nullopt);
  ASSERT_FALSE(half.has_value());
  EXPECT_EQ(half.error().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(half.error().message(),
            "fixed-offset time zone '+05:30' is not a whole number of hours; only whole-hour "
            "offsets are supported");
  EXPECT_EQ(RunSchedule::Make(Cron("0 0 * * *", "-09:30", true), std::nullopt).error().code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(RunSchedule::Make(Cron("0 0 * * *", "+15:00", true), std::nullopt).error().code(),
            StatusCode::kFailedPrecondition);

  // Local midnight at UTC+5 is 19:00 UTC the day before; at UTC-3 it is 03:00 UTC ("Etc/GMT+3").
  const RunSchedule plus5 = MakeRuns(Cron("0 0 * * *", "+05:00", true));
  const std::optional<RunSlot> a = plus5.SlotAt(T("2026-11-22T19:00:00Z"));
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->data_interval_end, T("2026-11-23T19:00:00Z"));
  EXPECT_FALSE(plus5.SlotAt(T("2026-11-23T00:00:00Z")).has_value());

  const RunSchedule minus3 = MakeRuns(Cron("0 0 * * *", "-03:00", true));
  EXPECT_TRUE(minus3.SlotAt(T("2026-11-23T03:00:00Z")).has_value());
  EXPECT_FALSE(minus3.SlotAt(T("2026-11-22T21:00:00Z")).has_value());

  const RunSchedule utc = MakeRuns(Cron("0 0 * * *", "+00:00", true));
  EXPECT_TRUE(utc.SlotAt(T("2026-11-23T00:00:00Z")).has_value());

  const RunSchedule plus14 = MakeRuns(Cron("0 0 * * *", "+14:00", false));
  EXPECT_TRUE(plus14.SlotAt(T("2026-11-22T10:00:00Z")).has_value());
  const RunSchedule minus12 = MakeRuns(Cron("0 0 * * *", "-12:00", false));
  EXPECT_TRUE(minus12.SlotAt(T("2026-11-23T12:00:00Z")).has_value());
}

TEST(RunScheduleMakeTest, DeltaNeedsAnchorAndPositiveDelta) {
  Result<RunSchedule> no_anchor = RunSchedule::Make(Delta(minutes(30), true), std::nullopt);
  ASSERT_FALSE(no_anchor.has_value());
  EXPECT_EQ(no_anchor.error().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(no_anchor.error().message(), "delta timetable needs an anchor (a known logical date)");

  Result<RunSchedule> zero = RunSchedule::Make(Delta(Duration{0}, true), T("2026-01-01T00:00:00Z"));
  ASSERT_FALSE(zero.has_value());
  EXPECT_EQ(zero.error().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(RunSchedule::Make(Delta(-hours(1), true), T("2026-01-01T00:00:00Z")).error().code(),
            StatusCode::kInvalidArgument);

  airflow::Timetable no_delta;
  no_delta.kind = Kind::kDelta;
  EXPECT_EQ(RunSchedule::Make(no_delta, T("2026-01-01T00:00:00Z")).error().code(),
            StatusCode::kInvalidArgument);
}

// --- RunSchedule slots ----------------------------------------------------------------------

TEST(RunScheduleTest, HourlyCronDataIntervals) {
  const RunSchedule s = MakeRuns(Cron("0 * * * *", "UTC", true));
  EXPECT_EQ(Describe(s.SlotsBetween(T("2026-11-23T00:00:00Z"), T("2026-11-23T03:00:00Z"), 10)),
            (Strings{"2026-11-23T00:00:00Z [2026-11-23T00:00:00Z, 2026-11-23T01:00:00Z] after "
                     "2026-11-23T01:00:00Z scheduled__2026-11-23T00:00:00+00:00",
                     "2026-11-23T01:00:00Z [2026-11-23T01:00:00Z, 2026-11-23T02:00:00Z] after "
                     "2026-11-23T02:00:00Z scheduled__2026-11-23T01:00:00+00:00",
                     "2026-11-23T02:00:00Z [2026-11-23T02:00:00Z, 2026-11-23T03:00:00Z] after "
                     "2026-11-23T03:00:00Z scheduled__2026-11-23T02:00:00+00:00"}));
}

TEST(RunScheduleTest, SlotsBetweenBounds) {
  const RunSchedule s = MakeRuns(Cron("0 * * * *", "UTC", true));
  auto logical = [&](Timestamp from, Timestamp until, size_t limit) {
    Strings out;
    for (const RunSlot& slot : s.SlotsBetween(from, until, limit)) {
      out.push_back(FormatRfc3339(slot.logical_date));
    }
    return out;
  };
  // `from` is inclusive on the logical date, `until` inclusive on run_after.
  EXPECT_EQ(logical(T("2026-11-23T01:00:00Z"), T("2026-11-23T03:00:00Z"), 10),
            (Strings{"2026-11-23T01:00:00Z", "2026-11-23T02:00:00Z"}));
  EXPECT_EQ(logical(T("2026-11-23T01:00:00.000001Z"), T("2026-11-23T03:00:00Z"), 10),
            (Strings{"2026-11-23T02:00:00Z"}));
  EXPECT_EQ(logical(T("2026-11-23T00:59:59.999999Z"), T("2026-11-23T02:59:59.999999Z"), 10),
            (Strings{"2026-11-23T01:00:00Z"}));
  // The interval of 02:00 has not ended by 02:30: not expected yet.
  EXPECT_EQ(logical(T("2026-11-23T02:00:00Z"), T("2026-11-23T02:30:00Z"), 10), Strings{});
  EXPECT_EQ(logical(T("2026-11-23T03:00:00Z"), T("2026-11-23T01:00:00Z"), 10), Strings{});
  // `limit` keeps the oldest ones.
  EXPECT_EQ(logical(T("2026-11-23T00:00:00Z"), T("2026-11-24T00:00:00Z"), 2),
            (Strings{"2026-11-23T00:00:00Z", "2026-11-23T01:00:00Z"}));
  EXPECT_EQ(logical(T("2026-11-23T00:00:00Z"), T("2026-11-24T00:00:00Z"), 0), Strings{});
  EXPECT_EQ(s.SlotsBetween(T("2026-11-23T00:00:00Z"), T("2026-11-24T00:00:00Z"), 1000).size(), 24u);
  // A long range costs `limit` steps, not the range.
  EXPECT_EQ(s.SlotsBetween(T("2000-01-01T00:00:00Z"), T("2100-01-01T00:00:00Z"), 3).size(), 3u);
}

TEST(RunScheduleTest, TriggerTimetableSlots) {
  const RunSchedule s = MakeRuns(Cron("30 9 * * *", "UTC", false));
  EXPECT_EQ(Describe(s.SlotsBetween(T("2026-11-23T00:00:00Z"), T("2026-11-24T09:30:00Z"), 10)),
            (Strings{"2026-11-23T09:30:00Z [2026-11-23T09:30:00Z, 2026-11-23T09:30:00Z] after "
                     "2026-11-23T09:30:00Z scheduled__2026-11-23T09:30:00+00:00",
                     "2026-11-24T09:30:00Z [2026-11-24T09:30:00Z, 2026-11-24T09:30:00Z] after "
                     "2026-11-24T09:30:00Z scheduled__2026-11-24T09:30:00+00:00"}));
  EXPECT_EQ(s.SlotsBetween(T("2026-11-23T00:00:00Z"), T("2026-11-24T09:29:59Z"), 10).size(), 1u);
}

TEST(RunScheduleTest, DailyBerlinAcrossDstChanges) {
  // Local midnight: the data interval over the spring change lasts 23 h, over the autumn one 25 h.
  const RunSchedule s = MakeRuns(Cron("0 0 * * *", "Europe/Berlin", true));
  EXPECT_EQ(
      Describe(s.SlotsBetween(T("2026-03-28T00:00:00+01:00"), T("2026-03-31T00:00:00+02:00"), 10)),
      (Strings{"2026-03-27T23:00:00Z [2026-03-27T23:00:00Z, 2026-03-28T23:00:00Z] after "
               "2026-03-28T23:00:00Z scheduled__2026-03-27T23:00:00+00:00",
               "2026-03-28T23:00:00Z [2026-03-28T23:00:00Z, 2026-03-29T22:00:00Z] after "
               "2026-03-29T22:00:00Z scheduled__2026-03-28T23:00:00+00:00",
               "2026-03-29T22:00:00Z [2026-03-29T22:00:00Z, 2026-03-30T22:00:00Z] after "
               "2026-03-30T22:00:00Z scheduled__2026-03-29T22:00:00+00:00"}));
  EXPECT_EQ(
      Describe(s.SlotsBetween(T("2026-10-24T00:00:00+02:00"), T("2026-10-26T00:00:00+01:00"), 10)),
      (Strings{"2026-10-23T22:00:00Z [2026-10-23T22:00:00Z, 2026-10-24T22:00:00Z] after "
               "2026-10-24T22:00:00Z scheduled__2026-10-23T22:00:00+00:00",
               "2026-10-24T22:00:00Z [2026-10-24T22:00:00Z, 2026-10-25T23:00:00Z] after "
               "2026-10-25T23:00:00Z scheduled__2026-10-24T22:00:00+00:00"}));
}

TEST(RunScheduleTest, BerlinGapAndRepeatFollowDocsCron) {
  // docs/cron.md: "30 2 * * *" runs at 03:30 CEST in the spring gap and once, at 02:30 CET, on
  // the autumn day.
  const RunSchedule s = MakeRuns(Cron("30 2 * * *", "Europe/Berlin", false));
  auto logical = [&](std::string_view from, std::string_view until) {
    Strings out;
    for (const RunSlot& slot : s.SlotsBetween(T(from), T(until), 10)) {
      out.push_back(FormatRfc3339(slot.logical_date));
    }
    return out;
  };
  EXPECT_EQ(logical("2026-03-28T00:00:00+01:00", "2026-03-30T23:00:00+02:00"),
            (Strings{"2026-03-28T01:30:00Z", "2026-03-29T01:30:00Z", "2026-03-30T00:30:00Z"}));
  EXPECT_EQ(logical("2026-10-24T00:00:00+02:00", "2026-10-26T23:00:00+01:00"),
            (Strings{"2026-10-24T00:30:00Z", "2026-10-25T01:30:00Z", "2026-10-26T01:30:00Z"}));
  EXPECT_TRUE(s.SlotAt(T("2026-03-29T03:30:00+02:00")).has_value());
  EXPECT_FALSE(s.SlotAt(T("2026-10-25T02:30:00+02:00")).has_value());  // first pass: no run
  EXPECT_TRUE(s.SlotAt(T("2026-10-25T02:30:00+01:00")).has_value());
  // Starting inside a DST change still finds that day's tick (the naive match after 03:10 CEST
  // is the next day's 02:30; after 02:45 CEST on 25 October too).
  EXPECT_EQ(logical("2026-03-29T03:10:00+02:00", "2026-03-30T23:00:00+02:00"),
            (Strings{"2026-03-29T01:30:00Z", "2026-03-30T00:30:00Z"}));
  EXPECT_EQ(logical("2026-03-29T03:30:00+02:00", "2026-03-30T23:00:00+02:00"),
            (Strings{"2026-03-29T01:30:00Z", "2026-03-30T00:30:00Z"}));
  EXPECT_EQ(logical("2026-10-25T02:45:00+02:00", "2026-10-26T23:00:00+01:00"),
            (Strings{"2026-10-25T01:30:00Z", "2026-10-26T01:30:00Z"}));
}

TEST(RunScheduleTest, EveryHourScheduleMovesByRealTime) {
  // docs/cron.md: "0 * * * *" in Lord Howe runs at 01:00, 02:30 and 03:00 on 4 October 2026; the
  // 02:30 tick is reached only by chaining, and SlotAt knows it too.
  const RunSchedule s = MakeRuns(Cron("0 * * * *", "Australia/Lord_Howe", false));
  Strings logical;
  for (const RunSlot& slot :
       s.SlotsBetween(T("2026-10-04T01:00:00+10:30"), T("2026-10-04T03:00:00+11:00"), 10)) {
    logical.push_back(FormatRfc3339(slot.logical_date));
  }
  EXPECT_EQ(logical,
            (Strings{"2026-10-03T14:30:00Z", "2026-10-03T15:30:00Z", "2026-10-03T16:00:00Z"}));
  EXPECT_TRUE(s.SlotAt(T("2026-10-04T02:30:00+11:00")).has_value());
}

TEST(RunScheduleTest, SlotAtOnAndOffTick) {
  const RunSchedule s = MakeRuns(Cron("0 * * * *", "UTC", true));
  const std::optional<RunSlot> on = s.SlotAt(T("2026-11-23T05:00:00Z"));
  ASSERT_TRUE(on.has_value());
  EXPECT_EQ(Describe(*on),
            "2026-11-23T05:00:00Z [2026-11-23T05:00:00Z, 2026-11-23T06:00:00Z] after "
            "2026-11-23T06:00:00Z scheduled__2026-11-23T05:00:00+00:00");
  EXPECT_FALSE(s.SlotAt(T("2026-11-23T05:30:00Z")).has_value());
  EXPECT_FALSE(s.SlotAt(T("2026-11-23T05:00:00.000001Z")).has_value());
  EXPECT_FALSE(s.SlotAt(T("2026-11-23T04:59:59.999999Z")).has_value());

  // A cron that never matches has no slots, and asking costs one bounded search.
  const RunSchedule never = MakeRuns(Cron("0 0 30 2 *", "UTC", true));
  EXPECT_FALSE(never.SlotAt(T("2026-02-28T00:00:00Z")).has_value());
  EXPECT_TRUE(never.SlotsBetween(T("2026-01-01T00:00:00Z"), T("2030-01-01T00:00:00Z"), 10).empty());
}

TEST(RunScheduleTest, Delta30mAnchored) {
  const RunSchedule s = MakeRuns(Delta(minutes(30), true), T("2026-11-23T00:10:00Z"));
  EXPECT_EQ(Describe(s.SlotsBetween(T("2026-11-23T01:00:00Z"), T("2026-11-23T02:30:00Z"), 10)),
            (Strings{"2026-11-23T01:10:00Z [2026-11-23T01:10:00Z, 2026-11-23T01:40:00Z] after "
                     "2026-11-23T01:40:00Z scheduled__2026-11-23T01:10:00+00:00",
                     "2026-11-23T01:40:00Z [2026-11-23T01:40:00Z, 2026-11-23T02:10:00Z] after "
                     "2026-11-23T02:10:00Z scheduled__2026-11-23T01:40:00+00:00"}));
  // Before the anchor the slots keep its alignment.
  const std::vector<RunSlot> early =
      s.SlotsBetween(T("2026-11-22T23:00:00Z"), T("2026-11-23T00:10:00Z"), 10);
  ASSERT_EQ(early.size(), 2u);
  EXPECT_EQ(early[0].logical_date, T("2026-11-22T23:10:00Z"));
  EXPECT_EQ(early[1].logical_date, T("2026-11-22T23:40:00Z"));
  // `from` on a slot is inclusive.
  EXPECT_EQ(s.SlotsBetween(T("2026-11-23T01:10:00Z"), T("2026-11-23T01:40:00Z"), 10).size(), 1u);

  EXPECT_TRUE(s.SlotAt(T("2026-11-23T00:10:00Z")).has_value());
  EXPECT_TRUE(s.SlotAt(T("2026-11-22T20:40:00Z")).has_value());
  EXPECT_FALSE(s.SlotAt(T("2026-11-23T00:00:00Z")).has_value());
  EXPECT_FALSE(s.SlotAt(T("2026-11-22T20:39:59Z")).has_value());

  const RunSchedule trigger = MakeRuns(Delta(minutes(30), false), T("2026-11-23T00:10:00Z"));
  EXPECT_EQ(
      Describe(trigger.SlotsBetween(T("2026-11-23T01:00:00Z"), T("2026-11-23T01:40:00Z"), 10)),
      (Strings{"2026-11-23T01:10:00Z [2026-11-23T01:10:00Z, 2026-11-23T01:10:00Z] after "
               "2026-11-23T01:10:00Z scheduled__2026-11-23T01:10:00+00:00",
               "2026-11-23T01:40:00Z [2026-11-23T01:40:00Z, 2026-11-23T01:40:00Z] after "
               "2026-11-23T01:40:00Z scheduled__2026-11-23T01:40:00+00:00"}));
}

// The slots agree with the runs the simulator's Airflow timetables create, chained as
// manage_slas walks them (sim::Timetable::NextUnrestricted).
void ExpectSameAsSimulator(const sim::DagSpec& dag, sim::AirflowVersion version,
                           const RunSchedule& schedule, Timestamp start, int n) {
  Result<sim::Timetable> timetable = sim::Timetable::Make(dag, version);
  ASSERT_TRUE(timetable.has_value()) << timetable.status().ToString();
  sim::DataInterval last{start, start};
  std::vector<RunSlot> expected;
  for (int i = 0; i < n; ++i) {
    std::optional<sim::DagRunInfo> info = timetable->NextUnrestricted(last);
    ASSERT_TRUE(info.has_value());
    RunSlot slot;
    slot.logical_date = info->logical_date;
    slot.data_interval_start = info->data_interval.start;
    slot.data_interval_end = info->data_interval.end;
    slot.run_after = info->run_after;
    slot.run_id = "scheduled__" + sim::PythonIsoFormat(info->logical_date);
    expected.push_back(slot);
    last = info->data_interval;
  }
  const std::vector<RunSlot> got = schedule.SlotsBetween(
      expected.front().logical_date, expected.back().run_after, static_cast<size_t>(n) + 5);
  EXPECT_EQ(Describe(got), Describe(expected)) << dag.cron << " " << dag.timezone;
}

TEST(RunScheduleTest, SameSlotsAsTheSimulator) {
  sim::DagSpec dag;
  dag.dag_id = "d";
  dag.schedule_kind = sim::ScheduleKind::kCron;
  for (auto [cron, zone] :
       {std::pair{"0 0 * * *", "Europe/Berlin"}, std::pair{"30 2 * * *", "Europe/Berlin"},
        std::pair{"*/30 * * * *", "America/New_York"}}) {
    dag.cron = cron;
    dag.schedule_text = cron;
    dag.timezone = zone;
    // Near each DST change of both zones. Airflow 2: CronDataIntervalTimetable; Airflow 3:
    // CronTriggerTimetable.
    for (std::string_view start : {"2026-03-08T04:00:00Z", "2026-03-28T22:10:00Z",
                                   "2026-10-24T22:00:00Z", "2026-11-01T03:00:00Z"}) {
      ExpectSameAsSimulator(dag, sim::AirflowVersion::kV2, MakeRuns(Cron(cron, zone, true)),
                            T(start), 12);
      ExpectSameAsSimulator(dag, sim::AirflowVersion::kV3_0, MakeRuns(Cron(cron, zone, false)),
                            T(start), 12);
    }
  }
}

// --- WallClockSchedule ----------------------------------------------------------------------

TEST(WallClockScheduleTest, MakeErrors) {
  config::WallClock at;
  at.cron = "0 9 * * MON-FRY";
  at.timezone = "Europe/Berlin";
  Result<WallClockSchedule> bad_cron = WallClockSchedule::Make(at);
  ASSERT_FALSE(bad_cron.has_value());
  EXPECT_EQ(bad_cron.error().code(), StatusCode::kInvalidArgument);
  at.cron = "0 9 * * MON-FRI";
  at.timezone = "Europe/Atlantis";
  Result<WallClockSchedule> bad_zone = WallClockSchedule::Make(at);
  ASSERT_FALSE(bad_zone.has_value());
  EXPECT_EQ(bad_zone.error().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad_zone.error().message(), "unknown time zone 'Europe/Atlantis'");
}

TEST(WallClockScheduleTest, WeekdaysInBerlinWithAHoliday) {
  // 21-28 December 2026: Monday to Monday; 25 December (Friday) is a skip date. CET = UTC+1.
  const WallClockSchedule s = MakeWallClock("0 9 * * MON-FRI", "Europe/Berlin", {kChristmas2026});
  EXPECT_EQ(
      Format(s.TicksBetween(T("2026-12-21T00:00:00+01:00"), T("2026-12-28T23:00:00+01:00"), 100)),
      (Strings{"2026-12-21T08:00:00Z", "2026-12-22T08:00:00Z", "2026-12-23T08:00:00Z",
               "2026-12-24T08:00:00Z", "2026-12-28T08:00:00Z"}));
  // `from` exclusive, `until` inclusive.
  EXPECT_EQ(Format(s.TicksBetween(T("2026-12-21T08:00:00Z"), T("2026-12-23T08:00:00Z"), 100)),
            (Strings{"2026-12-22T08:00:00Z", "2026-12-23T08:00:00Z"}));
  EXPECT_EQ(Format(s.Next(T("2026-12-24T08:00:00Z"))), "2026-12-28T08:00:00Z");
  EXPECT_EQ(Format(s.Next(T("2026-12-23T12:00:00Z"))), "2026-12-24T08:00:00Z");
  EXPECT_EQ(Format(s.Prev(T("2026-12-28T08:00:00Z"))), "2026-12-24T08:00:00Z");
  EXPECT_EQ(Format(s.Prev(T("2026-12-28T08:00:00.000001Z"))), "2026-12-28T08:00:00Z");

  // Without the skip date Friday is a tick.
  const WallClockSchedule plain = MakeWallClock("0 9 * * MON-FRI", "Europe/Berlin");
  EXPECT_EQ(Format(plain.Next(T("2026-12-24T08:00:00Z"))), "2026-12-25T08:00:00Z");
}

TEST(WallClockScheduleTest, WeekdaysAcrossSpringChange) {
  const WallClockSchedule s = MakeWallClock("0 9 * * MON-FRI", "Europe/Berlin");
  EXPECT_EQ(Format(s.TicksBetween(T("2026-03-26T12:00:00Z"), T("2026-03-31T12:00:00Z"), 100)),
            (Strings{"2026-03-27T08:00:00Z", "2026-03-30T07:00:00Z", "2026-03-31T07:00:00Z"}));
}

TEST(WallClockScheduleTest, NextInsideDstChanges) {
  // The ticks of docs/cron.md, also when asked from inside the change.
  const WallClockSchedule s = MakeWallClock("30 2 * * *", "Europe/Berlin");
  EXPECT_EQ(Format(s.Next(T("2026-03-29T03:10:00+02:00"))), "2026-03-29T01:30:00Z");
  EXPECT_EQ(Format(s.Next(T("2026-03-29T03:30:00+02:00"))), "2026-03-30T00:30:00Z");
  EXPECT_EQ(Format(s.Next(T("2026-10-25T02:45:00+02:00"))), "2026-10-25T01:30:00Z");
  EXPECT_EQ(Format(s.Prev(T("2026-03-29T03:40:00+02:00"))), "2026-03-29T01:30:00Z");
  EXPECT_EQ(Format(s.Prev(T("2026-03-29T03:20:00+02:00"))), "2026-03-28T01:30:00Z");
  EXPECT_EQ(Format(s.TicksBetween(T("2026-10-24T00:00:00Z"), T("2026-10-26T12:00:00Z"), 10)),
            (Strings{"2026-10-24T00:30:00Z", "2026-10-25T01:30:00Z", "2026-10-26T01:30:00Z"}));
}

TEST(WallClockScheduleTest, SkipDatesAreLocalDates) {
  // Local midnight of 25 December in Berlin is 23:00 UTC on the 24th: that tick is skipped, the
  // one at 23:00 UTC on the 25th (26 December locally) is not.
  const WallClockSchedule s = MakeWallClock("0 0 * * *", "Europe/Berlin", {kChristmas2026});
  EXPECT_EQ(Format(s.Next(T("2026-12-24T00:00:00Z"))), "2026-12-25T23:00:00Z");
  EXPECT_EQ(Format(s.Prev(T("2026-12-25T23:00:00Z"))), "2026-12-23T23:00:00Z");

  // A skip date with many ticks is passed in one step each way.
  const WallClockSchedule often = MakeWallClock("*/5 * * * *", "UTC", {kChristmas2026});
  EXPECT_EQ(Format(often.Next(T("2026-12-24T23:55:00Z"))), "2026-12-26T00:00:00Z");
  EXPECT_EQ(Format(often.Prev(T("2026-12-26T00:00:00Z"))), "2026-12-24T23:55:00Z");
  EXPECT_EQ(often.TicksBetween(T("2026-12-24T23:00:00Z"), T("2026-12-26T01:00:00Z"), 1000).size(),
            12u + 12u);

  // Consecutive skip dates, and a cron whose only ticks are skipped.
  const std::vector<std::chrono::year_month_day> week = {
      std::chrono::year{2026} / 12 / 21, std::chrono::year{2026} / 12 / 22,
      std::chrono::year{2026} / 12 / 23, std::chrono::year{2026} / 12 / 24, kChristmas2026};
  const WallClockSchedule holiday = MakeWallClock("0 9 * * MON-FRI", "Europe/Berlin", week);
  EXPECT_EQ(Format(holiday.Next(T("2026-12-18T08:00:00Z"))), "2026-12-28T08:00:00Z");
  EXPECT_EQ(Format(holiday.Prev(T("2026-12-28T08:00:00Z"))), "2026-12-18T08:00:00Z");
  const WallClockSchedule once = MakeWallClock("0 9 25 12 *", "Europe/Berlin", {kChristmas2026});
  EXPECT_EQ(Format(once.Next(T("2026-12-01T00:00:00Z"))), "2027-12-25T08:00:00Z");
}

TEST(WallClockScheduleTest, TicksBetweenKeepsTheNewest) {
  const WallClockSchedule s = MakeWallClock("0 9 * * MON-FRI", "Europe/Berlin", {kChristmas2026});
  EXPECT_EQ(Format(s.TicksBetween(T("2026-12-21T00:00:00Z"), T("2026-12-28T23:00:00Z"), 2)),
            (Strings{"2026-12-24T08:00:00Z", "2026-12-28T08:00:00Z"}));
  EXPECT_TRUE(s.TicksBetween(T("2026-12-21T00:00:00Z"), T("2026-12-28T23:00:00Z"), 0).empty());
  EXPECT_TRUE(s.TicksBetween(T("2026-12-28T23:00:00Z"), T("2026-12-21T00:00:00Z"), 9).empty());
  // A year-long outage costs `limit` steps and gives the most recent ticks.
  EXPECT_EQ(Format(s.TicksBetween(T("2025-12-28T00:00:00Z"), T("2026-12-28T23:00:00Z"), 3)),
            (Strings{"2026-12-23T08:00:00Z", "2026-12-24T08:00:00Z", "2026-12-28T08:00:00Z"}));
  // A cron that never matches has no ticks.
  const WallClockSchedule never = MakeWallClock("0 0 30 2 *", "UTC");
  EXPECT_TRUE(never.TicksBetween(T("2020-01-01T00:00:00Z"), T("2030-01-01T00:00:00Z"), 5).empty());
  EXPECT_EQ(never.Next(T("2026-01-01T00:00:00Z")), std::nullopt);
  EXPECT_EQ(never.Prev(T("2026-01-01T00:00:00Z")), std::nullopt);
}

TEST(WallClockScheduleTest, WindowStartMidnightOnDstChangeDays) {
  const WallClockSchedule berlin = MakeWallClock("0 9 * * *", "Europe/Berlin", {}, minutes(0));
  // 29 March: midnight is still CET; 25 October: midnight is still CEST.
  EXPECT_EQ(Format(berlin.WindowStart(T("2026-03-29T09:00:00+02:00"))), "2026-03-28T23:00:00Z");
  EXPECT_EQ(Format(berlin.WindowStart(T("2026-10-25T09:00:00+01:00"))), "2026-10-24T22:00:00Z");
  EXPECT_EQ(Format(berlin.WindowStart(T("2026-03-30T09:00:00+02:00"))), "2026-03-29T22:00:00Z");

  const WallClockSchedule new_york = MakeWallClock("0 9 * * *", "America/New_York", {}, minutes(0));
  EXPECT_EQ(Format(new_york.WindowStart(T("2026-03-08T09:00:00-04:00"))), "2026-03-08T05:00:00Z");
  EXPECT_EQ(Format(new_york.WindowStart(T("2026-11-01T09:00:00-05:00"))), "2026-11-01T04:00:00Z");

  // The tick's local date counts: 00:30 on 25 December in Berlin is 23:30 UTC on the 24th.
  const WallClockSchedule late = MakeWallClock("30 0 * * *", "Europe/Berlin", {}, minutes(0));
  EXPECT_EQ(Format(late.WindowStart(T("2026-12-24T23:30:00Z"))), "2026-12-24T23:00:00Z");
}

TEST(WallClockScheduleTest, WindowStartInGapAndRepeat) {
  // 02:30 does not exist on 29 March in Berlin: shifted forward by the gap to 03:30 CEST. It
  // happens twice on 25 October: the first occurrence, 02:30 CEST.
  const WallClockSchedule berlin =
      MakeWallClock("0 9 * * *", "Europe/Berlin", {}, hours(2) + minutes(30));
  EXPECT_EQ(Format(berlin.WindowStart(T("2026-03-29T09:00:00+02:00"))), "2026-03-29T01:30:00Z");
  EXPECT_EQ(Format(berlin.WindowStart(T("2026-10-25T09:00:00+01:00"))), "2026-10-25T00:30:00Z");

  const WallClockSchedule ny_gap =
      MakeWallClock("0 9 * * *", "America/New_York", {}, hours(2) + minutes(30));
  EXPECT_EQ(Format(ny_gap.WindowStart(T("2026-03-08T09:00:00-04:00"))), "2026-03-08T07:30:00Z");
  const WallClockSchedule ny_repeat =
      MakeWallClock("0 9 * * *", "America/New_York", {}, hours(1) + minutes(30));
  EXPECT_EQ(Format(ny_repeat.WindowStart(T("2026-11-01T09:00:00-05:00"))), "2026-11-01T05:30:00Z");
}

TEST(WallClockScheduleTest, WindowStartDefaultsToThePreviousTick) {
  const WallClockSchedule s = MakeWallClock("0 9 * * MON-FRI", "Europe/Berlin", {kChristmas2026});
  // Monday's window opens at Friday's tick, across the weekend and the spring change.
  EXPECT_EQ(Format(s.WindowStart(T("2026-03-30T09:00:00+02:00"))), "2026-03-27T08:00:00Z");
  EXPECT_EQ(Format(s.WindowStart(T("2026-03-31T09:00:00+02:00"))), "2026-03-30T07:00:00Z");
  // The previous tick even when it falls on a skip date (Friday 25 December).
  EXPECT_EQ(Format(s.WindowStart(T("2026-12-28T08:00:00Z"))), "2026-12-25T08:00:00Z");
}

}  // namespace
}  // namespace slayer::rules

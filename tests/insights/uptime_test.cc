// ComputeUptime (src/insights/uptime.cc): up, down and unknown time of a window from the
// store's health intervals, outages and the longest; all in UTC microseconds, no calendar.
#include "insights/uptime.h"

#include <gtest/gtest.h>

#include <vector>

#include "fakes/timestamps.h"

namespace slayer::insights {
namespace {

using namespace std::chrono_literals;
using slayer::test::T;

// An interval of instance "prod" between two times of 2026-11-23 ("10:00:00").
store::HealthInterval I(bool up, std::string_view start, std::string_view end) {
  return {"prod", up, T("2026-11-23T" + std::string(start) + "Z"),
          T("2026-11-23T" + std::string(end) + "Z"), false};
}

Timestamp At(std::string_view hms) { return T("2026-11-23T" + std::string(hms) + "Z"); }

TEST(UptimeTest, NothingKnownIsAllUnknownAndNoUptime) {
  UptimeStats s = ComputeUptime({}, At("10:00:00"), At("11:00:00"));
  EXPECT_EQ(s.up, 0s);
  EXPECT_EQ(s.down, 0s);
  EXPECT_EQ(s.unknown, 1h);
  EXPECT_EQ(s.outages, 0);
  EXPECT_EQ(s.uptime(), std::nullopt);
}

TEST(UptimeTest, UptimeIsUpOverKnownTimeNotOverTheWindow) {
  std::vector<store::HealthInterval> v = {I(true, "10:00:00", "10:30:00")};
  UptimeStats s = ComputeUptime(v, At("10:00:00"), At("11:00:00"));
  EXPECT_EQ(s.up, 30min);
  EXPECT_EQ(s.unknown, 30min);
  EXPECT_EQ(s.uptime(), 1.0);  // SLAyer not running is not Airflow down
}

TEST(UptimeTest, IntervalsAreClippedToTheWindow) {
  std::vector<store::HealthInterval> v = {I(true, "09:00:00", "10:10:00"),
                                          I(false, "10:10:00", "10:20:00"),
                                          I(true, "10:20:00", "12:00:00")};
  UptimeStats s = ComputeUptime(v, At("10:00:00"), At("11:00:00"));
  EXPECT_EQ(s.up, 50min);
  EXPECT_EQ(s.down, 10min);
  EXPECT_EQ(s.unknown, 0s);
  EXPECT_EQ(s.outages, 1);
  EXPECT_EQ(s.longest_outage, 10min);
  EXPECT_DOUBLE_EQ(*s.uptime(), 50.0 / 60.0);
  // Entirely outside: ignored.
  s = ComputeUptime(v, At("13:00:00"), At("14:00:00"));
  EXPECT_EQ(s.unknown, 1h);
  EXPECT_EQ(s.uptime(), std::nullopt);
}

TEST(UptimeTest, OutagesAreDownStretchesBetweenUpTime) {
  std::vector<store::HealthInterval> v = {
      I(true, "10:00:00", "10:05:00"),
      I(false, "10:05:00", "10:07:00"),
      // SLAyer restarted during the outage: unknown between two down stretches, one outage
      // of 2 + 3 minutes.
      I(false, "10:09:00", "10:12:00"),
      I(true, "10:12:00", "10:30:00"),
      I(false, "10:30:00", "10:31:00"),
      I(true, "10:31:00", "10:40:00"),
  };
  UptimeStats s = ComputeUptime(v, At("10:00:00"), At("10:40:00"));
  EXPECT_EQ(s.outages, 2);
  EXPECT_EQ(s.longest_outage, 5min);
  EXPECT_EQ(s.down, 6min);
  EXPECT_EQ(s.up, 32min);
  EXPECT_EQ(s.unknown, 2min);
}

TEST(UptimeTest, AnOutageThatBeganBeforeTheWindowCountsItsPartInside) {
  std::vector<store::HealthInterval> v = {I(false, "09:00:00", "10:15:00"),
                                          I(true, "10:15:00", "11:00:00")};
  UptimeStats s = ComputeUptime(v, At("10:00:00"), At("11:00:00"));
  EXPECT_EQ(s.outages, 1);
  EXPECT_EQ(s.longest_outage, 15min);
  EXPECT_DOUBLE_EQ(*s.uptime(), 0.75);
}

TEST(UptimeTest, ASingleDownSampleIsAnOutageOfNoKnownLength) {
  std::vector<store::HealthInterval> v = {I(true, "10:00:00", "10:10:00"),
                                          I(false, "10:30:00", "10:30:00")};
  UptimeStats s = ComputeUptime(v, At("10:00:00"), At("11:00:00"));
  EXPECT_EQ(s.outages, 1);
  EXPECT_EQ(s.longest_outage, 0s);
  EXPECT_EQ(s.uptime(), 1.0);
}

TEST(UptimeTest, OrderOfTheInputDoesNotMatter) {
  std::vector<store::HealthInterval> v = {
      I(true, "10:31:00", "10:40:00"), I(false, "10:05:00", "10:07:00"),
      I(true, "10:07:00", "10:30:00"), I(false, "10:30:00", "10:31:00"),
      I(true, "10:00:00", "10:05:00")};
  UptimeStats s = ComputeUptime(v, At("10:00:00"), At("10:40:00"));
  EXPECT_EQ(s.outages, 2);
  EXPECT_EQ(s.longest_outage, 2min);
  EXPECT_EQ(s.up + s.down, 40min);
}

TEST(UptimeTest, ExactAcrossYearsWithoutCalendarArithmetic) {
  // 90 days across the end of daylight saving time in Europe: UTC intervals, plain sums.
  const Timestamp since = T("2026-09-01T00:00:00Z");
  const Timestamp until = since + std::chrono::days(90);
  std::vector<store::HealthInterval> v = {
      {"prod", true, since, T("2026-10-25T00:59:59.999999Z"), false},
      {"prod", false, T("2026-10-25T00:59:59.999999Z"), T("2026-10-25T01:59:59.999999Z"), false},
      {"prod", true, T("2026-10-25T01:59:59.999999Z"), until, true}};
  UptimeStats s = ComputeUptime(v, since, until);
  EXPECT_EQ(s.down, 1h);
  EXPECT_EQ(s.up, std::chrono::days(90) - 1h);
  EXPECT_EQ(s.unknown, 0s);
  EXPECT_DOUBLE_EQ(*s.uptime(), 1.0 - 1.0 / (90 * 24));
}

TEST(UptimeTest, AnEmptyWindowIsEmpty) {
  std::vector<store::HealthInterval> v = {I(true, "10:00:00", "11:00:00")};
  UptimeStats s = ComputeUptime(v, At("10:30:00"), At("10:30:00"));
  EXPECT_EQ(s.up, 0s);
  EXPECT_EQ(s.unknown, 0s);
  EXPECT_EQ(s.uptime(), std::nullopt);
}

}  // namespace
}  // namespace slayer::insights

#include "common/time.h"

#include <gtest/gtest.h>

namespace slayer {
namespace {

using namespace std::chrono;

Timestamp At(int y, unsigned mo, unsigned d, int h, int mi, int s, int us = 0) {
  return sys_days(year_month_day(year(y), month(mo), day(d))) + hours(h) + minutes(mi) +
         seconds(s) + microseconds(us);
}

TEST(ParseTimestampTest, ReadsEveryBackendForm) {
  // PostgreSQL timestamptz in a UTC session.
  EXPECT_EQ(*ParseTimestamp("2024-01-02 03:04:05.123456+00"), At(2024, 1, 2, 3, 4, 5, 123456));
  // SQLite as Airflow stores it, MySQL TIMESTAMP(6).
  EXPECT_EQ(*ParseTimestamp("2024-01-02 02:04:05.000000"), At(2024, 1, 2, 2, 4, 5));
  EXPECT_EQ(*ParseTimestamp("2024-01-02 02:04:05"), At(2024, 1, 2, 2, 4, 5));
  // RFC 3339 with offsets and short fractions.
  EXPECT_EQ(*ParseTimestamp("2024-01-02T03:04:05.1Z"), At(2024, 1, 2, 3, 4, 5, 100000));
  EXPECT_EQ(*ParseTimestamp("2024-01-02T08:34:05+05:30"), At(2024, 1, 2, 3, 4, 5));
  EXPECT_EQ(*ParseTimestamp("2024-01-01 22:04:05-05"), At(2024, 1, 2, 3, 4, 5));
  EXPECT_EQ(*ParseTimestamp("2024-01-02"), At(2024, 1, 2, 0, 0, 0));
  // Nanoseconds are truncated to microseconds.
  EXPECT_EQ(*ParseTimestamp("2024-01-02T03:04:05.123456789Z"), At(2024, 1, 2, 3, 4, 5, 123456));
}

TEST(ParseTimestampTest, RejectsGarbageWithTheValueInTheMessage) {
  for (const char* bad : {"", "yesterday", "2024-13-01 00:00:00", "2024-02-30", "2024-01-02 3:04",
                          "2024-01-02 03:04:05.", "2024-01-02 03:04:05 junk"}) {
    auto r = ParseTimestamp(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_NE(r.error().message().find(bad), std::string::npos);
  }
}

TEST(FormatTest, SqlAndRfc3339RoundTrip) {
  Timestamp t = At(1999, 12, 31, 23, 59, 58, 7);
  EXPECT_EQ(FormatSqlTimestamp(t), "1999-12-31 23:59:58.000007");
  EXPECT_EQ(FormatRfc3339(t), "1999-12-31T23:59:58.000007Z");
  EXPECT_EQ(FormatRfc3339(At(2026, 11, 23, 10, 0, 0)), "2026-11-23T10:00:00Z");
  EXPECT_EQ(*ParseTimestamp(FormatSqlTimestamp(t)), t);
  EXPECT_EQ(*ParseTimestamp(FormatRfc3339(t)), t);
}

TEST(DurationTest, ParsesUnitsAndCombinations) {
  EXPECT_EQ(*ParseDuration("90s"), seconds(90));
  EXPECT_EQ(*ParseDuration("45m"), minutes(45));
  EXPECT_EQ(*ParseDuration("2h"), hours(2));
  EXPECT_EQ(*ParseDuration("7d"), days(7));
  EXPECT_EQ(*ParseDuration("1h30m"), minutes(90));
  EXPECT_EQ(*ParseDuration("500ms"), milliseconds(500));
  EXPECT_EQ(*ParseDuration("-15m"), -minutes(15));
  EXPECT_EQ(FormatDuration(minutes(90)), "1h30m");
  EXPECT_EQ(FormatDuration(days(7)), "7d");
  EXPECT_EQ(FormatDuration(Duration::zero()), "0s");
}

TEST(DurationTest, ErrorsExplain) {
  EXPECT_NE(ParseDuration("10").error().message().find("missing unit"), std::string::npos);
  EXPECT_NE(ParseDuration("10x").error().message().find("unknown unit 'x'"), std::string::npos);
  EXPECT_FALSE(ParseDuration(""));
  EXPECT_FALSE(ParseDuration("h"));
}

}  // namespace
}  // namespace slayer

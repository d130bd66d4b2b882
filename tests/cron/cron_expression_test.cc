#include "cron/cron_expression.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

namespace slayer::cron {
namespace {

using std::chrono::days;
using std::chrono::hours;
using std::chrono::minutes;

LocalMinutes At(int y, int mo, int d, int h = 0, int mi = 0) {
  return LocalMinutes{std::chrono::sys_days{std::chrono::year{y} / mo / d}} + hours{h} +
         minutes{mi};
}

std::string Format(std::optional<LocalMinutes> t) {
  if (!t) return "none";
  const auto day = std::chrono::floor<days>(*t);
  const std::chrono::year_month_day ymd{day};
  const auto in_day = (*t - day).count();
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u %02d:%02d", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(in_day / 60), static_cast<int>(in_day % 60));
  return buf;
}

CronExpression MustParse(std::string_view text) {
  Result<CronExpression> cron = CronExpression::Parse(text);
  EXPECT_TRUE(cron.has_value()) << cron.status().ToString();
  return std::move(cron).value();
}

// The next `n` matches after `start`, formatted.
std::vector<std::string> NextN(std::string_view text, LocalMinutes start, int n) {
  const CronExpression cron = MustParse(text);
  std::vector<std::string> out;
  std::optional<LocalMinutes> t = start;
  for (int i = 0; i < n && t; ++i) {
    t = cron.Next(*t);
    out.push_back(Format(t));
  }
  return out;
}

std::vector<std::string> PrevN(std::string_view text, LocalMinutes start, int n) {
  const CronExpression cron = MustParse(text);
  std::vector<std::string> out;
  std::optional<LocalMinutes> t = start;
  for (int i = 0; i < n && t; ++i) {
    t = cron.Prev(*t);
    out.push_back(Format(t));
  }
  return out;
}

std::string ParseError(std::string_view text) {
  Result<CronExpression> cron = CronExpression::Parse(text);
  if (cron) return "parsed";
  EXPECT_EQ(cron.error().code(), StatusCode::kInvalidArgument);
  return cron.error().message();
}

using Strings = std::vector<std::string>;

TEST(CronExpressionTest, EveryMinute) {
  EXPECT_EQ(NextN("* * * * *", At(2026, 12, 31, 23, 58), 3),
            (Strings{"2026-12-31 23:59", "2027-01-01 00:00", "2027-01-01 00:01"}));
  EXPECT_EQ(PrevN("* * * * *", At(2027, 1, 1), 2),
            (Strings{"2026-12-31 23:59", "2026-12-31 23:58"}));
}

TEST(CronExpressionTest, NextAndPrevAreStrict) {
  const CronExpression cron = MustParse("0 9 * * *");
  EXPECT_EQ(Format(cron.Next(At(2026, 5, 4, 9))), "2026-05-05 09:00");
  EXPECT_EQ(Format(cron.Prev(At(2026, 5, 4, 9))), "2026-05-03 09:00");
  EXPECT_TRUE(cron.Matches(At(2026, 5, 4, 9)));
  EXPECT_FALSE(cron.Matches(At(2026, 5, 4, 9, 1)));
}

TEST(CronExpressionTest, NumbersListsAndRanges) {
  EXPECT_EQ(NextN("5,10,50 1-2 * * *", At(2026, 1, 1), 7),
            (Strings{"2026-01-01 01:05", "2026-01-01 01:10", "2026-01-01 01:50", "2026-01-01 02:05",
                     "2026-01-01 02:10", "2026-01-01 02:50", "2026-01-02 01:05"}));
}

TEST(CronExpressionTest, Steps) {
  // */n starts at the field's minimum.
  EXPECT_EQ(
      NextN("*/20 * * * *", At(2026, 1, 1), 4),
      (Strings{"2026-01-01 00:20", "2026-01-01 00:40", "2026-01-01 01:00", "2026-01-01 01:20"}));
  // a-b/n.
  EXPECT_EQ(
      NextN("10-30/10 0 * * *", At(2026, 1, 1), 4),
      (Strings{"2026-01-01 00:10", "2026-01-01 00:20", "2026-01-01 00:30", "2026-01-02 00:10"}));
  // a/n means a-max/n, as in croniter.
  EXPECT_EQ(
      NextN("5/20 0 * * *", At(2026, 1, 1), 4),
      (Strings{"2026-01-01 00:05", "2026-01-01 00:25", "2026-01-01 00:45", "2026-01-02 00:05"}));
  EXPECT_EQ(
      NextN("0 0 */10 * *", At(2026, 1, 1), 4),
      (Strings{"2026-01-11 00:00", "2026-01-21 00:00", "2026-01-31 00:00", "2026-02-01 00:00"}));
  EXPECT_EQ(NextN("0 0 1 */4 *", At(2026, 1, 1), 3),
            (Strings{"2026-05-01 00:00", "2026-09-01 00:00", "2027-01-01 00:00"}));
  // A step larger than the range keeps the start only.
  EXPECT_EQ(NextN("*/100 */30 * * *", At(2026, 1, 1), 2),
            (Strings{"2026-01-02 00:00", "2026-01-03 00:00"}));
}

TEST(CronExpressionTest, MonthNamesAreCaseInsensitive) {
  EXPECT_EQ(NextN("0 0 1 jan,Mar,DEC *", At(2026, 1, 1), 3),
            (Strings{"2026-03-01 00:00", "2026-12-01 00:00", "2027-01-01 00:00"}));
  EXPECT_EQ(
      NextN("0 0 1 FEB-apr *", At(2026, 1, 1), 4),
      (Strings{"2026-02-01 00:00", "2026-03-01 00:00", "2026-04-01 00:00", "2027-02-01 00:00"}));
}

TEST(CronExpressionTest, WeekdayNamesAndNumbers) {
  // 2026-05-04 is a Monday.
  EXPECT_EQ(NextN("0 9 * * MON-FRI", At(2026, 5, 7, 12), 3),
            (Strings{"2026-05-08 09:00", "2026-05-11 09:00", "2026-05-12 09:00"}));
  EXPECT_EQ(NextN("0 9 * * 1-5", At(2026, 5, 7, 12), 3),
            NextN("0 9 * * mon-fri", At(2026, 5, 7, 12), 3));
  // 0 and 7 are both Sunday.
  EXPECT_EQ(NextN("0 0 * * 7", At(2026, 5, 4), 2),
            (Strings{"2026-05-10 00:00", "2026-05-17 00:00"}));
  EXPECT_EQ(NextN("0 0 * * 0", At(2026, 5, 4), 2), NextN("0 0 * * SUN", At(2026, 5, 4), 2));
  // A range may end on Sunday written as 0 or SUN.
  EXPECT_EQ(
      NextN("0 0 * * FRI-SUN", At(2026, 5, 4), 4),
      (Strings{"2026-05-08 00:00", "2026-05-09 00:00", "2026-05-10 00:00", "2026-05-15 00:00"}));
  EXPECT_EQ(NextN("0 0 * * 5-0", At(2026, 5, 4), 3), NextN("0 0 * * 5-7", At(2026, 5, 4), 3));
  // a/n runs to 7 on the day of week (croniter): 1/2 is MON, WED, FRI and SUN.
  EXPECT_EQ(
      NextN("0 0 * * 1/2", At(2026, 5, 4), 4),
      (Strings{"2026-05-06 00:00", "2026-05-08 00:00", "2026-05-10 00:00", "2026-05-11 00:00"}));
  // */3 is 0,3,6: SUN, WED, SAT.
  EXPECT_EQ(NextN("0 0 * * */3", At(2026, 5, 4), 3),
            (Strings{"2026-05-06 00:00", "2026-05-09 00:00", "2026-05-10 00:00"}));
}

TEST(CronExpressionTest, DayFieldsUseTheOrRuleWhenBothAreRestricted) {
  // The 13th or any Friday. 2026-02-13 is a Friday, 2026-03-13 too; 2026-04-13 is a Monday.
  EXPECT_EQ(
      NextN("0 0 13 * FRI", At(2026, 3, 31), 4),
      (Strings{"2026-04-03 00:00", "2026-04-10 00:00", "2026-04-13 00:00", "2026-04-17 00:00"}));
  EXPECT_EQ(PrevN("0 0 13 * FRI", At(2026, 4, 14), 3),
            (Strings{"2026-04-13 00:00", "2026-04-10 00:00", "2026-04-03 00:00"}));
  // A day field listing every value counts as '*' (croniter), so only Mondays here...
  EXPECT_EQ(NextN("0 0 1-31 * MON", At(2026, 5, 4), 2),
            (Strings{"2026-05-11 00:00", "2026-05-18 00:00"}));
  EXPECT_EQ(NextN("0 0 */1 * 0-6", At(2026, 5, 4), 2),
            (Strings{"2026-05-05 00:00", "2026-05-06 00:00"}));
  // ...while */2 restricts: odd days or Mondays.
  EXPECT_EQ(
      NextN("0 0 */2 * MON", At(2026, 5, 4), 4),
      (Strings{"2026-05-05 00:00", "2026-05-07 00:00", "2026-05-09 00:00", "2026-05-11 00:00"}));
  // One restricted field alone is an AND with '*'.
  EXPECT_EQ(NextN("0 0 13 * *", At(2026, 3, 31), 1), (Strings{"2026-04-13 00:00"}));
}

TEST(CronExpressionTest, Presets) {
  const LocalMinutes start = At(2026, 5, 6, 7, 8);
  EXPECT_EQ(NextN("@yearly", start, 2), NextN("0 0 1 1 *", start, 2));
  EXPECT_EQ(NextN("@annually", start, 2), NextN("0 0 1 1 *", start, 2));
  EXPECT_EQ(NextN("@quarterly", start, 2), (Strings{"2026-07-01 00:00", "2026-10-01 00:00"}));
  EXPECT_EQ(NextN("@monthly", start, 2), NextN("0 0 1 * *", start, 2));
  EXPECT_EQ(NextN("@weekly", start, 2), (Strings{"2026-05-10 00:00", "2026-05-17 00:00"}));
  EXPECT_EQ(NextN("@daily", start, 2), NextN("0 0 * * *", start, 2));
  EXPECT_EQ(NextN("@midnight", start, 2), NextN("0 0 * * *", start, 2));
  EXPECT_EQ(NextN("@hourly", start, 2), (Strings{"2026-05-06 08:00", "2026-05-06 09:00"}));
  EXPECT_EQ(NextN("@DAILY", start, 1), NextN("@daily", start, 1));
  EXPECT_EQ(MustParse(" @daily ").text(), " @daily ");
}

TEST(CronExpressionTest, ToleratesExtraWhitespace) {
  EXPECT_EQ(NextN("  0\t9 *  * 1-5 ", At(2026, 5, 4), 1), (Strings{"2026-05-04 09:00"}));
}

TEST(CronExpressionTest, CoversEveryHour) {
  EXPECT_TRUE(MustParse("*/5 * * * *").covers_every_hour());
  EXPECT_TRUE(MustParse("0 0-23 * * *").covers_every_hour());
  EXPECT_TRUE(MustParse("0 */1 * * *").covers_every_hour());
  EXPECT_FALSE(MustParse("* */2 * * *").covers_every_hour());
  EXPECT_FALSE(MustParse("@daily").covers_every_hour());
}

TEST(CronExpressionTest, ImpossibleDatesParseButNeverMatch) {
  for (const char* text : {"0 0 30 2 *", "0 0 31 4,6,9,11 *", "0 0 31 2 *"}) {
    const CronExpression cron = MustParse(text);
    EXPECT_EQ(cron.Next(At(2026, 1, 1)), std::nullopt) << text;
    EXPECT_EQ(cron.Prev(At(2026, 1, 1)), std::nullopt) << text;
  }
  // With the OR rule a weekday makes it possible again: Mondays in February.
  EXPECT_EQ(NextN("0 0 30 2 MON", At(2026, 5, 4), 2),
            (Strings{"2027-02-01 00:00", "2027-02-08 00:00"}));
}

TEST(CronExpressionTest, LeapDayAcrossTheLongestGap) {
  EXPECT_EQ(NextN("0 0 29 2 *", At(2026, 1, 1), 2),
            (Strings{"2028-02-29 00:00", "2032-02-29 00:00"}));
  // 2100 is not a leap year: 8 years between 2096 and 2104.
  EXPECT_EQ(NextN("0 0 29 2 *", At(2096, 3, 1), 1), (Strings{"2104-02-29 00:00"}));
  EXPECT_EQ(PrevN("0 0 29 2 *", At(2104, 2, 1), 1), (Strings{"2096-02-29 00:00"}));
}

TEST(CronExpressionTest, MonthEnds) {
  EXPECT_EQ(NextN("0 0 31 * *", At(2026, 1, 31), 3),
            (Strings{"2026-03-31 00:00", "2026-05-31 00:00", "2026-07-31 00:00"}));
  EXPECT_EQ(PrevN("0 0 31 * *", At(2026, 8, 1), 3),
            (Strings{"2026-07-31 00:00", "2026-05-31 00:00", "2026-03-31 00:00"}));
}

TEST(CronExpressionTest, SearchSkipsByField) {
  // A sparse expression from far away: a handful of steps, not a walk over every minute.
  const CronExpression cron = MustParse("59 23 31 12 *");
  EXPECT_EQ(Format(cron.Next(At(2026, 1, 1))), "2026-12-31 23:59");
  EXPECT_EQ(Format(cron.Prev(At(2026, 12, 31, 23, 59))), "2025-12-31 23:59");
  std::optional<LocalMinutes> t = At(2000, 1, 1);
  for (int i = 0; i < 2000 && t; ++i) t = cron.Next(*t);
  EXPECT_EQ(Format(t), "3999-12-31 23:59");
}

TEST(CronExpressionTest, ErrorsNameFieldAndColumn) {
  EXPECT_EQ(ParseError("0 25 * * *"),
            "cron '0 25 * * *': field 2 (hour) at column 3: 25 is out of range 0-23");
  EXPECT_EQ(ParseError("0 0 * * 8"),
            "cron '0 0 * * 8': field 5 (day-of-week) at column 9: 8 is out of range 0-7 or "
            "SUN-SAT");
  EXPECT_EQ(ParseError("1,60 * * * *"),
            "cron '1,60 * * * *': field 1 (minute) at column 3: 60 is out of range 0-59");
  EXPECT_EQ(ParseError("0 0 0 * *"),
            "cron '0 0 0 * *': field 3 (day-of-month) at column 5: 0 is out of range 1-31");
  EXPECT_EQ(ParseError("0 0 1 13 *"),
            "cron '0 0 1 13 *': field 4 (month) at column 7: 13 is out of range 1-12 or "
            "JAN-DEC");
  EXPECT_EQ(ParseError("0 0 1 FOO *"),
            "cron '0 0 1 FOO *': field 4 (month) at column 7: 'FOO' is not a valid month (1-12 "
            "or JAN-DEC)");
  EXPECT_EQ(ParseError("MON * * * *"),
            "cron 'MON * * * *': field 1 (minute) at column 1: 'MON' is not a valid minute "
            "(0-59)");
  EXPECT_EQ(ParseError("0 0 5-3 * *"),
            "cron '0 0 5-3 * *': field 3 (day-of-month) at column 5: range 5-3 is reversed; "
            "ranges do not wrap around");
  EXPECT_EQ(ParseError("0 0 * * FRI-MON"),
            "cron '0 0 * * FRI-MON': field 5 (day-of-week) at column 9: range FRI-MON is "
            "reversed; ranges do not wrap around");
  EXPECT_EQ(ParseError("*/0 * * * *"),
            "cron '*/0 * * * *': field 1 (minute) at column 3: step must be at least 1");
  EXPECT_EQ(ParseError("*/x * * * *"),
            "cron '*/x * * * *': field 1 (minute) at column 3: step 'x' is not a number");
  EXPECT_EQ(ParseError("5/ * * * *"),
            "cron '5/ * * * *': field 1 (minute) at column 3: missing step after '/'");
  EXPECT_EQ(ParseError("/5 * * * *"),
            "cron '/5 * * * *': field 1 (minute) at column 1: missing value before '/'");
  EXPECT_EQ(ParseError("1,,2 * * * *"),
            "cron '1,,2 * * * *': field 1 (minute) at column 3: empty list element");
  EXPECT_EQ(ParseError("-5 * * * *"),
            "cron '-5 * * * *': field 1 (minute) at column 1: negative numbers are not allowed");
  EXPECT_EQ(ParseError("5- * * * *"),
            "cron '5- * * * *': field 1 (minute) at column 3: missing end of range");
  EXPECT_EQ(ParseError("1-2-3 * * * *"),
            "cron '1-2-3 * * * *': field 1 (minute) at column 3: a range has one '-'");
  EXPECT_EQ(ParseError("0 1234567 * * *"),
            "cron '0 1234567 * * *': field 2 (hour) at column 3: 1234567 is out of range 0-23");
  EXPECT_EQ(ParseError("0 0 * * 1x"),
            "cron '0 0 * * 1x': field 5 (day-of-week) at column 9: '1x' is not a valid "
            "day-of-week (0-7 or SUN-SAT)");
}

TEST(CronExpressionTest, UnsupportedExtensionsAreNamed) {
  EXPECT_EQ(ParseError("0 0 L * *"),
            "cron '0 0 L * *': field 3 (day-of-month) at column 5: 'L' (last day or weekday of "
            "the month) is not supported");
  EXPECT_EQ(ParseError("0 0 * * 5L"),
            "cron '0 0 * * 5L': field 5 (day-of-week) at column 9: 'L' (last day or weekday of "
            "the month) is not supported");
  EXPECT_EQ(ParseError("0 0 * * MON#2"),
            "cron '0 0 * * MON#2': field 5 (day-of-week) at column 12: '#' (nth weekday of the "
            "month) is not supported");
  EXPECT_EQ(ParseError("0 0 ? * MON"),
            "cron '0 0 ? * MON': field 3 (day-of-month) at column 5: '?' is not supported; use "
            "'*'");
  EXPECT_EQ(ParseError("H * * * *"),
            "cron 'H * * * *': field 1 (minute) at column 1: 'H' (hashed value) is not "
            "supported");
  EXPECT_EQ(ParseError("0 0 15W * *"),
            "cron '0 0 15W * *': field 3 (day-of-month) at column 5: 'W' (nearest weekday) is "
            "not supported");
}

TEST(CronExpressionTest, FieldCount) {
  EXPECT_EQ(ParseError("0 * * * * *"),
            "cron '0 * * * * *': 6 fields given; only 5 fields are supported (minute hour "
            "day-of-month month day-of-week): no seconds or year field");
  EXPECT_EQ(ParseError("0 0 12 * * ? 2026"),
            "cron '0 0 12 * * ? 2026': 7 fields given; only 5 fields are supported (minute hour "
            "day-of-month month day-of-week): no seconds or year field");
  EXPECT_EQ(ParseError("* * * *"),
            "cron '* * * *': 4 fields given; expected 5 (minute hour day-of-month month "
            "day-of-week)");
  EXPECT_EQ(ParseError(""), "cron '': empty expression");
  EXPECT_EQ(ParseError("   "), "cron '   ': empty expression");
}

TEST(CronExpressionTest, PresetErrors) {
  EXPECT_EQ(ParseError("@once"),
            "cron '@once': '@once' is an Airflow schedule without cron ticks, not a cron "
            "expression");
  EXPECT_EQ(ParseError("@continuous"),
            "cron '@continuous': '@continuous' is an Airflow schedule without cron ticks, not a "
            "cron expression");
  EXPECT_EQ(ParseError("@reboot"),
            "cron '@reboot': unknown preset '@reboot' (known: @yearly @annually @quarterly "
            "@monthly @weekly @daily @midnight @hourly)");
  EXPECT_EQ(ParseError("@daily 5"), "cron '@daily 5': a preset such as '@daily' stands alone");
}

}  // namespace
}  // namespace slayer::cron

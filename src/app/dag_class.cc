#include "app/dag_class.h"

#include <charconv>
#include <chrono>

#include "cron/cron_expression.h"

namespace slayer::app {
namespace {

using namespace std::chrono_literals;

// The most consecutive runs of a cron compared; fewer when a week has passed (every gap of a
// weekly pattern such as "0 9 * * MON-FRI" is then seen). Sub-hourly crons stop here.
constexpr int kCronGaps = 200;

bool ParseNumber(std::string_view text, int64_t& out) {
  if (text.empty()) return false;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size() && out >= 0;
}

// Python's str(timedelta), which 3.x writes as the timetable summary of a delta schedule:
// "1:00:00", "0:30:00", "1 day, 0:00:00", "2 days, 12:00:00" (microseconds: ".000500").
std::optional<Duration> ParsePythonTimedelta(std::string_view text) {
  int64_t days = 0;
  if (auto comma = text.find(", "); comma != std::string_view::npos) {
    std::string_view head = text.substr(0, comma);
    auto space = head.find(' ');
    if (space == std::string_view::npos) return std::nullopt;
    std::string_view unit = head.substr(space + 1);
    if (unit != "day" && unit != "days") return std::nullopt;
    if (!ParseNumber(head.substr(0, space), days)) return std::nullopt;
    text = text.substr(comma + 2);
  }
  if (auto dot = text.find('.'); dot != std::string_view::npos) text = text.substr(0, dot);
  auto c1 = text.find(':');
  auto c2 = text.rfind(':');
  if (c1 == std::string_view::npos || c1 == c2) return std::nullopt;
  int64_t h = 0, m = 0, s = 0;
  if (!ParseNumber(text.substr(0, c1), h) || !ParseNumber(text.substr(c1 + 1, c2 - c1 - 1), m) ||
      !ParseNumber(text.substr(c2 + 1), s)) {
    return std::nullopt;
  }
  return std::chrono::days(days) + std::chrono::hours(h) + std::chrono::minutes(m) +
         std::chrono::seconds(s);
}

std::optional<Duration> CronShortestGap(const cron::CronExpression& cron) {
  // A Monday at midnight: the gaps of a weekly pattern are all seen within kCronGaps runs.
  cron::LocalMinutes t = std::chrono::sys_days(std::chrono::year(2025) / 1 / 6);
  std::optional<cron::LocalMinutes> prev = cron.Next(t - 1min);
  if (!prev) return std::nullopt;
  std::optional<Duration> shortest;
  for (int i = 0; i < kCronGaps; ++i) {
    std::optional<cron::LocalMinutes> next = cron.Next(*prev);
    if (!next) break;
    const Duration gap = std::chrono::duration_cast<Duration>(*next - *prev);
    if (!shortest || gap < *shortest) shortest = gap;
    // A week and a day: every gap of a weekly pattern has been seen.
    if (*next - t > std::chrono::days(8)) break;
    prev = next;
  }
  return shortest;
}

}  // namespace

std::string_view DagClassName(DagClass c) {
  switch (c) {
    case DagClass::kSubHourly:
      return "sub_hourly";
    case DagClass::kHourly:
      return "hourly";
    case DagClass::kDaily:
      return "daily";
    case DagClass::kOther:
      return "other";
  }
  return "other";
}

std::optional<Duration> ScheduleShortestGap(std::string_view schedule) {
  if (schedule.empty() || schedule == "@once" || schedule == "@continuous") return std::nullopt;
  if (Result<Duration> d = ParseDuration(schedule); d && *d > Duration::zero()) return *d;
  if (auto d = ParsePythonTimedelta(schedule); d && *d > Duration::zero()) return d;
  if (Result<cron::CronExpression> cron = cron::CronExpression::Parse(schedule)) {
    return CronShortestGap(*cron);
  }
  return std::nullopt;
}

DagClass ClassifySchedule(const std::optional<std::string>& schedule) {
  if (!schedule) return DagClass::kOther;
  const std::optional<Duration> gap = ScheduleShortestGap(*schedule);
  if (!gap) return DagClass::kOther;
  if (*gap < 1h) return DagClass::kSubHourly;
  if (*gap < std::chrono::days(1)) return DagClass::kHourly;
  if (*gap < std::chrono::days(7)) return DagClass::kDaily;
  return DagClass::kOther;
}

}  // namespace slayer::app

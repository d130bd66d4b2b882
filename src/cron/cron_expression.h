// CronExpression: a parsed 5-field cron schedule (minute hour day-of-month month day-of-week),
// with names, ranges, steps, lists and Airflow's presets (@hourly, @daily, ...). It matches naive
// local wall-clock times; ZonedSchedule (cron/zoned_schedule.h) maps them to instants in a time
// zone. Immutable after Parse; thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"

namespace slayer::cron {

// A naive wall-clock time (no zone) with minute resolution, carried in a sys_time so that the
// calendar arithmetic of <chrono> applies. Never compare it with a real instant.
using LocalMinutes = std::chrono::sys_time<std::chrono::minutes>;

class CronExpression {
 public:
  // Parses "*/15 9-17 * * MON-FRI", "0 9 * * 1-5", "@daily" ... Errors (kInvalidArgument) name
  // the field and the 1-based character column within `text`, e.g.
  // "cron '0 25 * * *': field 2 (hour) at column 3: 25 is out of range 0-23".
  // Syntax and semantics follow croniter 1.3.5 as Airflow uses it: see docs/cron.md.
  static Result<CronExpression> Parse(std::string_view text);

  // The first matching local time strictly after `after`; std::nullopt if none within
  // kSearchYears (e.g. "0 0 30 2 *" never matches).
  std::optional<LocalMinutes> Next(LocalMinutes after) const;
  // The last matching local time strictly before `before`; std::nullopt if none within
  // kSearchYears.
  std::optional<LocalMinutes> Prev(LocalMinutes before) const;

  bool Matches(LocalMinutes t) const;

  // True when the hour field allows all 24 hours ("*", "0-23", "*/1" alike, as croniter
  // normalises them). ZonedSchedule then steps by elapsed time across DST changes, as Airflow's
  // cron timetables do for such schedules.
  bool covers_every_hour() const { return hours_ == (uint32_t{1} << 24) - 1; }

  // How far Next and Prev search. The longest gap between two matches of an expression that
  // matches at all is 8 years ("0 0 29 2 *" from 2096 to 2104), so 10 never cuts one short.
  static constexpr int kSearchYears = 10;

  // The text as given.
  const std::string& text() const { return text_; }

 private:
  CronExpression() = default;
  std::string text_;
  uint64_t minutes_ = 0;  // bit i = minute i
  uint32_t hours_ = 0;    // bit i = hour i
  uint32_t days_ = 0;     // bit i = day-of-month i (1..31)
  uint16_t months_ = 0;   // bit i = month i (1..12)
  uint8_t weekdays_ = 0;  // bit i = weekday i (0 = Sunday)
  // Whether a day field allows every value (after croniter's normalisation: "1-31" and "*/1"
  // count as '*'). When neither does, a day matches if either field matches (cron's OR rule).
  bool day_star_ = true;
  bool weekday_star_ = true;
};

}  // namespace slayer::cron

// ZonedSchedule: a CronExpression evaluated in an IANA time zone, giving real instants (UTC),
// DST-correct with the same conventions as Airflow's cron timetables (croniter on naive local
// times plus Airflow's DST handling; docs/cron.md). Also checks time zone names. Immutable;
// thread-safe.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "common/result.h"
#include "common/time.h"
#include "cron/cron_expression.h"

namespace slayer::cron {

// OK if `name` is a known IANA time zone ("UTC", "Europe/Berlin"; case-sensitive, as Airflow's
// pendulum); else kInvalidArgument "unknown time zone 'X'", or kFailedPrecondition when the
// system time zone database (Debian package tzdata) cannot be read.
Status CheckTimeZone(std::string_view name);

class ZonedSchedule {
 public:
  // Errors: kInvalidArgument for an unknown zone, kFailedPrecondition when the system time zone
  // database (tzdata) cannot be read.
  static Result<ZonedSchedule> Make(CronExpression cron, std::string_view time_zone);

  // The tick Airflow's cron timetable schedules after `after`: always strictly after it, and
  // applied to a tick it gives the next tick exactly as Airflow chains them. std::nullopt when
  // the expression never matches. In a DST gap a local time is shifted forward by the gap (02:30
  // becomes 03:30); a repeated local time fires once, at its second occurrence, unless the hour
  // field is '*' (then both occurrences fire). docs/cron.md has the details and the edge cases.
  std::optional<Timestamp> Next(Timestamp after) const;
  // The last tick strictly before `before`, as Airflow's timetable computes it; where Airflow
  // would return a tick at or after `before` (inside a DST change) the tick before that.
  std::optional<Timestamp> Prev(Timestamp before) const;

  const CronExpression& cron() const { return cron_; }
  const std::string& time_zone() const { return time_zone_; }

 private:
  ZonedSchedule(CronExpression cron, std::string tz, const void* zone)
      : cron_(std::move(cron)), time_zone_(std::move(tz)), zone_(zone) {}
  CronExpression cron_;
  std::string time_zone_;
  const void* zone_;  // a date::time_zone*, owned by the tz database (lives for the process)
};

}  // namespace slayer::cron

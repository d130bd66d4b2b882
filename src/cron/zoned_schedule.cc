#include "cron/zoned_schedule.h"

#include <date/tz.h>

#include <exception>

namespace slayer::cron {
namespace {

using std::chrono::floor;
using std::chrono::minutes;
using std::chrono::seconds;

// date::tz throws (std::runtime_error) for unknown names and an unreadable database; both
// become values here.
Result<const date::time_zone*> LocateZone(std::string_view name) {
  try {
    (void)date::get_tzdb();
  } catch (const std::exception& e) {
    return FailedPreconditionError(std::string("time zone database unavailable: ") + e.what());
  }
  try {
    return date::locate_zone(name);
  } catch (const std::exception&) {
    return InvalidArgumentError("unknown time zone '" + std::string(name) + "'");
  }
}

const date::time_zone* AsZone(const void* zone) {
  return static_cast<const date::time_zone*>(zone);
}

// The wall-clock reading of `t` in `zone`, carried in a Timestamp like LocalMinutes is.
Timestamp ToLocal(const date::time_zone* zone, Timestamp t) {
  return t + zone->get_info(floor<seconds>(t)).offset;
}

// The instant of a local time as Airflow's make_aware gives it (pendulum, fold=1): a repeated
// local time maps to its second occurrence; a local time in a gap is read with the offset from
// before the gap, which moves it forward by the gap's length (02:30 -> 03:30 CEST).
Timestamp ToInstant(const date::time_zone* zone, LocalMinutes local) {
  const date::local_info info =
      zone->get_info(date::local_seconds{seconds{local.time_since_epoch()}});
  const seconds offset =
      info.result == date::local_info::ambiguous ? info.second.offset : info.first.offset;
  return Timestamp{local.time_since_epoch()} - offset;
}

}  // namespace

Status CheckTimeZone(std::string_view name) { return LocateZone(name).status(); }

Result<ZonedSchedule> ZonedSchedule::Make(CronExpression cron, std::string_view time_zone) {
  Result<const date::time_zone*> zone = LocateZone(time_zone);
  if (!zone) return zone.error();
  return ZonedSchedule(std::move(cron), std::string(time_zone), *zone);
}

// Airflow (timetables/_cron.py, CronMixin._get_next) runs croniter on the naive local time.
// When the hour field is '*' it adds the naive distance to the real instant, so such schedules
// keep their real spacing across DST (a repeated hour fires twice); otherwise it localises the
// naive result with make_aware (ToInstant). We do the same so that expected runs line up with
// the runs Airflow creates.
std::optional<Timestamp> ZonedSchedule::Next(Timestamp after) const {
  const date::time_zone* zone = AsZone(zone_);
  const Timestamp local = ToLocal(zone, after);
  const std::optional<LocalMinutes> next = cron_.Next(floor<minutes>(local));
  if (!next) return std::nullopt;
  if (cron_.covers_every_hour()) return after + (Timestamp{next->time_since_epoch()} - local);
  return ToInstant(zone, *next);
}

std::optional<Timestamp> ZonedSchedule::Prev(Timestamp before) const {
  const date::time_zone* zone = AsZone(zone_);
  const Timestamp local = ToLocal(zone, before);
  // The last match at or before the minute holding `local` when that has seconds, else before.
  const LocalMinutes minute = floor<minutes>(local);
  std::optional<LocalMinutes> prev = cron_.Prev(local == minute ? minute : minute + minutes{1});
  if (!prev) return std::nullopt;
  if (cron_.covers_every_hour()) return before - (local - Timestamp{prev->time_since_epoch()});
  // Airflow's _get_prev localises the naive result, which inside a DST change can land at or
  // after `before` (03:30 CEST for "30 2 * * *" asked before 03:15 CEST on the day of the gap).
  // Step back to earlier matches until one is strictly before.
  Timestamp instant = ToInstant(zone, *prev);
  while (instant >= before) {
    prev = cron_.Prev(*prev);
    if (!prev) return std::nullopt;
    instant = ToInstant(zone, *prev);
  }
  return instant;
}

}  // namespace slayer::cron

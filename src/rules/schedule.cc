#include "rules/schedule.h"

#include <date/tz.h>

#include <algorithm>
#include <charconv>
#include <exception>
#include <utility>

namespace slayer::rules {
namespace {

using std::chrono::days;
using std::chrono::floor;
using std::chrono::seconds;

constexpr Duration kOneMicrosecond{1};

// The error for a timetable that is valid but has no regular slots to iterate. StatusCode has
// no kUnimplemented; kFailedPrecondition ("the world is not in the state the call needs") keeps
// it apart from the kInvalidArgument of a cron or zone that is wrong.
Status NoSlotsError(std::string message) { return FailedPreconditionError(std::move(message)); }

// The zone name ZonedSchedule can look up for a timetable's time_zone. Airflow serializes a
// fixed-offset zone as its offset, which the reader turns into "+05:30" / "-03:00"; whole hours
// have an IANA equivalent in the Etc area, whose names invert the sign (POSIX: "Etc/GMT-5" is
// five hours ahead of UTC). Anything else is passed on as an IANA name.
Result<std::string> ZoneName(const std::string& time_zone) {
  if (time_zone.size() != 6 || (time_zone[0] != '+' && time_zone[0] != '-') ||
      time_zone[3] != ':') {
    return time_zone;
  }
  int hours = 0;
  int minutes = 0;
  const char* begin = time_zone.data();
  const auto h = std::from_chars(begin + 1, begin + 3, hours);
  const auto m = std::from_chars(begin + 4, begin + 6, minutes);
  if (h.ec != std::errc() || h.ptr != begin + 3 || m.ec != std::errc() || m.ptr != begin + 6) {
    return time_zone;  // not an offset after all; the lookup reports it
  }
  const bool ahead = time_zone[0] == '+';
  if (minutes != 0) {
    return NoSlotsError("fixed-offset time zone '" + time_zone +
                        "' is not a whole number of hours; only whole-hour offsets are supported");
  }
  if (hours == 0) return std::string("UTC");
  // The Etc area spans Etc/GMT-14 (UTC+14) to Etc/GMT+12 (UTC-12).
  if (hours > (ahead ? 14 : 12)) {
    return NoSlotsError("fixed-offset time zone '" + time_zone + "' has no IANA equivalent");
  }
  return std::string("Etc/GMT") + (ahead ? "-" : "+") + std::to_string(hours);
}

Result<cron::ZonedSchedule> MakeCron(const std::string& expression, const std::string& zone) {
  Result<cron::CronExpression> parsed = cron::CronExpression::Parse(expression);
  if (!parsed) return parsed.error();
  return cron::ZonedSchedule::Make(std::move(parsed).value(), zone);
}

const date::time_zone* AsZone(const void* zone) {
  return static_cast<const date::time_zone*>(zone);
}

// The local wall-clock reading of `t`, carried in a Timestamp (never compare it with an instant).
Timestamp ToLocal(const date::time_zone* zone, Timestamp t) {
  return t + zone->get_info(floor<seconds>(t)).offset;
}

std::chrono::year_month_day LocalDate(const date::time_zone* zone, Timestamp t) {
  return std::chrono::year_month_day{floor<days>(ToLocal(zone, t))};
}

// The instant of a local time (carried in a Timestamp). A time in a spring-forward gap is read
// with the offset from before the gap, which shifts it forward by the gap (02:30 -> 03:30 CEST,
// as pendulum does); a repeated time maps to its first occurrence, so that a window opening in
// the repeated hour opens as early as it can.
Timestamp LocalToInstant(const date::time_zone* zone, Timestamp local) {
  const date::local_info info =
      zone->get_info(date::local_seconds{floor<seconds>(local).time_since_epoch()});
  return local - info.first.offset;
}

// The instant local midnight starts `day` (as LocalToInstant reads it).
Timestamp StartOfLocalDay(const date::time_zone* zone, std::chrono::year_month_day day) {
  return LocalToInstant(zone, Timestamp{std::chrono::sys_days{day}.time_since_epoch()});
}

// floor(a / b) for b > 0.
int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if (a % b != 0 && a < 0) --q;
  return q;
}

// The first tick strictly after `after` in the chain of ticks Airflow walks (each tick the Next
// of the one before). ZonedSchedule::Next from an arbitrary instant can miss a tick whose local
// time moved out of a DST gap: "30 2 * * *" in Berlin ticks at 03:30 CEST on 29 March, but the
// naive match after 03:10 CEST is the next day's 02:30. Starting from the tick before `after`
// finds it, and the tick of a repeated hour when `after` is inside its first pass. A few steps
// forward cover every-hour schedules, whose chain moves by real time; should the chain still
// lag, ZonedSchedule::Next decides.
std::optional<Timestamp> NextChained(const cron::ZonedSchedule& cron, Timestamp after) {
  if (const std::optional<Timestamp> prev = cron.Prev(after + kOneMicrosecond)) {
    std::optional<Timestamp> tick = cron.Next(*prev);
    for (int i = 0; i < 4 && tick && *tick <= after; ++i) tick = cron.Next(*tick);
    if (tick && *tick > after) return tick;
  }
  return cron.Next(after);
}

// The slot of `tick`, given the tick after it. A data-interval slot needs that next tick as its
// end: a cron whose last tick this is has no slot there.
std::optional<RunSlot> MakeSlot(Timestamp tick, std::optional<Timestamp> next, bool data_interval) {
  RunSlot slot;
  slot.logical_date = tick;
  slot.data_interval_start = tick;
  if (data_interval) {
    if (!next) return std::nullopt;
    slot.data_interval_end = *next;
    slot.run_after = *next;
  } else {
    slot.data_interval_end = tick;
    slot.run_after = tick;
  }
  slot.run_id = ScheduledRunId(tick);
  return slot;
}

}  // namespace

std::string ScheduledRunId(Timestamp logical_date) {
  // Python's isoformat() of an aware UTC datetime: "+00:00", and ".ffffff" only when the
  // microseconds are not zero, which is what FormatRfc3339 does with "Z". The simulator's
  // sim::PythonIsoFormat builds the same text (tests/rules/schedule_test.cc pins both).
  std::string iso = FormatRfc3339(logical_date);
  iso.pop_back();  // "Z"
  return "scheduled__" + iso + "+00:00";
}

// RunSchedule

Result<RunSchedule> RunSchedule::Make(const airflow::Timetable& timetable,
                                      std::optional<Timestamp> anchor) {
  using Kind = airflow::Timetable::Kind;
  const std::string kind_name(airflow::TimetableKindName(timetable.kind));
  bool use_cron = false;
  switch (timetable.kind) {
    case Kind::kCron:
      if (!timetable.cron) {
        return InvalidArgumentError("cron timetable without a cron expression");
      }
      use_cron = true;
      break;
    case Kind::kDelta:
      if (!timetable.delta) return InvalidArgumentError("delta timetable without a delta");
      break;
    case Kind::kAsset:
      // An asset-or-time schedule keeps its time part; it runs on that part's ticks too.
      if (timetable.cron) {
        use_cron = true;
      } else if (!timetable.delta) {
        return NoSlotsError("timetable kind '" + kind_name +
                            "' without a time schedule has no regular runs");
      }
      break;
    case Kind::kOnce:
    case Kind::kNone:
    case Kind::kOther:
      return NoSlotsError("timetable kind '" + kind_name + "' has no regular runs" +
                          (timetable.type_name.empty() ? "" : " (" + timetable.type_name + ")"));
  }

  RunSchedule schedule;
  schedule.data_interval_ = timetable.data_interval;
  if (use_cron) {
    Result<std::string> zone = ZoneName(timetable.time_zone);
    if (!zone) return zone.error();
    Result<cron::ZonedSchedule> zoned = MakeCron(*timetable.cron, *zone);
    if (!zoned) return zoned.error();
    schedule.cron_ = std::move(zoned).value();
    return schedule;
  }
  // Delta timetables add the delta to the previous logical date in real time, so the slots are
  // anchor + k * delta whatever the zone.
  if (*timetable.delta <= Duration::zero()) {
    return InvalidArgumentError("delta timetable with a non-positive delta " +
                                FormatDuration(*timetable.delta));
  }
  if (!anchor) {
    return InvalidArgumentError("delta timetable needs an anchor (a known logical date)");
  }
  schedule.delta_ = *timetable.delta;
  schedule.anchor_ = *anchor;
  return schedule;
}

std::vector<RunSlot> RunSchedule::SlotsBetween(Timestamp from, Timestamp until,
                                               size_t limit) const {
  std::vector<RunSlot> out;
  if (limit == 0 || until < from) return out;
  // The first tick at or after `from`, then the chain of ticks as Airflow walks it.
  std::optional<Timestamp> tick;
  if (cron_) {
    tick = NextChained(*cron_, from - kOneMicrosecond);
  } else {
    const int64_t k = FloorDiv((from - anchor_ - kOneMicrosecond).count(), delta_.count()) + 1;
    tick = anchor_ + k * delta_;
  }
  // Each pass appends a slot or stops, so the loop runs at most `limit` times; a cron without a
  // next tick (std::nullopt) ends it.
  while (tick && out.size() < limit) {
    const std::optional<Timestamp> next = cron_ ? cron_->Next(*tick) : *tick + delta_;
    std::optional<RunSlot> slot = MakeSlot(*tick, next, data_interval_);
    if (!slot || slot->run_after > until) break;
    out.push_back(std::move(*slot));
    tick = next;
  }
  return out;
}

std::optional<RunSlot> RunSchedule::SlotAt(Timestamp logical_date) const {
  if (cron_) {
    // A tick of the chain, or what Next gives just before it (the two differ only inside DST
    // changes; see NextChained).
    const Timestamp just_before = logical_date - kOneMicrosecond;
    if (NextChained(*cron_, just_before) != logical_date &&
        cron_->Next(just_before) != logical_date) {
      return std::nullopt;
    }
    return MakeSlot(logical_date, cron_->Next(logical_date), data_interval_);
  }
  if ((logical_date - anchor_) % delta_ != Duration::zero()) return std::nullopt;
  return MakeSlot(logical_date, logical_date + delta_, data_interval_);
}

// WallClockSchedule

Result<WallClockSchedule> WallClockSchedule::Make(const config::WallClock& at) {
  Result<cron::ZonedSchedule> zoned = MakeCron(at.cron, at.timezone);
  if (!zoned) return zoned.error();
  WallClockSchedule schedule;
  try {
    // ZonedSchedule::Make has looked the name up already, so this does not fail in practice.
    schedule.zone_ = date::locate_zone(at.timezone);
  } catch (const std::exception&) {
    return InvalidArgumentError("unknown time zone '" + at.timezone + "'");
  }
  schedule.cron_ = std::move(zoned).value();
  schedule.skip_dates_ = at.skip_dates;
  std::sort(schedule.skip_dates_.begin(), schedule.skip_dates_.end());
  schedule.window_start_ = at.window_start;
  return schedule;
}

std::vector<Timestamp> WallClockSchedule::TicksBetween(Timestamp from, Timestamp until,
                                                       size_t limit) const {
  // Walk back from `until`, so that a long outage costs `limit` steps and yields the most recent
  // ticks.
  std::vector<Timestamp> out;
  if (limit == 0 || until <= from) return out;
  std::optional<Timestamp> tick = Prev(until + kOneMicrosecond);
  while (tick && *tick > from && out.size() < limit) {
    out.push_back(*tick);
    tick = Prev(*tick);
  }
  std::reverse(out.begin(), out.end());
  return out;
}

std::optional<Timestamp> WallClockSchedule::Next(Timestamp after) const {
  const date::time_zone* zone = AsZone(zone_);
  std::optional<Timestamp> tick = NextChained(*cron_, after);
  // A tick on a skip date moves the search to the end of that local day, so each pass leaves one
  // skip date behind: at most skip_dates_.size() + 1 passes.
  while (tick) {
    const std::chrono::year_month_day day = LocalDate(zone, *tick);
    if (!std::binary_search(skip_dates_.begin(), skip_dates_.end(), day)) return tick;
    const Timestamp day_end =
        StartOfLocalDay(zone, std::chrono::sys_days{day} + days{1}) - kOneMicrosecond;
    tick = NextChained(*cron_, std::max(day_end, *tick));
  }
  return std::nullopt;
}

std::optional<Timestamp> WallClockSchedule::Prev(Timestamp before) const {
  const date::time_zone* zone = AsZone(zone_);
  std::optional<Timestamp> tick = cron_->Prev(before);
  while (tick) {
    const std::chrono::year_month_day day = LocalDate(zone, *tick);
    if (!std::binary_search(skip_dates_.begin(), skip_dates_.end(), day)) return tick;
    tick = cron_->Prev(std::min(StartOfLocalDay(zone, day), *tick));
  }
  return std::nullopt;
}

Timestamp WallClockSchedule::WindowStart(Timestamp tick) const {
  const date::time_zone* zone = AsZone(zone_);
  if (window_start_) {
    const std::chrono::sys_days day{LocalDate(zone, tick)};
    return LocalToInstant(zone, Timestamp{day.time_since_epoch()} + *window_start_);
  }
  // A satisfiable cron matches at least every 8 years and Prev searches 10, so for a real tick
  // this always finds one; without it any success counts.
  return cron_->Prev(tick).value_or(Timestamp{});
}

}  // namespace slayer::rules

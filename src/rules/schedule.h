// Schedules a rule evaluates against: the run slots a DAG's timetable says should exist (for
// "expected runs"), and the ticks of a wall-clock rule. Pure functions over value types;
// thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "airflow/timetable.h"
#include "common/result.h"
#include "common/time.h"
#include "config/config.h"
#include "cron/zoned_schedule.h"

namespace slayer::rules {

// One run a timetable schedules, with the dates Airflow would give it.
struct RunSlot {
  Timestamp logical_date{};
  Timestamp data_interval_start{};
  Timestamp data_interval_end{};
  Timestamp run_after{};  // when the scheduler may create it: the data interval end
                          // (2.x *DataInterval timetables), the tick itself for trigger ones
  // The run_id Airflow gives the scheduled run of this slot:
  // "scheduled__" + logical_date in Python isoformat ("scheduled__2026-11-23T00:00:00+00:00").
  std::string run_id;
};

// The run_id Airflow gives a scheduled run with this logical date.
std::string ScheduledRunId(Timestamp logical_date);

// A timetable SLAyer can iterate: cron (in its time zone, DST-correct as Airflow) or delta.
class RunSchedule {
 public:
  // kFailedPrecondition for kinds without regular slots (once, none, asset without a time
  // part, other) and for fixed-offset zones that are not whole hours; kInvalidArgument for a
  // cron that does not parse, an unknown zone, or a delta that is not positive or has no
  // anchor. `anchor` aligns delta timetables (slots at anchor + k * delta): pass a known
  // logical date of the DAG, e.g. dag.next_dagrun.
  static Result<RunSchedule> Make(const airflow::Timetable& timetable,
                                  std::optional<Timestamp> anchor);

  // The slots whose logical date is >= `from` and whose run_after is <= `until`, oldest
  // first, at most `limit` (the oldest ones).
  std::vector<RunSlot> SlotsBetween(Timestamp from, Timestamp until, size_t limit) const;
  // The slot with exactly this logical date, if the timetable has one.
  std::optional<RunSlot> SlotAt(Timestamp logical_date) const;

 private:
  RunSchedule() = default;
  std::optional<cron::ZonedSchedule> cron_;
  Duration delta_{0};
  Timestamp anchor_{};
  bool data_interval_ = false;
};

// The ticks of a wall-clock rule (`at:`): cron in the rule's zone, `skip_dates` left out.
class WallClockSchedule {
 public:
  // kInvalidArgument for a bad cron or zone (a ValidatedConfig never has one).
  static Result<WallClockSchedule> Make(const config::WallClock& at);

  // Ticks t with from < t <= until, oldest first, at most `limit` (the newest ones).
  std::vector<Timestamp> TicksBetween(Timestamp from, Timestamp until, size_t limit) const;
  // The next tick strictly after `after` (skip dates left out); std::nullopt if none.
  std::optional<Timestamp> Next(Timestamp after) const;
  // The tick strictly before `before`; std::nullopt if none.
  std::optional<Timestamp> Prev(Timestamp before) const;
  // Where a success must have ended for `tick` to count as done: the local `window_start`
  // time of day on the tick's local date (DST-correct), or the previous tick when the rule
  // has no window_start (the previous tick even if it was a skip date).
  Timestamp WindowStart(Timestamp tick) const;

 private:
  WallClockSchedule() = default;
  std::optional<cron::ZonedSchedule> cron_;
  std::vector<std::chrono::year_month_day> skip_dates_;
  std::optional<std::chrono::minutes> window_start_;
  const void* zone_ = nullptr;  // a date::time_zone*
};

}  // namespace slayer::rules

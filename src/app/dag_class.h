// DagClass: a DAG's schedule frequency as a bounded label, the `dag_class` of
// airflow_schedule_delay_seconds (docs/health.md, "Schedule delay"): a fixed set of four, so the
// family's cardinality does not grow with the number of DAGs. Pure; thread-safe.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>

#include "common/time.h"

namespace slayer::app {

enum class DagClass {
  kSubHourly,  // runs more often than hourly (shortest gap between runs < 1h)
  kHourly,     // 1h <= shortest gap < 1d
  kDaily,      // 1d <= shortest gap < 7d (also weekday-only crons)
  kOther,      // weekly or rarer, @once, @continuous, asset-triggered, custom timetables,
               // no schedule, a DAG not in the last DAG list
};

inline constexpr std::array<DagClass, 4> kAllDagClasses = {DagClass::kSubHourly, DagClass::kHourly,
                                                           DagClass::kDaily, DagClass::kOther};

// "sub_hourly", "hourly", "daily", "other".
std::string_view DagClassName(DagClass c);

// The shortest gap between two runs of the schedule text of a dag row (airflow::Dag::schedule):
// a cron expression or preset ("*/5 * * * *", "@daily"; times in UTC), a duration as SLAyer
// reads a 2.x timedelta ("1h30m"), or a 3.x timedelta summary ("1:00:00", "1 day, 0:00:00").
// std::nullopt for anything else (no schedule, @once, @continuous, assets, custom timetables).
std::optional<Duration> ScheduleShortestGap(std::string_view schedule);

// The class of that gap; kOther when std::nullopt.
DagClass ClassifySchedule(const std::optional<std::string>& schedule);

}  // namespace slayer::app

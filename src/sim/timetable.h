// Timetable: when Airflow creates the runs of a DAG, as its timetables compute them: cron with
// data intervals (2.x default), cron trigger (3.x default for cron), timedelta data intervals,
// or none (manual only). Cron ticks come from the cron module (cron/zoned_schedule.h), which
// follows Airflow's DST rules (docs/cron.md). Immutable; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "common/time.h"
#include "cron/zoned_schedule.h"
#include "sim/airflow_version.h"
#include "sim/dag_spec.h"

namespace slayer::sim {

struct DataInterval {
  Timestamp start;
  Timestamp end;
  friend bool operator==(const DataInterval&, const DataInterval&) = default;
};

// Airflow's DagRunInfo: the logical date, the data interval and when the run may be created.
struct DagRunInfo {
  Timestamp logical_date;
  DataInterval data_interval;
  Timestamp run_after;
};

class Timetable {
 public:
  enum class Kind { kNull, kCronDataInterval, kCronTrigger, kDeltaDataInterval };

  // A manual-only (NullTimetable) timetable in UTC.
  Timetable() = default;

  // The timetable Airflow builds for this DAG's `schedule` on this version. Errors: an unknown
  // time zone or a bad cron (kInvalidArgument, the cron module's message), kFailedPrecondition
  // when the system time zone database cannot be read.
  static Result<Timetable> Make(const DagSpec& dag, AirflowVersion version);

  Kind kind() const { return kind_; }
  // False for manual-only DAGs (no SLA checks, no scheduled runs).
  bool periodic() const { return kind_ != Kind::kNull; }

  // Airflow's Timetable.next_dagrun_info: the next run after `last` (the data interval of the
  // last scheduled run, none for the first), no run before `earliest` (the aligned start_date),
  // and with !catchup nothing older than the latest complete interval at `now`.
  std::optional<DagRunInfo> NextDagRunInfo(const std::optional<DataInterval>& last,
                                           std::optional<Timestamp> earliest, bool catchup,
                                           Timestamp now) const;

  // next_dagrun_info(last, restricted=False), as manage_slas walks the schedule.
  std::optional<DagRunInfo> NextUnrestricted(const DataInterval& last) const;

  // The data interval of a manual run triggered at `run_after`.
  DataInterval InferManualDataInterval(Timestamp run_after) const;

  // The next schedule tick strictly after / before `t` (cron or delta), DST-corrected as
  // cron::ZonedSchedule is; Timestamp::max() / min() when a cron never matches.
  Timestamp GetNext(Timestamp t) const;
  Timestamp GetPrev(Timestamp t) const;

  // Text Airflow stores: dag.schedule_interval (2.x, JSON text), timetable_summary (3.x),
  // timetable_description.
  std::string ScheduleIntervalJson() const;
  std::string Summary() const;
  std::string Description() const;

  const std::string& timezone() const { return timezone_; }
  // The cron expression Airflow stores (presets expanded); empty unless the schedule is a cron.
  const std::string& expression() const { return expression_; }
  const std::string& schedule_text() const { return schedule_text_; }
  Duration delta() const { return delta_; }

 private:
  Timestamp AlignToNext(Timestamp t) const;
  Timestamp AlignToPrev(Timestamp t) const;
  Timestamp SkipToLatest(std::optional<Timestamp> earliest, Timestamp now) const;

  Kind kind_ = Kind::kNull;
  std::optional<cron::ZonedSchedule> cron_;
  std::string expression_;
  Duration delta_{0};
  std::string timezone_ = "UTC";
  std::string schedule_text_ = "None";
};

// The expression Airflow stores for a cron schedule: its presets (cron_presets in
// airflow/utils/dates.py, plus croniter's @midnight and @annually) expanded, "@daily" ->
// "0 0 * * *"; any other text is returned unchanged.
std::string ExpandCronPreset(std::string_view schedule);

// Python's str(timedelta): "0:30:00", "1 day, 0:00:00", "2 days, 1:00:00.500000".
std::string PythonTimedeltaString(Duration d);

}  // namespace slayer::sim

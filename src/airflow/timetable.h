// Timetable: a DAG's schedule as read from its serialized form: the kind, the cron expression or
// interval, and the time zone it is evaluated in. Shapes Airflow cannot give us exactly (custom
// plugin timetables, calendar relativedeltas) read as kOther. A value type.
#pragma once

#include <optional>
#include <string>

#include "common/time.h"

namespace slayer::airflow {

struct Timetable {
  enum class Kind {
    kCron,   // CronDataIntervalTimetable, CronTriggerTimetable, or a 2.x cron schedule_interval
    kDelta,  // DeltaDataIntervalTimetable, DeltaTriggerTimetable, or a timedelta
    kOnce,   // OnceTimetable (@once)
    kNone,   // NullTimetable (schedule=None): manual runs only
    kAsset,  // dataset/asset triggered, or asset-or-time (its time part in cron/delta below)
    kOther,  // continuous, multiple crons, events, plugins, calendar relativedeltas, unknown
  };

  Kind kind = Kind::kOther;
  // The serialized class ("airflow.timetables.interval.CronDataIntervalTimetable"); empty for
  // a 2.x schedule_interval without a timetable.
  std::string type_name;
  std::optional<std::string> cron;  // presets expanded ("@daily" -> "0 0 * * *")
  std::optional<Duration> delta;
  // An IANA name ("Europe/Berlin", "UTC"), or a fixed offset "+05:30" / "-03:00". From the
  // timetable, else the DAG's "timezone", else "UTC".
  std::string time_zone = "UTC";
  // The run's logical date is the start of a data interval that ends one period later (the 2.x
  // *DataIntervalTimetable); false for trigger timetables (3.x default for cron).
  bool data_interval = false;
};

// "cron", "delta", "once", "none", "asset", "other".
std::string_view TimetableKindName(Timetable::Kind kind);

}  // namespace slayer::airflow

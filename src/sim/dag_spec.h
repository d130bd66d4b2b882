// DagSpec: what the simulator knows of one DAG, as read from the YAML DAG file (dag_file.h,
// format in docs/simulator.md): schedule, tasks and their behaviour (durations, failures,
// lateness), and Airflow's own SLA / deadline definitions. Plain value types.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/time.h"

namespace slayer::sim {

// How long one try of a task runs. kNormal draws N(mean, stddev) truncated at 1 s; kUniform
// draws from [min, max]; kFixed is always `mean`.
struct DurationSpec {
  enum class Kind { kFixed, kNormal, kUniform };
  Kind kind = Kind::kNormal;
  Duration mean = std::chrono::minutes(2);
  Duration stddev = std::chrono::seconds(20);
  Duration min{0};
  Duration max{0};
};

struct TaskSpec {
  std::string task_id;
  std::string operator_name = "BashOperator";
  std::vector<std::string> upstream;  // task_ids this task waits for (trigger rule all_success)
  DurationSpec duration;
  double failure_rate = 0;  // probability that one try fails
  double skip_rate = 0;     // probability that the task skips itself (AirflowSkipException)
  int retries = 0;          // max_tries
  Duration retry_delay = std::chrono::minutes(5);
  std::string pool = "default_pool";
  int pool_slots = 1;
  std::string queue = "default";
  std::optional<Duration> sla;  // Airflow 2 task SLA; ignored on 3.x
  std::string owner;            // empty = the DAG's owner
};

enum class ScheduleKind { kNone, kCron, kDelta };

// A DAG-level deadline alert (Airflow 3.1 DeadlineAlert).
struct DeadlineSpec {
  enum class Reference { kQueuedAt, kLogicalDate, kFixed };
  Reference reference = Reference::kQueuedAt;
  Duration interval{0};                                  // may be negative
  Timestamp fixed_datetime{};                            // kFixed only
  std::string callback = "slayer_sim.callbacks.notify";  // dotted path of the async callback
  std::string callback_kwargs_json = "{}";
};

struct DagSpec {
  std::string dag_id;
  ScheduleKind schedule_kind = ScheduleKind::kNone;
  std::string schedule_text = "None";  // as written: "@hourly", "*/5 * * * *", "30m", "None"
  std::string cron;                    // 5 fields, presets expanded (kCron)
  Duration delta{0};                   // kDelta
  std::string timezone = "UTC";
  std::optional<Timestamp> start_date;      // default: the simulation start, aligned
  std::optional<bool> catchup;              // default: true on 2.x, false on 3.x (Airflow defaults)
  std::optional<bool> cron_data_intervals;  // 3.x: CronDataIntervalTimetable instead of trigger
  bool paused = false;
  std::vector<std::string> tags;
  std::string owner = "airflow";
  std::string description;
  std::string fileloc;  // default /opt/airflow/dags/<yaml file stem>.py
  int max_active_runs = 16;
  // Lateness: with probability `late_rate` a run is slow: each task try lasts `late_factor`
  // times longer and the first tasks `late_delay` longer.
  double late_rate = 0;
  double late_factor = 1;
  Duration late_delay{0};
  double manual_per_day = 0;       // mean manual triggers per day (a Poisson process)
  bool sla_miss_callback = false;  // 2.x: callbacks succeed, so sla_miss.notification_sent = true
  std::vector<DeadlineSpec> deadlines;  // 3.1 only
  std::vector<TaskSpec> tasks;          // in topological order after validation
};

// The whole DAG file: pools (name -> slots; default_pool is 128 unless set) and DAGs.
struct DagFile {
  std::map<std::string, int> pools;
  std::vector<DagSpec> dags;
};

}  // namespace slayer::sim

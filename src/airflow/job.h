// Job: one row of `job`, a scheduler, triggerer, DAG processor (or, on 2.x, a task runner)
// process and its heartbeat. A value type; thread-compatible.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/time.h"

namespace slayer::airflow {

struct Job {
  int64_t id = 0;
  std::optional<std::string> job_type;  // SchedulerJob, TriggererJob, DagProcessorJob, ...
  std::optional<std::string> state;     // running, success, failed, ...
  std::optional<std::string> hostname;
  std::optional<Timestamp> latest_heartbeat;
  std::optional<Timestamp> start_date;
  std::optional<Timestamp> end_date;
};

}  // namespace slayer::airflow

// TaskInstanceTiming: the state and timing columns of one finished task instance, the narrow
// row task analytics read (docs/health.md#task-analytics). task_instance keeps only the latest
// try of each task instance: the times are that try's. A value type; thread-compatible.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "airflow/task_instance_state.h"
#include "common/time.h"

namespace slayer::airflow {

struct TaskInstanceTiming {
  std::string dag_id;
  std::string task_id;
  std::string run_id;
  int64_t map_index = -1;  // -1: not mapped (and on 2.2, which has no column)
  TaskInstanceState state = TaskInstanceState::kNone;
  // Tries started (2.10+: scheduled); 0 for a task instance that never ran (upstream_failed,
  // skipped by its trigger rule). Approximate before 2.10 (README section 4).
  std::optional<int64_t> try_number;
  std::optional<Timestamp> queued_dttm;
  std::optional<Timestamp> start_date;
  std::optional<Timestamp> end_date;
};

}  // namespace slayer::airflow

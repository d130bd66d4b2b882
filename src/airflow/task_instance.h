// TaskInstance: one row of `task_instance`, the same for Airflow 2.2 - 3.x (map_index -1 where
// the column is absent; `id` only on 3.x). A value type; thread-compatible.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "airflow/dag_run_key.h"
#include "airflow/task_instance_state.h"
#include "common/time.h"

namespace slayer::airflow {

struct TaskInstance {
  std::string dag_id;
  std::string task_id;
  std::string run_id;
  int64_t map_index = -1;         // -1: not mapped (and on 2.2, which has no column)
  std::optional<std::string> id;  // 3.x UUID text, as the backend returns it
  TaskInstanceState state = TaskInstanceState::kNone;
  std::optional<std::string> state_text;  // the raw column, kept for kUnknown
  // Approximate across versions (README section 4): before 2.10 the column lags by one for a
  // TI that is not running.
  std::optional<int64_t> try_number;
  std::optional<int64_t> max_tries;  // the retry budget
  std::string pool;
  std::optional<std::string> queue;
  std::optional<int64_t> priority_weight;
  std::optional<std::string> operator_name;  // the `operator` column
  std::optional<Timestamp> queued_dttm;
  std::optional<Timestamp> start_date;
  std::optional<Timestamp> end_date;
  std::optional<double> duration;  // seconds
  std::optional<std::string> hostname;
  std::optional<Timestamp> updated_at;  // 2.5+

  DagRunKey run_key() const { return {dag_id, run_id}; }
};

}  // namespace slayer::airflow

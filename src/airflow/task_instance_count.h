// TaskInstanceCount: how many unfinished task instances share a (state, pool, queue), and the
// pool slots they hold: one row of an aggregate, never the instances themselves. A value type.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "airflow/task_instance_state.h"

namespace slayer::airflow {

struct TaskInstanceCount {
  TaskInstanceState state = TaskInstanceState::kNone;
  std::optional<std::string> state_text;  // the raw column; std::nullopt for NULL
  std::string pool;
  std::optional<std::string> queue;
  int64_t count = 0;       // task instances
  int64_t pool_slots = 0;  // sum of their pool_slots
};

}  // namespace slayer::airflow

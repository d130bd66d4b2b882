// DagRunState: the state of a DAG run (README section 3): queued, running, success, failed.
// Values and pure functions; thread-safe.
#pragma once

#include <optional>
#include <string_view>

namespace slayer::airflow {

enum class DagRunState {
  kNone,  // SQL NULL (legal, but Airflow never leaves a run without a state)
  kQueued,
  kRunning,
  kSuccess,
  kFailed,
  kUnknown,  // any other text; the raw value is kept next to the state
};

// NULL -> kNone; unrecognised text -> kUnknown.
DagRunState ParseDagRunState(std::optional<std::string_view> text);

// "none", "queued", "running", "success", "failed", "unknown".
std::string_view DagRunStateName(DagRunState state);

// success or failed.
bool IsFinished(DagRunState state);

}  // namespace slayer::airflow

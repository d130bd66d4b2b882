#include "airflow/dag_run_state.h"

namespace slayer::airflow {

DagRunState ParseDagRunState(std::optional<std::string_view> text) {
  if (!text) return DagRunState::kNone;
  if (*text == "queued") return DagRunState::kQueued;
  if (*text == "running") return DagRunState::kRunning;
  if (*text == "success") return DagRunState::kSuccess;
  if (*text == "failed") return DagRunState::kFailed;
  return DagRunState::kUnknown;
}

std::string_view DagRunStateName(DagRunState state) {
  switch (state) {
    case DagRunState::kNone:
      return "none";
    case DagRunState::kQueued:
      return "queued";
    case DagRunState::kRunning:
      return "running";
    case DagRunState::kSuccess:
      return "success";
    case DagRunState::kFailed:
      return "failed";
    case DagRunState::kUnknown:
      return "unknown";
  }
  return "unknown";
}

bool IsFinished(DagRunState state) {
  return state == DagRunState::kSuccess || state == DagRunState::kFailed;
}

}  // namespace slayer::airflow

#include "airflow/task_instance_state.h"

#include <array>
#include <utility>

namespace slayer::airflow {
namespace {

constexpr std::array<std::pair<std::string_view, TaskInstanceState>, 14> kNames = {{
    {"scheduled", TaskInstanceState::kScheduled},
    {"queued", TaskInstanceState::kQueued},
    {"running", TaskInstanceState::kRunning},
    {"success", TaskInstanceState::kSuccess},
    {"restarting", TaskInstanceState::kRestarting},
    {"failed", TaskInstanceState::kFailed},
    {"up_for_retry", TaskInstanceState::kUpForRetry},
    {"up_for_reschedule", TaskInstanceState::kUpForReschedule},
    {"upstream_failed", TaskInstanceState::kUpstreamFailed},
    {"skipped", TaskInstanceState::kSkipped},
    {"deferred", TaskInstanceState::kDeferred},
    {"removed", TaskInstanceState::kRemoved},
    {"shutdown", TaskInstanceState::kShutdown},
    {"sensing", TaskInstanceState::kSensing},
}};

constexpr std::array<std::string_view, 9> kUnfinished = {
    "scheduled",         "queued",   "running",  "restarting", "up_for_retry",
    "up_for_reschedule", "deferred", "shutdown", "sensing",
};

}  // namespace

TaskInstanceState ParseTaskInstanceState(std::optional<std::string_view> text) {
  if (!text) return TaskInstanceState::kNone;
  for (const auto& [name, state] : kNames) {
    if (name == *text) return state;
  }
  return TaskInstanceState::kUnknown;
}

std::string_view TaskInstanceStateName(TaskInstanceState state) {
  if (state == TaskInstanceState::kNone) return "none";
  for (const auto& [name, s] : kNames) {
    if (s == state) return name;
  }
  return "unknown";
}

bool IsFinished(TaskInstanceState state) {
  return IsSuccessLike(state) || IsFailureLike(state) || state == TaskInstanceState::kRemoved;
}

bool IsSuccessLike(TaskInstanceState state) {
  return state == TaskInstanceState::kSuccess || state == TaskInstanceState::kSkipped;
}

bool IsFailureLike(TaskInstanceState state) {
  return state == TaskInstanceState::kFailed || state == TaskInstanceState::kUpstreamFailed;
}

std::span<const std::string_view> UnfinishedStateNames() { return kUnfinished; }

}  // namespace slayer::airflow

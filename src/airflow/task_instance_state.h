// TaskInstanceState: the state of a task instance, NULL included (README section 3), and the
// terminal / success-like / failure-like sets Airflow uses. Values and pure functions;
// thread-safe.
#pragma once

#include <optional>
#include <span>
#include <string_view>

namespace slayer::airflow {

enum class TaskInstanceState {
  kNone,  // SQL NULL: created, not scheduled yet
  kScheduled,
  kQueued,
  kRunning,
  kSuccess,
  kRestarting,
  kFailed,
  kUpForRetry,
  kUpForReschedule,
  kUpstreamFailed,
  kSkipped,
  kDeferred,
  kRemoved,
  kShutdown,  // legacy (through 2.11, unused)
  kSensing,   // legacy (smart sensors, 2.0 - 2.3)
  kUnknown,   // any other text; the raw value is kept next to the state
};

// NULL -> kNone; unrecognised text -> kUnknown.
TaskInstanceState ParseTaskInstanceState(std::optional<std::string_view> text);

// The database spelling ("up_for_retry"), "none" for kNone and "unknown" for kUnknown.
std::string_view TaskInstanceStateName(TaskInstanceState state);

// Airflow's State.finished: success, failed, skipped, upstream_failed, removed. Everything
// else, legacy and unknown states included, may still change.
bool IsFinished(TaskInstanceState state);

// success, skipped: "done" for a task-level deadline.
bool IsSuccessLike(TaskInstanceState state);

// failed, upstream_failed.
bool IsFailureLike(TaskInstanceState state);

// The non-NULL states that are not finished, as stored ("scheduled", "queued", ...,
// "shutdown", "sensing"): the IN-list of the unfinished-task queries (NULL is added there).
std::span<const std::string_view> UnfinishedStateNames();

}  // namespace slayer::airflow

// Task analytics read from Airflow (`slayer report --tasks`, GET /api/v1/tasks): for each
// configured instance, the DAGs a glob selects, their runs of a window by logical date, and the
// finished task instances of those runs, folded into an insights::TaskReport. Bounded by
// construction (docs/health.md#task-analytics): a window of at most kMaxTaskWindow, at most
// kMaxTaskDags DAGs and kMaxTaskRuns runs per instance, every read through an index. Opens one
// read-only connection per instance and call; thread-safe when the factory is.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>

#include "app/instance_poller.h"
#include "common/glob.h"
#include "common/result.h"
#include "common/time.h"
#include "config/config.h"
#include "insights/task_stats.h"

namespace slayer::app {

inline constexpr Duration kMaxTaskWindow = std::chrono::days(30);
inline constexpr size_t kMaxTaskDags = 500;
inline constexpr size_t kMaxTaskRuns = 50000;

struct TaskQuery {
  Timestamp since;             // runs with a logical date >= since ...
  Timestamp until;             // ... and < until
  std::optional<Glob> dag_id;  // std::nullopt = every DAG
  std::string instance;        // an instance of the config; empty = every instance
};

// Which part of a query to change when it is refused.
enum class TaskQueryField { kNone, kSince, kDagId, kInstance };

// kInvalidArgument when [since, until) is empty or longer than kMaxTaskWindow.
Status CheckTaskWindow(Timestamp since, Timestamp until);

// Reads the report of `query` from `instances` through `factory`. Errors:
//  - kInvalidArgument for a bad window (CheckTaskWindow), an instance the config does not have,
//    more than kMaxTaskDags matching DAGs or more than kMaxTaskRuns runs on one instance; the
//    message says what to narrow and `*field` (when not null) which part of the query;
//  - the source's errors (kUnavailable, kDeadlineExceeded, ...) with the instance named.
Result<insights::TaskReport> ReadTaskReport(std::span<const config::AirflowInstance> instances,
                                            const SourceFactory& factory, const TaskQuery& query,
                                            TaskQueryField* field = nullptr);

}  // namespace slayer::app

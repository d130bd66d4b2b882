// Resolving a deadline rule's reference (SPEC section 3, "Deadline") against a DAG run or a task
// instance: which instant the need-by counts from, with the NULL fallbacks, and a note that
// says which value was used and why (shown by `slayer explain`). Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>

#include "airflow/dag_run.h"
#include "airflow/task_instance.h"
#include "common/time.h"
#include "config/config.h"

namespace slayer::rules {

struct ResolvedReference {
  // The instant, or std::nullopt when the item is not armed yet (a task or run that has not
  // been queued or started: its need-by is unknown until then).
  std::optional<Timestamp> time;
  // "dagrun.logical_date", "dagrun.run_after (logical_date is NULL)", "task.start_date (not
  // started yet)".
  std::string note;
};

// Run references: logical date, data interval start/end, run_after, queued_at. A NULL value
// falls back to run_after (always set), then queued_at. dagrun.start_date is a runtime
// reference: NULL means the run has not started, so nothing is armed (no fallback).
// `task` is used only by the task references (task.queued_at, task.start_date), which are NULL
// until the task is queued / started: not armed. Passing nullptr for a task reference means
// the task instance does not exist yet: not armed.
ResolvedReference ResolveReference(const config::Deadline& deadline, const airflow::DagRun& run,
                                   const airflow::TaskInstance* task);

}  // namespace slayer::rules

// The forms of a TaskReport: JSON (the document of GET /api/v1/tasks and `slayer report --tasks
// --format json`, one function so that both print the same bytes), CSV and the text table.
// Pure; documented in docs/health.md#task-analytics.
#pragma once

#include <string>

#include "insights/task_stats.h"

namespace slayer::insights {

// {"since","until","dag_runs","tasks":[{"airflow_instance","dag_id","task_id","task_instances",
//  "success","failed","skipped","upstream_failed","tries","retried","success_rate","retry_rate",
//  "duration_seconds":{"mean","p50","p95","max"},"queue_seconds":{"mean","p50","p95","max"}}]}
// keys in this order, no whitespace, no trailing newline; rates and statistics are null when
// there is nothing to compute them from.
std::string TaskReportJson(const TaskReport& report);

// A header line, then one line per task: airflow_instance, dag_id, task_id, task_instances,
// success, failed, skipped, upstream_failed, tries, retried, success_rate, retry_rate,
// duration_{mean,p50,p95,max}_seconds, queue_{mean,p50,p95,max}_seconds (empty when null).
// RFC 4180 quoting; "\n" line ends.
std::string TaskReportCsv(const TaskReport& report);

// Aligned columns per task (an INSTANCE column first when tasks of several instances appear):
//   DAG  TASK     TIS  SUCCESS  FAILED  SKIPPED  UPSTREAM_FAILED  TRIES  SUCCESS_RATE
//   RETRY_RATE  DURATION_MEAN  DURATION_P95  QUEUE_MEAN
// Success rate rounded down and retry rate rounded up to 0.1% (so 100.0% and 0.0% are exact);
// durations under a minute with a tenth of a second ("4.2s"), longer ones to the second ("5m3s");
// "-" where a value is null.
std::string TaskReportTable(const TaskReport& report);

}  // namespace slayer::insights

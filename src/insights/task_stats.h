// Task analytics: how the task instances of each (Airflow instance, DAG, task) went over the
// DAG runs of a window: outcomes, tries and retries, durations and queue times
// (`slayer report --tasks`, GET /api/v1/tasks). Pure computation over the finished task
// instances Airflow keeps (airflow::TaskInstanceTiming); value types. The numbers are defined
// in docs/health.md#task-analytics.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "airflow/task_instance_timing.h"
#include "common/time.h"
#include "insights/lateness_stats.h"

namespace slayer::insights {

struct TaskStats {
  std::string airflow_instance;
  std::string dag_id;
  std::string task_id;
  // Finished task instances (a mapped task counts each map index): success + failed + skipped
  // + upstream_failed. Removed ones (gone from the DAG) and unfinished ones do not count.
  int64_t task_instances = 0;
  int64_t success = 0;
  int64_t failed = 0;
  int64_t skipped = 0;
  int64_t upstream_failed = 0;
  int64_t tries = 0;    // the sum of their try_number: tries started, retries included
  int64_t ran = 0;      // those with try_number >= 1 (upstream_failed ones never run)
  int64_t retried = 0;  // those with try_number > 1
  // end_date - start_date of the success and failed ones that ran: the latest try's run time
  // (task_instance keeps no earlier try). Nearest-rank percentiles, like the report's lateness.
  LatenessStats duration;
  // start_date - queued_dttm of those that ran: the latest try's wait for a worker. A start
  // before the queued time (a deferred task queued again on resume) is left out.
  LatenessStats queue;

  // success / (success + failed): std::nullopt when neither.
  std::optional<double> success_rate() const;
  // retried / ran: std::nullopt when none ran.
  std::optional<double> retry_rate() const;
};

struct TaskReport {
  Timestamp since;       // runs with a logical date >= since ...
  Timestamp until;       // ... and < until
  int64_t dag_runs = 0;  // the runs read (every instance)
  // Every task with a finished task instance in those runs, by (instance, dag_id, task_id).
  std::vector<TaskStats> tasks;
};

// Folds task instances in as they are read (batch by batch), then builds the report.
class TaskReportBuilder {
 public:
  TaskReportBuilder(Timestamp since, Timestamp until) : since_(since), until_(until) {}

  void AddRuns(int64_t n) { dag_runs_ += n; }
  // The finished task instances of some of the runs of `instance`. Unfinished ones are ignored.
  void Add(std::string_view instance, std::span<const airflow::TaskInstanceTiming> tis);

  TaskReport Build() &&;

 private:
  struct Accumulator {
    TaskStats stats;
    std::vector<Duration> durations;
    std::vector<Duration> queues;
  };
  Timestamp since_;
  Timestamp until_;
  int64_t dag_runs_ = 0;
  std::map<std::tuple<std::string, std::string, std::string>, Accumulator, std::less<>> tasks_;
};

}  // namespace slayer::insights

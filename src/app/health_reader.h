// HealthReader: reads Airflow's own health for one instance on every poll (job heartbeats,
// unfinished task instance counts, pools) and derives the rest from what the poller already
// read (active runs, the DAG list). It keeps, across polls, the schedule-delay and task-queue
// histograms and the runs and task instance tries already observed, so each counts once. Not
// thread-safe: the poller thread only.
// Metrics and sources: docs/health.md.
#pragma once

#include <array>
#include <map>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "airflow/dag.h"
#include "airflow/dag_run.h"
#include "airflow/source.h"
#include "app/health_state.h"
#include "common/status.h"
#include "common/time.h"
#include "config/config.h"
#include "rules/rule_set.h"

namespace slayer::app {

// Upper bounds (seconds) of the airflow_schedule_delay_seconds buckets, +Inf excluded.
extern const std::vector<double> kScheduleDelayBuckets;
// Upper bounds (seconds) of the airflow_task_queue_seconds buckets, +Inf excluded.
extern const std::vector<double> kTaskQueueBuckets;

class HealthReader {
 public:
  // Jobs are read back this far at least: max(10 x heartbeat_timeout, 10m).
  static Duration JobWindow(const config::Health& health);

  // Reads jobs, task instance counts and pools from `source`, and fills `out` as of `now`
  // (wall clock) with the DAG counts of `dags` and the queued/running counts of `active_runs`
  // (the poller's reads; `active_task_instances` are the task instances of `active_runs`). Scheduled runs of
  // `active_runs` with a start_date not observed before add to the schedule-delay histogram
  // (and to the one of their DAG's class, from the schedule of `dags`);
  // task instance tries that started and were not observed before, to the task-queue
  // histogram. For the canary rules of `rules` (`canary: true`) and the DAGs of `dags` they
  // match, it also reads those DAGs' latest successful runs. On a read error `out` and the
  // reader are left unchanged and the error is returned.
  Status Read(airflow::AirflowSource& source, const std::vector<airflow::DagRun>& active_runs,
              const std::vector<airflow::TaskInstance>& active_task_instances,
              const std::vector<airflow::Dag>& dags, const rules::RuleSet& rules, Timestamp now,
              const config::Health& health, HealthState* out);

  // How many runs / task instance tries are remembered as observed (for tests).
  size_t observed_runs_for_test() const { return observed_.size(); }
  size_t observed_tries_for_test() const { return observed_tries_.size(); }

 private:
  // (dag_id, run_id, task_id, map_index, try_number): one try of a task instance.
  using TryKey = std::tuple<std::string, std::string, std::string, int64_t, int64_t>;

  void ObserveScheduleDelays(const std::vector<airflow::DagRun>& active_runs,
                             const std::vector<airflow::Dag>& dags, Timestamp now);
  DagClass ClassOf(const std::vector<airflow::Dag>& dags, const std::string& dag_id);
  void ObserveTaskQueueTimes(const std::vector<airflow::TaskInstance>& task_instances,
                             Timestamp now);

  // (dag_id, run_id) -> when it was last seen active; forgotten kObservedMemory after that.
  std::map<std::pair<std::string, std::string>, Timestamp> observed_;
  std::array<HealthHistogram, kAllDagClasses.size()> schedule_delay_by_class_;
  // Schedule text -> class: a cron's class takes a few hundred steps to find, and the same
  // schedules repeat across DAGs and polls. Cleared when it grows past a bound.
  std::map<std::string, DagClass, std::less<>> class_by_schedule_;
  // Task instance tries observed -> when last seen; forgotten kObservedMemory after that.
  std::map<TryKey, Timestamp> observed_tries_;
  HealthHistogram task_queue_;
};

}  // namespace slayer::app

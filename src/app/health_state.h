// HealthState: what the last successful poll read about Airflow's own health (liveness of its
// scheduler, triggerer and DAG processor, load, pools, DAG counts, canary DAGs) plus the
// schedule-delay and task-queue histograms accumulated since start. A value type copied into
// InstanceState; thread-compatible. The metrics made from it are specified in docs/health.md.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "app/dag_class.h"
#include "common/time.h"

namespace slayer::app {

// The most recent heartbeat of the jobs of one (job_type, hostname).
struct JobHeartbeat {
  std::string job_type;  // SchedulerJob, TriggererJob, DagProcessorJob (as Airflow stores it)
  std::string hostname;  // "" when NULL
  Timestamp latest_heartbeat{};
  // Poll time - latest_heartbeat, in seconds; 0 when the heartbeat is ahead of SLAyer's clock.
  double age_seconds = 0;
};

// Unfinished task instances sharing a (state, pool, queue).
struct TaskInstanceGroup {
  std::string state;  // as stored ("queued", "up_for_retry"); "none" for NULL
  std::string pool;
  std::string queue;  // "" for NULL
  int64_t count = 0;
};

// One slot_pool row and the slots its unfinished task instances hold (sums of pool_slots).
struct PoolSlots {
  std::string pool;
  double total = 0;  // +Inf for an unlimited pool (slots = -1)
  double running = 0;
  double queued = 0;
  double deferred = 0;
  // total - running - queued (- deferred when the pool counts deferred tasks), as Airflow's
  // Pool.open_slots; +Inf for an unlimited pool, negative when the pool is over-subscribed.
  double open = 0;
};

// Cumulative histogram buckets (one count per bound of the family, the last for +Inf).
struct HealthHistogram {
  std::vector<uint64_t> cumulative;  // size = bounds + 1 (+Inf)
  double sum = 0;
  uint64_t count = 0;
};

// A canary rule (`canary: true`) and one DAG it matches: the latest run's timings. The open
// miss comes from the deadline engine's items (InstanceState::items), not from here.
struct CanaryState {
  std::string rule;
  std::string dag_id;
  // start_date - run_after of the DAG's latest started run (active or the latest success);
  // unset while no run has started.
  std::optional<double> schedule_delay_seconds;
  // end_date - run_after of the DAG's latest successful run; unset before the first success.
  std::optional<double> end_to_end_seconds;
};

struct HealthState {
  // Whether a health read has succeeded yet: before that, no health series is exported.
  bool read = false;
  // By (job_type, hostname).
  std::vector<JobHeartbeat> jobs;
  // At least one running SchedulerJob has a heartbeat younger than health.heartbeat_timeout.
  bool airflow_up = false;
  // Sorted by (state, pool, queue).
  std::vector<TaskInstanceGroup> task_instances;
  int64_t queued_runs = 0;
  int64_t running_runs = 0;
  // Sorted by pool name.
  std::vector<PoolSlots> pools;
  // DAGs the DAG files still define (is_active), by paused; from the last DAG list read.
  int64_t dags_unpaused = 0;
  int64_t dags_paused = 0;
  // DAGs with has_import_errors, by paused; std::nullopt before Airflow 2.3 (no column).
  std::optional<int64_t> import_errors_unpaused;
  std::optional<int64_t> import_errors_paused;
  // start_date - run_after of scheduled runs, each observed once (seconds), by the class of
  // their DAG's schedule (indexed by DagClass).
  std::array<HealthHistogram, kAllDagClasses.size()> schedule_delay_by_class;
  // start_date - queued_dttm of the task instance tries of active runs, each observed once
  // (seconds).
  HealthHistogram task_queue;
  // By (rule, dag_id): the canary rules and the DAGs they match in the last DAG list.
  std::vector<CanaryState> canaries;

  // The schedule delays of all classes together: the sum of schedule_delay_by_class.
  HealthHistogram schedule_delay() const;
};

}  // namespace slayer::app

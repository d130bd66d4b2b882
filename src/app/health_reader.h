// HealthReader: reads Airflow's own health for one instance on every poll (job heartbeats,
// unfinished task instance counts, pools) and derives the rest from what the poller already
// read (active runs, the DAG list). It keeps, across polls, the schedule-delay histogram and the
// runs already observed, so each run counts once. Not thread-safe: the poller thread only.
// Metrics and sources: docs/health.md.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "airflow/dag.h"
#include "airflow/dag_run.h"
#include "airflow/source.h"
#include "app/health_state.h"
#include "common/status.h"
#include "common/time.h"
#include "config/config.h"

namespace slayer::app {

// Upper bounds (seconds) of the airflow_schedule_delay_seconds buckets, +Inf excluded.
extern const std::vector<double> kScheduleDelayBuckets;

class HealthReader {
 public:
  // Jobs are read back this far at least: max(10 x heartbeat_timeout, 10m).
  static Duration JobWindow(const config::Health& health);

  // Reads jobs, task instance counts and pools from `source`, and fills `out` as of `now` (wall
  // clock) with the DAG counts of `dags` and the queued/running counts of `active_runs` (the
  // poller's reads). Scheduled runs of `active_runs` with a start_date not observed before add
  // to the schedule-delay histogram. On a read error `out` and the reader are left unchanged and
  // the error is returned.
  Status Read(airflow::AirflowSource& source, const std::vector<airflow::DagRun>& active_runs,
              const std::vector<airflow::Dag>& dags, Timestamp now, const config::Health& health,
              HealthState* out);

  // How many runs are remembered as observed (for tests).
  size_t observed_runs_for_test() const { return observed_.size(); }

 private:
  void ObserveScheduleDelays(const std::vector<airflow::DagRun>& active_runs, Timestamp now);

  // (dag_id, run_id) -> when it was last seen active; forgotten kObservedMemory after that.
  std::map<std::pair<std::string, std::string>, Timestamp> observed_;
  HealthHistogram schedule_delay_;
};

}  // namespace slayer::app

// AirflowSource: what SLAyer reads from one Airflow deployment, as value types that hide the
// differences between Airflow 2.2 - 2.11 and 3.x. Every method reads a bounded set (SPEC
// section 8; docs/queries.md) and returns an error value, never a partial result: kUnavailable
// / kDeadlineExceeded when the database is unreachable or slow, kDataLoss for a row that cannot
// be read. Implementations are not thread-safe: use one source per thread.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "airflow/dag.h"
#include "airflow/dag_run.h"
#include "airflow/dag_run_key.h"
#include "airflow/deadline.h"
#include "airflow/job.h"
#include "airflow/pool.h"
#include "airflow/schema.h"
#include "airflow/serialized_dag.h"
#include "airflow/sla_miss.h"
#include "airflow/task_instance.h"
#include "airflow/task_instance_count.h"
#include "airflow/task_instance_timing.h"
#include "common/result.h"
#include "common/time.h"

namespace slayer::airflow {

class AirflowSource {
 public:
  virtual ~AirflowSource() = default;

  // The schema detected at connect.
  virtual const SchemaInfo& schema() const = 0;

  // --- DAGs and their definitions ---

  // Every DAG with its tags (one row per DAG).
  virtual Result<std::vector<Dag>> Dags() = 0;
  // The latest serialization of each DAG that has one; DAGs without a row are left out. An
  // undecodable one fails the call with kDataLoss naming its dag_id.
  virtual Result<std::vector<SerializedDag>> SerializedDags(
      std::span<const std::string> dag_ids) = 0;

  // --- DAG runs ---

  // Runs in state queued or running.
  virtual Result<std::vector<DagRun>> ActiveDagRuns() = 0;
  // Runs by id or by key; ids or keys with no row are left out (the run was deleted).
  virtual Result<std::vector<DagRun>> DagRunsById(std::span<const int64_t> ids) = 0;
  virtual Result<std::vector<DagRun>> DagRunsByKey(std::span<const DagRunKey> keys) = 0;
  // Runs of the given DAGs whose logical date is in [from, to), by DAG then oldest first. 3.x
  // runs without a logical date are not included.
  virtual Result<std::vector<DagRun>> DagRunsInWindow(std::span<const std::string> dag_ids,
                                                      Timestamp from, Timestamp to) = 0;
  // The same for one DAG.
  Result<std::vector<DagRun>> DagRunsInWindow(std::string_view dag_id, Timestamp from,
                                              Timestamp to) {
    const std::string id(dag_id);
    return DagRunsInWindow(std::span<const std::string>(&id, 1), from, to);
  }
  // The keys of the runs of the given DAGs whose logical date is in [from, to), at most `limit`
  // of them (which ones, when there are more, is unspecified: ask for one more than needed to
  // detect that). 3.x runs without a logical date are not included.
  virtual Result<std::vector<DagRunKey>> DagRunKeysInWindow(std::span<const std::string> dag_ids,
                                                            Timestamp from, Timestamp to,
                                                            size_t limit) = 0;
  // The latest successful run of each DAG (by logical date on 2.x, run_after on 3.x); DAGs
  // without one are left out.
  virtual Result<std::vector<DagRun>> LatestSuccessfulDagRuns(
      std::span<const std::string> dag_ids) = 0;

  // --- Task instances ---

  // Every task instance of the given runs.
  virtual Result<std::vector<TaskInstance>> TaskInstancesOfRuns(
      std::span<const DagRunKey> runs) = 0;
  // The unfinished (NULL or non-terminal state) task instances of the given DAGs.
  virtual Result<std::vector<TaskInstance>> UnfinishedTaskInstances(
      std::span<const std::string> dag_ids) = 0;
  // The finished task instances (success, failed, skipped, upstream_failed) of the given runs,
  // state and timing columns only (task analytics).
  virtual Result<std::vector<TaskInstanceTiming>> FinishedTaskInstanceTimings(
      std::span<const DagRunKey> runs) = 0;
  // Unfinished task instances counted by state, pool and queue (an aggregate, not rows).
  virtual Result<std::vector<TaskInstanceCount>> UnfinishedTaskInstanceCounts() = 0;

  // --- Airflow's own SLAs (2.x) and deadlines (3.1+) ---

  // sla_miss rows of the given DAGs with execution_date >= since. Empty on 3.x.
  virtual Result<std::vector<SlaMiss>> SlaMisses(std::span<const std::string> dag_ids,
                                                 Timestamp since) = 0;
  // The original SLAyer open misses of the given DAGs: sla_miss rows whose run exists and is not
  // success and whose task instance there is not success/skipped. Empty on 3.x.
  virtual Result<std::vector<SlaMiss>> OpenSlaMisses(std::span<const std::string> dag_ids) = 0;
  // Deadline rows Airflow has not acted on with deadline_time in [from, to). Empty before 3.1.
  virtual Result<std::vector<Deadline>> PendingDeadlines(Timestamp from, Timestamp to) = 0;
  // Every deadline row of the given runs (dag_run.id). Empty before 3.1.
  virtual Result<std::vector<Deadline>> DeadlinesOfRuns(std::span<const int64_t> dagrun_ids) = 0;
  // One entry per requested id, in request order: the row, or {id, exists = false} when it is
  // gone (met, or its run was deleted). All exists = false before 3.1.
  virtual Result<std::vector<Deadline>> DeadlinesById(std::span<const std::string> ids) = 0;

  // --- Health ---

  // Jobs in state running.
  virtual Result<std::vector<Job>> RunningJobs() = 0;
  // Scheduler, triggerer and DAG processor jobs with a heartbeat at or after `since`, in any
  // state (to see the last heartbeat of one that ended recently).
  virtual Result<std::vector<Job>> RecentJobs(Timestamp since) = 0;
  // Every pool.
  virtual Result<std::vector<Pool>> Pools() = 0;
};

}  // namespace slayer::airflow

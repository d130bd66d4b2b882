// Simulator: the library behind `slayer-sim` (docs/simulator.md). It writes into an Airflow
// metadata database (PostgreSQL, MySQL/MariaDB or SQLite; Airflow 2.10, 3.0 or 3.1 schema) the
// rows Airflow would write for a set of DAGs as simulated time passes: DAG rows, runs and task
// instances with their state changes, job heartbeats, sla_miss (2.x) and deadline (3.1) rows.
// Time is driven by the caller (AdvanceTo), so tests step it without sleeping and the CLI maps
// real time x speed onto it. Not thread-safe; `conn` must outlive the Simulator.
//
//   auto sim = Simulator::Create(*conn, std::move(dag_file), options);
//   SLAYER_RETURN_IF_ERROR((*sim)->Init(start));          // schema (optional), DAG rows, jobs
//   SLAYER_RETURN_IF_ERROR((*sim)->RunHistory(start + 30 * 24h));  // bulk, optional
//   SLAYER_RETURN_IF_ERROR((*sim)->AdvanceTo(t));        // live, repeatedly
//   SLAYER_RETURN_IF_ERROR((*sim)->Finish());
#pragma once

#include <functional>
#include <memory>

#include "common/result.h"
#include "common/time.h"
#include "db/connection.h"
#include "sim/airflow_version.h"
#include "sim/dag_spec.h"
#include "sim/engine.h"
#include "sim/row_writer.h"

namespace slayer::sim {

struct SimulatorOptions {
  AirflowVersion version = AirflowVersion::kV2;
  uint64_t seed = 1;
  // Create the schema first (`--init`); with `reset` also drop existing Airflow tables.
  bool init_schema = false;
  bool reset = false;
  // serialized_dag.data_compressed (zlib) instead of data ([core] compress_serialized_dags).
  bool compress_serialized = false;
  // 2.x: one LocalTaskJob row per task try (task_instance.job_id).
  bool local_task_jobs = false;
  int workers = 4;  // worker hostnames task instances run on
  // Bulk history: this many DAGs have a run created in the last `stall_window` of the history
  // hang (tasks stay running), so readers find active work "now".
  int active_runs = 0;
  Duration stall_window = std::chrono::hours(24);
  // Job heartbeat period (Airflow's scheduler_heartbeat_sec / job_heartbeat_sec).
  Duration heartbeat = std::chrono::seconds(5);
};

class Simulator {
 public:
  // Validates the DAGs against the version (time zones, crons). Errors: kInvalidArgument.
  static Result<std::unique_ptr<Simulator>> Create(db::Connection& conn, DagFile dags,
                                                   SimulatorOptions options);

  // Prepares the database at simulated time `start`: creates the schema if asked (else checks
  // that the database holds the requested Airflow version), writes the DAG rows as the
  // dag-processor would, and starts the scheduler/triggerer/dag-processor jobs. DAGs already in
  // the database resume: their scheduling continues after their last scheduled run, and runs a
  // previous simulator left unfinished are marked failed.
  Status Init(Timestamp start);

  // Live: advances simulated time to `t` (>= now()) and writes every change in one transaction.
  Status AdvanceTo(Timestamp t);

  // Bulk history: simulates from now() to `end` writing each run once, in its final state, with
  // InsertRows (COPY on PostgreSQL); what is still active at `end` is written as it stands, so
  // AdvanceTo can continue live. `progress` (optional) gets the fraction done.
  Status RunHistory(Timestamp end, const std::function<void(double)>& progress = {});

  // Simulates a scheduler outage (false) and its recovery (true) at now(); see
  // Engine::SetSchedulerRunning.
  void SetSchedulerRunning(bool running) { engine_->SetSchedulerRunning(running); }

  // Writes what is pending and moves PostgreSQL id sequences past the written ids.
  Status Finish();

  Timestamp now() const { return engine_->now(); }
  const Engine::Stats& stats() const { return engine_->stats(); }
  const RowWriter::Counts& counts() const { return writer_.counts(); }
  Engine& engine() { return *engine_; }
  // Wall-clock seconds spent simulating and writing (for benchmarks).
  double simulate_seconds() const { return simulate_seconds_; }
  double write_seconds() const { return write_seconds_; }

 private:
  Simulator(db::Connection& conn, DagFile dags, SimulatorOptions options);
  Status CheckSchemaVersion();
  Status History(Timestamp end, const std::function<void(double)>& progress);
  Status Resume(std::vector<DagState>& dags, std::vector<bool>& exists, Engine::Ids& ids,
                Timestamp start);

  db::Connection& conn_;
  DagFile file_;
  SimulatorOptions options_;
  RowWriter writer_;
  std::unique_ptr<Engine> engine_;
  double simulate_seconds_ = 0;
  double write_seconds_ = 0;
};

}  // namespace slayer::sim

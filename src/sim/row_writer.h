// RowWriter: turns the simulator's rows into SQL for one Airflow schema family and backend:
// column names of 2.x vs 3.x, UUID spellings per backend, booleans, pickled/JSON conf. New rows
// go in with Connection::InsertRows (COPY on PostgreSQL), changed rows with UPDATE, each flush
// in one transaction. Not thread-safe; `conn` must outlive the writer.
#pragma once

#include <string>
#include <vector>

#include "common/result.h"
#include "db/connection.h"
#include "sim/airflow_version.h"
#include "sim/engine.h"

namespace slayer::sim {

class RowWriter {
 public:
  RowWriter(db::Connection& conn, AirflowVersion version, bool compress_serialized);

  // Writes what the DAG processor writes for each DAG not in the database yet (`exists[i]`
  // false): dag, dag_tag, serialized_dag; on 3.x dag_bundle and dag_version too. Also the pools
  // (default_pool resized when the file says so). `now` is the parse time.
  Status WriteDags(const std::vector<DagState>& dags, const std::vector<bool>& exists,
                   const std::map<std::string, int>& pools, Timestamp now);

  // Writes the engine's dirty rows in one transaction and marks them clean. With
  // `settled_only`, only rows Airflow will not change any more are written (finished runs and
  // their task instances, settled deadlines, sla_miss rows, ended jobs): bulk history keeps
  // the rest in memory, so each row is inserted once, in its final state.
  Status Flush(Engine& engine, bool settled_only);

  // Rows written so far, for logs and tests.
  struct Counts {
    int64_t dag_runs = 0;
    int64_t task_instances = 0;
    int64_t updates = 0;
  };
  const Counts& counts() const { return counts_; }

 private:
  std::string UuidText(const Uuid& u) const;
  Status Begin();
  Status Commit();
  Status FlushJobs(Engine& engine, bool settled_only, std::vector<SimJob*>& done);
  Status FlushRuns(Engine& engine, bool settled_only, std::vector<SimDagRun*>& done);
  Status FlushDeadlines(Engine& engine, bool settled_only);
  Status FlushDags(Engine& engine);
  std::vector<db::Param> RunRow(const Engine& engine, const SimDagRun& run) const;
  std::vector<db::Param> TiRow(const Engine& engine, const SimDagRun& run,
                               const SimTaskInstance& ti) const;

  db::Connection& conn_;
  AirflowVersion version_;
  bool v3_;
  bool compress_serialized_;
  std::vector<std::string> run_columns_;
  std::vector<std::string> ti_columns_;
  std::string conf_blob_;  // 2.x: pickle of {}
  Counts counts_;
};

}  // namespace slayer::sim

// SqlAirflowSource: AirflowSource over one db::Connection to an Airflow metadata database
// (PostgreSQL, MySQL/MariaDB or SQLite), with the SQL of queries.h. IN-lists are batched at
// queries::kMaxKeysPerStatement keys per statement. Not thread-safe (one connection).
#pragma once

#include <memory>

#include "airflow/schema.h"
#include "airflow/source.h"
#include "common/result.h"
#include "db/connection.h"

namespace slayer::airflow {

class SqlAirflowSource final : public AirflowSource {
 public:
  // Takes ownership of `connection`, detects its schema (DetectSchema) and returns a source, or
  // DetectSchema's error.
  static Result<std::unique_ptr<SqlAirflowSource>> Open(std::unique_ptr<db::Connection> connection);

  // For a schema detected before. REQUIRES: `schema` was detected on this database.
  SqlAirflowSource(std::unique_ptr<db::Connection> connection, SchemaInfo schema);

  SqlAirflowSource(const SqlAirflowSource&) = delete;
  SqlAirflowSource& operator=(const SqlAirflowSource&) = delete;

  // The owned connection, e.g. to check liveness; valid while this source lives.
  db::Connection& connection() { return *connection_; }

  // AirflowSource
  const SchemaInfo& schema() const override { return schema_; }
  Result<std::vector<Dag>> Dags() override;
  Result<std::vector<SerializedDag>> SerializedDags(std::span<const std::string> dag_ids) override;
  Result<std::vector<DagRun>> ActiveDagRuns() override;
  Result<std::vector<DagRun>> DagRunsById(std::span<const int64_t> ids) override;
  Result<std::vector<DagRun>> DagRunsByKey(std::span<const DagRunKey> keys) override;
  using AirflowSource::DagRunsInWindow;
  Result<std::vector<DagRun>> DagRunsInWindow(std::span<const std::string> dag_ids, Timestamp from,
                                              Timestamp to) override;
  Result<std::vector<DagRunKey>> DagRunKeysInWindow(std::span<const std::string> dag_ids,
                                                    Timestamp from, Timestamp to,
                                                    size_t limit) override;
  Result<std::vector<DagRun>> LatestSuccessfulDagRuns(
      std::span<const std::string> dag_ids) override;
  Result<std::vector<TaskInstance>> TaskInstancesOfRuns(std::span<const DagRunKey> runs) override;
  Result<std::vector<TaskInstance>> UnfinishedTaskInstances(
      std::span<const std::string> dag_ids) override;
  Result<std::vector<TaskInstanceTiming>> FinishedTaskInstanceTimings(
      std::span<const DagRunKey> runs) override;
  Result<std::vector<TaskInstanceCount>> UnfinishedTaskInstanceCounts() override;
  Result<std::vector<SlaMiss>> SlaMisses(std::span<const std::string> dag_ids,
                                         Timestamp since) override;
  Result<std::vector<SlaMiss>> OpenSlaMisses(std::span<const std::string> dag_ids) override;
  Result<std::vector<Deadline>> PendingDeadlines(Timestamp from, Timestamp to) override;
  Result<std::vector<Deadline>> DeadlinesOfRuns(std::span<const int64_t> dagrun_ids) override;
  Result<std::vector<Deadline>> DeadlinesById(std::span<const std::string> ids) override;
  Result<std::vector<Job>> RunningJobs() override;
  Result<std::vector<Job>> RecentJobs(Timestamp since) override;
  Result<std::vector<Pool>> Pools() override;

 private:
  std::unique_ptr<db::Connection> connection_;
  SchemaInfo schema_;
};

}  // namespace slayer::airflow

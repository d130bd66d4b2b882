// FakeAirflowSource: an AirflowSource over in-memory rows, with a switch that makes every call
// fail as an unreachable database does, and call counters to check what a poll reads.
// Not thread-safe, like the real one.
#pragma once

#include <algorithm>
#include <map>
#include <memory>

#include "airflow/source.h"

namespace slayer::testing {

// The rows a fake serves; shared with the test so it can change them between polls.
struct FakeAirflowData {
  airflow::SchemaInfo schema;
  std::vector<airflow::Dag> dags;
  std::vector<airflow::DagRun> runs;
  std::vector<airflow::SlaMiss> open_sla_misses;
  std::vector<airflow::SerializedDag> serialized;
  std::vector<airflow::Job> jobs;  // RunningJobs / RecentJobs filter these as the SQL does
  std::vector<airflow::TaskInstanceCount> task_instance_counts;
  std::vector<airflow::Pool> pools;
  // TaskInstancesOfRuns serves these, filtered by run; FinishedTaskInstanceTimings the
  // finished ones among them.
  std::vector<airflow::TaskInstance> task_instances;
  // When set, every call fails with this status (e.g. kUnavailable).
  Status fail_with = Status::Ok();
  std::map<std::string, int> calls;  // method name -> count
};

class FakeAirflowSource final : public airflow::AirflowSource {
 public:
  explicit FakeAirflowSource(std::shared_ptr<FakeAirflowData> data) : data_(std::move(data)) {}

  const airflow::SchemaInfo& schema() const override { return data_->schema; }

  Result<std::vector<airflow::Dag>> Dags() override {
    SLAYER_RETURN_IF_ERROR(Call("Dags"));
    return data_->dags;
  }
  Result<std::vector<airflow::SerializedDag>> SerializedDags(
      std::span<const std::string> ids) override {
    SLAYER_RETURN_IF_ERROR(Call("SerializedDags"));
    std::vector<airflow::SerializedDag> out;
    for (const auto& d : data_->serialized) {
      for (const auto& id : ids) {
        if (d.dag_id == id) out.push_back(d);
      }
    }
    return out;
  }
  Result<std::vector<airflow::DagRun>> ActiveDagRuns() override {
    SLAYER_RETURN_IF_ERROR(Call("ActiveDagRuns"));
    std::vector<airflow::DagRun> out;
    for (const auto& r : data_->runs) {
      if (r.state == airflow::DagRunState::kQueued || r.state == airflow::DagRunState::kRunning) {
        out.push_back(r);
      }
    }
    return out;
  }
  Result<std::vector<airflow::SlaMiss>> OpenSlaMisses(std::span<const std::string> ids) override {
    SLAYER_RETURN_IF_ERROR(Call("OpenSlaMisses"));
    std::vector<airflow::SlaMiss> out;
    for (const auto& m : data_->open_sla_misses) {
      for (const auto& id : ids) {
        if (m.dag_id == id) out.push_back(m);
      }
    }
    return out;
  }

  // Not used by the pollers under test: an empty answer, counted.
  Result<std::vector<airflow::DagRun>> DagRunsById(std::span<const int64_t>) override {
    return Empty<airflow::DagRun>("DagRunsById");
  }
  // The runs among `runs` with these keys.
  Result<std::vector<airflow::DagRun>> DagRunsByKey(
      std::span<const airflow::DagRunKey> keys) override {
    SLAYER_RETURN_IF_ERROR(Call("DagRunsByKey"));
    std::vector<airflow::DagRun> out;
    for (const auto& r : data_->runs) {
      if (std::find(keys.begin(), keys.end(), r.key()) != keys.end()) out.push_back(r);
    }
    return out;
  }
  using AirflowSource::DagRunsInWindow;
  Result<std::vector<airflow::DagRun>> DagRunsInWindow(std::span<const std::string>, Timestamp,
                                                       Timestamp) override {
    return Empty<airflow::DagRun>("DagRunsInWindow");
  }
  // The runs among `runs` of those DAGs with a logical date in [from, to), at most `limit`.
  Result<std::vector<airflow::DagRunKey>> DagRunKeysInWindow(std::span<const std::string> ids,
                                                             Timestamp from, Timestamp to,
                                                             size_t limit) override {
    SLAYER_RETURN_IF_ERROR(Call("DagRunKeysInWindow"));
    std::vector<airflow::DagRunKey> out;
    for (const auto& r : data_->runs) {
      if (out.size() >= limit) break;
      if (std::find(ids.begin(), ids.end(), r.dag_id) == ids.end()) continue;
      if (r.logical_date && *r.logical_date >= from && *r.logical_date < to) out.push_back(r.key());
    }
    return out;
  }
  // The latest (by run_after) success of each DAG among `runs`.
  Result<std::vector<airflow::DagRun>> LatestSuccessfulDagRuns(
      std::span<const std::string> ids) override {
    SLAYER_RETURN_IF_ERROR(Call("LatestSuccessfulDagRuns"));
    std::map<std::string, airflow::DagRun> latest;
    for (const auto& r : data_->runs) {
      if (r.state != airflow::DagRunState::kSuccess) continue;
      if (std::find(ids.begin(), ids.end(), r.dag_id) == ids.end()) continue;
      auto it = latest.find(r.dag_id);
      if (it == latest.end() || it->second.run_after < r.run_after) latest[r.dag_id] = r;
    }
    std::vector<airflow::DagRun> out;
    for (auto& [id, run] : latest) out.push_back(std::move(run));
    return out;
  }
  Result<std::vector<airflow::TaskInstance>> TaskInstancesOfRuns(
      std::span<const airflow::DagRunKey> runs) override {
    SLAYER_RETURN_IF_ERROR(Call("TaskInstancesOfRuns"));
    std::vector<airflow::TaskInstance> out;
    for (const auto& ti : data_->task_instances) {
      if (std::find(runs.begin(), runs.end(), ti.run_key()) != runs.end()) out.push_back(ti);
    }
    return out;
  }
  Result<std::vector<airflow::TaskInstanceTiming>> FinishedTaskInstanceTimings(
      std::span<const airflow::DagRunKey> runs) override {
    SLAYER_RETURN_IF_ERROR(Call("FinishedTaskInstanceTimings"));
    std::vector<airflow::TaskInstanceTiming> out;
    for (const auto& ti : data_->task_instances) {
      using airflow::TaskInstanceState;
      if (ti.state != TaskInstanceState::kSuccess && ti.state != TaskInstanceState::kFailed &&
          ti.state != TaskInstanceState::kSkipped &&
          ti.state != TaskInstanceState::kUpstreamFailed) {
        continue;
      }
      if (std::find(runs.begin(), runs.end(), ti.run_key()) == runs.end()) continue;
      out.push_back({ti.dag_id, ti.task_id, ti.run_id, ti.map_index, ti.state, ti.try_number,
                     ti.queued_dttm, ti.start_date, ti.end_date});
    }
    return out;
  }
  Result<std::vector<airflow::TaskInstance>> UnfinishedTaskInstances(
      std::span<const std::string>) override {
    return Empty<airflow::TaskInstance>("UnfinishedTaskInstances");
  }
  Result<std::vector<airflow::TaskInstanceCount>> UnfinishedTaskInstanceCounts() override {
    SLAYER_RETURN_IF_ERROR(Call("UnfinishedTaskInstanceCounts"));
    return data_->task_instance_counts;
  }
  Result<std::vector<airflow::SlaMiss>> SlaMisses(std::span<const std::string>,
                                                  Timestamp) override {
    return Empty<airflow::SlaMiss>("SlaMisses");
  }
  Result<std::vector<airflow::Deadline>> PendingDeadlines(Timestamp, Timestamp) override {
    return Empty<airflow::Deadline>("PendingDeadlines");
  }
  Result<std::vector<airflow::Deadline>> DeadlinesOfRuns(std::span<const int64_t>) override {
    return Empty<airflow::Deadline>("DeadlinesOfRuns");
  }
  Result<std::vector<airflow::Deadline>> DeadlinesById(std::span<const std::string>) override {
    return Empty<airflow::Deadline>("DeadlinesById");
  }
  // Health (app/health_reader.h).
  Result<std::vector<airflow::Job>> RunningJobs() override {
    SLAYER_RETURN_IF_ERROR(Call("RunningJobs"));
    std::vector<airflow::Job> out;
    for (const auto& j : data_->jobs) {
      if (j.state == "running") out.push_back(j);
    }
    return out;
  }
  Result<std::vector<airflow::Job>> RecentJobs(Timestamp since) override {
    SLAYER_RETURN_IF_ERROR(Call("RecentJobs"));
    std::vector<airflow::Job> out;
    for (const auto& j : data_->jobs) {
      const bool monitored = j.job_type == "SchedulerJob" || j.job_type == "TriggererJob" ||
                             j.job_type == "DagProcessorJob";
      if (monitored && j.latest_heartbeat && *j.latest_heartbeat >= since) out.push_back(j);
    }
    return out;
  }
  Result<std::vector<airflow::Pool>> Pools() override {
    SLAYER_RETURN_IF_ERROR(Call("Pools"));
    return data_->pools;
  }

 private:
  Status Call(const std::string& name) {
    ++data_->calls[name];
    return data_->fail_with;
  }
  template <typename T>
  Result<std::vector<T>> Empty(const std::string& name) {
    SLAYER_RETURN_IF_ERROR(Call(name));
    return std::vector<T>{};
  }

  std::shared_ptr<FakeAirflowData> data_;
};

}  // namespace slayer::testing

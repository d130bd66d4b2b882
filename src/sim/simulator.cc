#include "sim/simulator.h"

#include <chrono>
#include <set>

#include "sim/digest.h"
#include "sim/schema_installer.h"
#include "sim/serialized_dag.h"
#include "sim/uuid.h"

namespace slayer::sim {
namespace {

// The alembic heads `airflow db migrate` stamps (README section 1 of the schema facts).
bool RevisionMatches(AirflowVersion v, const std::string& rev) {
  switch (v) {
    case AirflowVersion::kV2:
      return rev == "5f2621c13b39";
    case AirflowVersion::kV3_0:
      return rev == "29ce7909c52b" || rev == "fe199e1abd77";
    case AirflowVersion::kV3_1:
      return rev == "cc92b33c6709" || rev == "509b94a1042d";
  }
  return false;
}

// Default start_date: the day before the simulation starts (UTC midnight), so catchup has
// nothing to catch up and the first interval ends no later than `start`.
Timestamp DefaultStartDate(Timestamp start) {
  return std::chrono::floor<std::chrono::days>(start) - std::chrono::days(1);
}

Result<int64_t> MaxId(db::Connection& conn, const std::string& table) {
  auto rs = conn.Query("SELECT COALESCE(MAX(id), 0) FROM " + table);
  if (!rs) return rs.error();
  return rs->row(0).Require<int64_t>(0);
}

}  // namespace

Simulator::Simulator(db::Connection& conn, DagFile dags, SimulatorOptions options)
    : conn_(conn),
      file_(std::move(dags)),
      options_(options),
      writer_(conn, options.version, options.compress_serialized) {}

Result<std::unique_ptr<Simulator>> Simulator::Create(db::Connection& conn, DagFile dags,
                                                     SimulatorOptions options) {
  if (dags.dags.empty()) return InvalidArgumentError("no DAGs to simulate");
  auto file_name = SchemaFileName(options.version, conn.backend());
  if (!file_name) return file_name.error();
  std::vector<DagState> states;
  states.reserve(dags.dags.size());
  for (const DagSpec& spec : dags.dags) {
    auto tt = Timetable::Make(spec, options.version);
    if (!tt) return tt.error().WithContext("dag " + spec.dag_id);
    DagState st;
    st.spec = spec;
    st.timetable = std::move(*tt);
    st.catchup = spec.catchup.value_or(false);
    states.push_back(std::move(st));
  }
  if (!dags.pools.count("default_pool")) dags.pools["default_pool"] = 128;
  std::map<std::string, int> pools = dags.pools;
  std::unique_ptr<Simulator> sim(new Simulator(conn, std::move(dags), options));
  EngineOptions eo;
  eo.version = options.version;
  eo.seed = options.seed;
  eo.workers = std::max(1, options.workers);
  eo.local_task_jobs = options.local_task_jobs;
  eo.heartbeat = options.heartbeat;
  eo.stall_runs = options.active_runs;
  sim->engine_ = std::make_unique<Engine>(eo, std::move(states), std::move(pools));
  return sim;
}

Status Simulator::CheckSchemaVersion() {
  auto rs = conn_.Query("SELECT version_num FROM alembic_version");
  if (!rs) {
    return FailedPreconditionError("the database holds no Airflow schema (" + rs.error().message() +
                                   "); run with --init to create one");
  }
  std::string rev;
  if (rs->num_rows() > 0) {
    auto v = rs->row(0).Get<std::string>(0);
    if (v && v->has_value()) rev = **v;
  }
  if (!RevisionMatches(options_.version, rev)) {
    return FailedPreconditionError(
        "the database holds Airflow schema revision '" + rev + "', not the one of Airflow " +
        std::string(AirflowVersionName(options_.version)) + "; use --reset to recreate it");
  }
  return Status::Ok();
}

Status Simulator::Resume(std::vector<DagState>& dags, std::vector<bool>& exists, Engine::Ids& ids,
                         Timestamp start) {
  auto rs = conn_.Query("SELECT dag_id FROM dag");
  if (!rs) return rs.error().WithContext("read dag");
  std::set<std::string> present;
  for (size_t i = 0; i < rs->num_rows(); ++i) {
    auto v = rs->row(i).Require<std::string>(0);
    if (v) present.insert(*v);
  }
  const bool v3 = IsAirflow3(options_.version);
  const std::string logical = v3 ? "logical_date" : "execution_date";
  for (size_t i = 0; i < dags.size(); ++i) {
    DagState& d = dags[i];
    exists[i] = present.count(d.spec.dag_id) > 0;
    if (!exists[i]) continue;
    const std::string& id = d.spec.dag_id;
    auto last = conn_.Query(
        "SELECT data_interval_start, data_interval_end FROM dag_run WHERE dag_id = ? AND "
        "run_type = 'scheduled' AND data_interval_end IS NOT NULL ORDER BY id DESC LIMIT 1",
        {id});
    if (!last) return last.error().WithContext("read dag_run");
    if (last->num_rows() > 0) {
      auto s = last->row(0).Require<Timestamp>(0);
      auto e = last->row(0).Require<Timestamp>(1);
      if (s && e) d.last_interval = DataInterval{*s, *e};
    }
    // Runs a previous simulator left open would never finish: fail them, as Airflow fails the
    // work of a scheduler that died.
    Status st = conn_
                    .Execute(
                        "UPDATE task_instance SET state = 'failed', end_date = ?, updated_at = ? "
                        "WHERE dag_id = ? AND (state IS NULL OR state IN ('scheduled', 'queued', "
                        "'running', 'up_for_retry'))",
                        {start, start, id})
                    .status();
    if (!st.ok()) return st.WithContext("fail open task instances");
    st = conn_
             .Execute(
                 "UPDATE dag_run SET state = 'failed', end_date = ?, updated_at = ? WHERE "
                 "dag_id = ? AND state IN ('queued', 'running')",
                 {start, start, id})
             .status();
    if (!st.ok()) return st.WithContext("fail open dag runs");
    if (v3) {
      auto ver = conn_.Query(
          "SELECT id FROM dag_version WHERE dag_id = ? ORDER BY version_number DESC LIMIT 1", {id});
      if (!ver) return ver.error().WithContext("read dag_version");
      if (ver->num_rows() > 0) {
        auto text = ver->row(0).Require<std::string>(0);
        if (text) {
          if (auto u = ParseUuid(*text)) d.version_id = *u;
        }
      }
    } else if (d.has_sla) {
      for (size_t t = 0; t < d.spec.tasks.size(); ++t) {
        if (!d.spec.tasks[t].sla) continue;
        auto anchor = conn_.Query(
            "SELECT dr.execution_date, dr.data_interval_start, dr.data_interval_end "
            "FROM task_instance ti JOIN dag_run dr ON dr.dag_id = ti.dag_id AND "
            "dr.run_id = ti.run_id WHERE ti.dag_id = ? AND ti.task_id = ? AND ti.state IN "
            "('success', 'skipped') ORDER BY dr.execution_date DESC LIMIT 1",
            {id, d.spec.tasks[t].task_id});
        if (!anchor) return anchor.error().WithContext("read sla anchor");
        if (anchor->num_rows() == 0) continue;
        auto l = anchor->row(0).Require<Timestamp>(0);
        auto s = anchor->row(0).Require<Timestamp>(1);
        auto e = anchor->row(0).Require<Timestamp>(2);
        if (l && s && e) {
          d.sla[t].anchor_logical = *l;
          d.sla[t].anchor_interval = DataInterval{*s, *e};
        }
      }
      auto recorded =
          conn_.Query("SELECT task_id, execution_date FROM sla_miss WHERE dag_id = ?", {id});
      if (!recorded) return recorded.error().WithContext("read sla_miss");
      for (size_t r = 0; r < recorded->num_rows(); ++r) {
        auto task = recorded->row(r).Require<std::string>(0);
        auto when = recorded->row(r).Require<Timestamp>(1);
        if (!task || !when) continue;
        for (size_t t = 0; t < d.spec.tasks.size(); ++t) {
          if (d.spec.tasks[t].task_id == *task) {
            d.sla_recorded.insert({static_cast<int>(t), *when});
          }
        }
      }
    }
  }
  // The jobs of a previous simulator are dead.
  Status st = conn_
                  .Execute(
                      "UPDATE job SET state = 'failed' WHERE state = 'running' AND job_type IN "
                      "('SchedulerJob', 'TriggererJob', 'DagProcessorJob', 'LocalTaskJob')")
                  .status();
  if (!st.ok()) return st.WithContext("fail old jobs");
  auto run_id = MaxId(conn_, "dag_run");
  if (!run_id) return run_id.error();
  auto job_id = MaxId(conn_, "job");
  if (!job_id) return job_id.error();
  auto trigger_id =
      MaxId(conn_, conn_.backend() == db::Backend::kMysql ? "`trigger`" : "\"trigger\"");
  if (!trigger_id) return trigger_id.error();
  ids = Engine::Ids{*run_id + 1, *job_id + 1, *trigger_id + 1};
  return Status::Ok();
}

Status Simulator::Init(Timestamp start) {
  if (options_.init_schema || options_.reset) {
    SLAYER_RETURN_IF_ERROR(InstallSchema(conn_, options_.version, options_.reset, start));
  } else {
    SLAYER_RETURN_IF_ERROR(CheckSchemaVersion());
  }
  std::vector<DagState>& dags = engine_->dags();
  for (DagState& d : dags) {
    d.start_date = d.spec.start_date.value_or(DefaultStartDate(start));
    Rng rng(Hash64(Hash64(options_.seed, "dag_version"), d.spec.dag_id));
    d.version_id = MakeUuid7(start, rng);
    d.dag_hash = Md5Hex(SerializeDag(d.spec, d.timetable, options_.version, d.start_date));
  }
  std::vector<bool> exists(dags.size(), false);
  Engine::Ids ids;
  SLAYER_RETURN_IF_ERROR(Resume(dags, exists, ids, start));
  Status st = writer_.WriteDags(dags, exists, file_.pools, start);
  if (!st.ok()) return st;
  engine_->Start(start, ids);
  engine_->UpdateHeartbeats();
  SLAYER_RETURN_IF_ERROR(writer_.Flush(*engine_, false));
  return SyncIdSequences(conn_);
}

Status Simulator::AdvanceTo(Timestamp t) {
  if (t < engine_->now()) {
    return InvalidArgumentError("cannot move simulated time backwards to " + FormatRfc3339(t));
  }
  engine_->RunUntil(t);
  engine_->UpdateHeartbeats();
  SLAYER_RETURN_IF_ERROR(writer_.Flush(*engine_, false));
  engine_->ReleaseSettled();
  return Status::Ok();
}

Status Simulator::RunHistory(Timestamp end, const std::function<void(double)>& progress) {
  const Timestamp begin = engine_->now();
  if (end < begin) return InvalidArgumentError("history ends before it starts");
  if (options_.active_runs > 0) engine_->SetStallAfter(end - options_.stall_window);
  SLAYER_RETURN_IF_ERROR(History(end, progress));
  return SyncIdSequences(conn_);
}

Status Simulator::History(Timestamp end, const std::function<void(double)>& progress) {
  const Timestamp begin = engine_->now();
  // Chunks of simulated time: each writes the runs that finished in it, then forgets them.
  const Duration chunk = std::chrono::hours(1);
  for (Timestamp t = begin; t < end;) {
    t = std::min(end, t + chunk);
    auto c0 = std::chrono::steady_clock::now();
    engine_->RunUntil(t);
    auto c1 = std::chrono::steady_clock::now();
    SLAYER_RETURN_IF_ERROR(writer_.Flush(*engine_, true));
    engine_->ReleaseSettled();
    auto c2 = std::chrono::steady_clock::now();
    simulate_seconds_ += std::chrono::duration<double>(c1 - c0).count();
    write_seconds_ += std::chrono::duration<double>(c2 - c1).count();
    if (progress) {
      progress(std::chrono::duration<double>(t - begin).count() /
               std::max(1e-9, std::chrono::duration<double>(end - begin).count()));
    }
  }
  engine_->RunUntil(end);
  engine_->UpdateHeartbeats();
  SLAYER_RETURN_IF_ERROR(writer_.Flush(*engine_, false));
  engine_->ReleaseSettled();
  return Status::Ok();
}

Status Simulator::Finish() {
  engine_->UpdateHeartbeats();
  SLAYER_RETURN_IF_ERROR(writer_.Flush(*engine_, false));
  engine_->ReleaseSettled();
  return SyncIdSequences(conn_);
}

}  // namespace slayer::sim

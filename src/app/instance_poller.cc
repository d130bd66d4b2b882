#include "app/instance_poller.h"

#include <algorithm>
#include <unordered_set>

#include "airflow/sql_source.h"
#include "common/log.h"
#include "db/connect.h"

namespace slayer::app {
namespace {

// Errors after which the connection cannot be trusted: drop it and reconnect.
bool IsConnectionLevel(const Status& status) {
  return status.code() == StatusCode::kUnavailable ||
         status.code() == StatusCode::kDeadlineExceeded ||
         status.code() == StatusCode::kPermissionDenied;
}

double Seconds(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

}  // namespace

SourceFactory SqlSourceFactory() {
  return [](const config::AirflowInstance& instance)
             -> Result<std::unique_ptr<airflow::AirflowSource>> {
    db::ConnectOptions options;
    options.read_only = true;
    options.connect_timeout =
        std::chrono::duration_cast<std::chrono::milliseconds>(instance.connect_timeout);
    options.statement_timeout =
        std::chrono::duration_cast<std::chrono::milliseconds>(instance.statement_timeout);
    auto connection = db::Connect(instance.database, options);
    if (!connection) return connection.error();
    auto source = airflow::SqlAirflowSource::Open(std::move(*connection));
    if (!source) return source.error();
    return std::unique_ptr<airflow::AirflowSource>(std::move(*source));
  };
}

namespace {

engine::EngineOptions EngineOptionsFor(const config::AirflowInstance& instance,
                                       const PollerOptions& options) {
  engine::EngineOptions out;
  out.instance = instance.name;
  out.horizon = instance.horizon;
  out.airflow_native = instance.airflow_native;
  out.full_refresh = options.sla_full_refresh;
  out.dag_refresh = options.dag_refresh;
  out.retention = options.retention;
  return out;
}

}  // namespace

InstancePoller::InstancePoller(config::AirflowInstance instance, const Clock& clock,
                               SourceFactory factory, PollerOptions options,
                               std::shared_ptr<const rules::RuleSet> rules, store::Store* store)
    : instance_(std::move(instance)),
      clock_(clock),
      factory_(std::move(factory)),
      options_(options),
      store_(store),
      rules_(rules ? std::move(rules) : std::make_shared<const rules::RuleSet>()),
      engine_(EngineOptionsFor(instance_, options_), rules_, store) {
  state_.name = instance_.name;
}

InstanceState InstancePoller::state() const {
  std::lock_guard lock(mu_);
  return state_;
}

Duration InstancePoller::health_max_gap() const {
  return std::max<Duration>(3 * instance_.poll_interval, std::chrono::seconds(30));
}

Status InstancePoller::PollOnce() {
  const auto start = clock_.Monotonic();
  Status status = Status::Ok();
  health_sample_.reset();
  if (!source_) status = Connect(start);
  if (status.ok()) status = Read();
  RecordHealth();
  const double elapsed = Seconds(clock_.Monotonic() - start);
  {
    std::lock_guard lock(mu_);
    state_.last_poll_seconds = elapsed;
  }
  if (status.ok()) {
    std::lock_guard lock(mu_);
    state_.db_up = true;
    state_.last_success = clock_.Now();
    state_.last_error.clear();
  }
  if (status.ok()) PublishEngine();
  return status;
}

Status InstancePoller::CheckDue() {
  if (!source_) return Status::Ok();
  const Timestamp now = clock_.Now();
  Status st = engine_.CheckDue(*source_, now);
  due_checked_until_ = now;
  if (!st.ok()) {
    Status s = st.WithContext("check due deadlines");
    Fail(s, IsConnectionLevel(st));
    return s;
  }
  PublishEngine();
  return Status::Ok();
}

std::optional<Timestamp> InstancePoller::NextWakeup() const {
  return engine_.NextNeedByAfter(due_checked_until_);
}

void InstancePoller::PublishEngine() {
  engine::EngineSnapshot snapshot = engine_.Snapshot();
  std::lock_guard lock(mu_);
  state_.items = std::move(snapshot.open);
  state_.counters = std::move(snapshot.counters);
  state_.violations = BuildViolations();
}

Status InstancePoller::Connect(std::chrono::steady_clock::time_point now) {
  if (now < next_connect_) {
    // A failed poll too (no data), but the last error stays the connect failure's.
    std::lock_guard lock(mu_);
    ++state_.poll_errors_total;
    return UnavailableError("waiting to reconnect to " + instance_.database.ToString());
  }
  auto source = factory_(instance_);
  if (!source) {
    backoff_ = backoff_ == Duration::zero() ? options_.reconnect_initial
                                            : std::min(backoff_ * 2, options_.reconnect_max);
    next_connect_ = now + backoff_;
    Fail(source.error(), /*connection_lost=*/true);
    LogWarn("cannot connect to airflow database",
            {{"instance", instance_.name},
             {"err", source.error().message()},
             {"retry_in_seconds", backoff_}});
    return source.error();
  }
  source_ = std::move(*source);
  backoff_ = Duration::zero();
  dags_read_at_.reset();
  sla_full_read_at_.reset();
  const airflow::SchemaInfo& schema = source_->schema();
  engine_.SetAirflowMajor(schema.major);
  {
    std::lock_guard lock(mu_);
    state_.schema = schema;
  }
  LogInfo("connected to airflow database",
          {{"instance", instance_.name},
           {"database", instance_.database.ToString()},
           {"airflow_version", schema.airflow_version},
           {"alembic_revision", schema.alembic_revision}});
  return Status::Ok();
}

Status InstancePoller::Read() {
  const auto now = clock_.Monotonic();
  auto fail = [&](const Status& st, std::string_view what) {
    Status s = st.WithContext(std::string(what));
    Fail(s, IsConnectionLevel(st));
    return s;
  };
  const bool read_sla = instance_.airflow_native && source_->schema().sla_miss_table;

  if (!dags_read_at_ || now - *dags_read_at_ >= options_.dag_refresh) {
    auto dags = source_->Dags();
    if (!dags) return fail(dags.error(), "read dags");
    dags_ = std::move(*dags);
    dag_ids_.clear();
    for (const auto& dag : dags_) dag_ids_.push_back(dag.dag_id);
    dags_read_at_ = now;
    // One read of the DAG list for the health metrics, Airflow's SLA view and the engine.
    if (Status st = engine_.SetDags(dags_, clock_.Now()); !st.ok()) return fail(st, "store");
  }

  auto active = source_->ActiveDagRuns();
  if (!active) return fail(active.error(), "read active dag runs");
  // The task instances of the active runs, read once for the health metrics (queue times) and
  // the engine (task-level rules). Only the active runs': task_instance has no index on
  // start_date, so "the tasks that started since the last poll" is not a bounded read; the
  // active runs' are (index on (dag_id, run_id)). A try that queues and starts in a run that
  // also finishes between two polls is missed (docs/health.md).
  std::vector<airflow::DagRunKey> active_keys;
  active_keys.reserve(active->size());
  for (const airflow::DagRun& run : *active) active_keys.push_back(run.key());
  auto active_tis = source_->TaskInstancesOfRuns(active_keys);
  if (!active_tis) return fail(active_tis.error(), "read airflow health: read task instances");
  HealthState health;
  Status health_status = health_reader_.Read(*source_, *active, *active_tis, dags_, *rules_,
                                             clock_.Now(), instance_.health, &health);
  if (!health_status.ok()) return fail(health_status, "read airflow health");
  health_sample_ = health.airflow_up;
  health_sampled_at_ = clock_.Now();
  {
    std::lock_guard lock(mu_);
    state_.health = std::move(health);
  }
  std::set<std::string> active_dags;
  for (const auto& run : *active) active_dags.insert(run.dag_id);

  if (read_sla) {
    if (!sla_full_read_at_ || now - *sla_full_read_at_ >= options_.sla_full_refresh) {
      auto misses = source_->OpenSlaMisses(dag_ids_);
      if (!misses) return fail(misses.error(), "read sla_miss");
      open_sla_misses_ = std::move(*misses);
      sla_full_read_at_ = now;
    } else {
      // Re-read the DAGs with work in flight now or at the previous poll (a run that just
      // finished clears its misses at once); the rest keep the last full read.
      std::set<std::string> refresh = active_dags;
      refresh.insert(previously_active_.begin(), previously_active_.end());
      if (!refresh.empty()) {
        std::vector<std::string> ids(refresh.begin(), refresh.end());
        auto misses = source_->OpenSlaMisses(ids);
        if (!misses) return fail(misses.error(), "read sla_miss");
        std::erase_if(open_sla_misses_,
                      [&](const airflow::SlaMiss& m) { return refresh.count(m.dag_id) > 0; });
        open_sla_misses_.insert(open_sla_misses_.end(), misses->begin(), misses->end());
      }
    }
    Status slas = ReadTaskSlas();
    if (!slas.ok()) return fail(slas, "read serialized dags");
  } else {
    open_sla_misses_.clear();
  }
  previously_active_ = std::move(active_dags);

  const Timestamp wall_now = clock_.Now();
  if (!restored_) {
    Status st = engine_.Restore(wall_now);
    if (!st.ok()) return fail(st, "store");
    restored_ = true;
  }
  Status st = engine_.Poll(*source_, *active, wall_now, &*active_tis);
  if (!st.ok()) return fail(st, "evaluate deadlines");
  due_checked_until_ = wall_now;
  return Status::Ok();
}

Status InstancePoller::ReadTaskSlas() {
  const auto now = clock_.Monotonic();
  // Definitions change rarely: re-read them with the DAG list.
  if (task_sla_read_at_ && now - *task_sla_read_at_ >= options_.dag_refresh) task_sla_.clear();
  std::set<std::string> missing;
  for (const auto& m : open_sla_misses_) {
    if (!task_sla_.count(m.dag_id)) missing.insert(m.dag_id);
  }
  if (missing.empty()) return Status::Ok();
  std::vector<std::string> ids(missing.begin(), missing.end());
  auto dags = source_->SerializedDags(ids);
  if (!dags) return dags.error();
  for (const auto& id : ids) task_sla_[id];  // cached even when the DAG has no serialization
  for (const auto& dag : *dags) {
    auto& slas = task_sla_[dag.dag_id];
    for (const auto& task : dag.tasks) {
      if (task.sla) slas[task.task_id] = *task.sla;
    }
  }
  if (!task_sla_read_at_ || now - *task_sla_read_at_ >= options_.dag_refresh) {
    task_sla_read_at_ = now;
  }
  return Status::Ok();
}

// REQUIRES: mu_ held (reads state_.items).
std::vector<Violation> InstancePoller::BuildViolations() const {
  std::vector<Violation> out;
  std::set<std::tuple<std::string, std::string, std::string>> native;  // airflow:sla items
  for (const rules::Item& item : state_.items) {
    if (item.state != rules::ItemState::kMissed) continue;
    Violation v;
    v.rule = item.key.rule;
    v.severity = item.severity;
    v.dag_id = item.key.dag_id;
    v.run_id = item.key.run_id;
    v.task_id = item.key.task_id;
    v.execution_date = item.logical_date.value_or(item.need_by);
    v.need_by = item.need_by;
    v.paused = item.paused;
    if (item.key.rule == rules::kAirflowSlaRule) native.insert({v.dag_id, v.run_id, v.task_id});
    out.push_back(std::move(v));
  }
  for (const auto& m : open_sla_misses_) {
    if (m.run_id && native.contains({m.dag_id, *m.run_id, m.task_id})) continue;
    Violation v;
    v.rule = "airflow:sla";
    v.severity = "warning";
    v.dag_id = m.dag_id;
    v.run_id = m.run_id.value_or("");
    v.task_id = m.task_id;
    v.execution_date = m.execution_date;
    v.need_by = m.timestamp.value_or(m.execution_date);
    if (auto dag = task_sla_.find(m.dag_id); dag != task_sla_.end()) {
      if (auto task = dag->second.find(m.task_id); task != dag->second.end()) {
        v.need_by = m.execution_date + task->second;
      }
    }
    out.push_back(std::move(v));
  }
  std::sort(out.begin(), out.end(), [](const Violation& a, const Violation& b) {
    return std::tie(a.dag_id, a.run_id, a.task_id, a.rule) <
           std::tie(b.dag_id, b.run_id, b.task_id, b.rule);
  });
  return out;
}

void InstancePoller::RecordHealth() {
  if (store_ == nullptr) return;
  // A failed read is an unknown sample, timed now: it ends the stretch the last poll extended.
  const Timestamp at = health_sample_ ? health_sampled_at_ : clock_.Now();
  Status st = store_->RecordHealthSample(instance_.name, health_sample_, at, health_max_gap());
  if (!st.ok()) {
    LogWarn("cannot record airflow health", {{"instance", instance_.name}, {"err", st.message()}});
  }
  const auto now = clock_.Monotonic();
  if (health_retention_at_ && now - *health_retention_at_ < std::chrono::hours(1)) return;
  health_retention_at_ = now;
  auto deleted = store_->DeleteHealthBefore(clock_.Now() - options_.retention);
  if (!deleted) {
    LogWarn("cannot apply health retention",
            {{"instance", instance_.name}, {"err", deleted.error().message()}});
  }
}

void InstancePoller::Fail(const Status& status, bool connection_lost) {
  if (connection_lost) source_.reset();
  std::lock_guard lock(mu_);
  ++state_.poll_errors_total;
  state_.last_error = status.message();
  if (connection_lost) state_.db_up = false;
}

}  // namespace slayer::app

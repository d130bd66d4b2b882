#include "sim/engine.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "sim/serialized_dag.h"
#include "sim/uuid.h"

namespace slayer::sim {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// How long Airflow's processes take to react, in simulated time: one scheduler loop, the
// executor picking a task up and starting its process, the dag-processor handling an SLA
// callback, the triggerer running a deadline callback.
constexpr Duration kLoopMin = milliseconds(200);
constexpr Duration kLoopMax = milliseconds(1500);
constexpr Duration kExecutorMin = milliseconds(800);
constexpr Duration kExecutorMax = milliseconds(4000);
constexpr Duration kProcessorMin = milliseconds(1000);
constexpr Duration kProcessorMax = milliseconds(5000);
constexpr Duration kTriggererMin = milliseconds(300);
constexpr Duration kTriggererMax = milliseconds(2000);
constexpr Duration kStallDuration = std::chrono::hours(24 * 1000);

double Seconds(Duration d) { return std::chrono::duration<double>(d).count(); }

}  // namespace

std::string_view TiStateName(TiState s) {
  switch (s) {
    case TiState::kNone:
      return "";
    case TiState::kScheduled:
      return "scheduled";
    case TiState::kQueued:
      return "queued";
    case TiState::kRunning:
      return "running";
    case TiState::kSuccess:
      return "success";
    case TiState::kFailed:
      return "failed";
    case TiState::kUpForRetry:
      return "up_for_retry";
    case TiState::kUpstreamFailed:
      return "upstream_failed";
    case TiState::kSkipped:
      return "skipped";
  }
  return "";
}

bool IsFinished(TiState s) {
  return s == TiState::kSuccess || s == TiState::kFailed || s == TiState::kUpstreamFailed ||
         s == TiState::kSkipped;
}

std::string_view RunStateName(RunState s) {
  switch (s) {
    case RunState::kQueued:
      return "queued";
    case RunState::kRunning:
      return "running";
    case RunState::kSuccess:
      return "success";
    case RunState::kFailed:
      return "failed";
  }
  return "";
}

std::string PythonIsoFormat(Timestamp t) {
  std::string s = FormatRfc3339(t);  // "2024-01-01T00:00:00[.123456]Z"
  s.pop_back();
  return s + "+00:00";
}

Engine::Engine(EngineOptions options, std::vector<DagState> dags, std::map<std::string, int> pools)
    : options_(options), dags_(std::move(dags)), engine_rng_(Hash64(options.seed, "engine")) {
  std::map<std::string, int> pool_index;
  for (const auto& [name, slots] : pools) {
    pool_index[name] = static_cast<int>(pools_.size());
    PoolState p;
    p.name = name;
    p.slots = slots;
    pools_.push_back(std::move(p));
  }
  for (int i = 0; i < options_.workers; ++i) {
    hostnames_.push_back("airflow-worker-" + std::to_string(i));
  }
  for (auto& d : dags_) {
    const auto& tasks = d.spec.tasks;
    const int n = static_cast<int>(tasks.size());
    d.downstream.assign(n, {});
    d.pool_of_task.assign(n, 0);
    for (int i = 0; i < n; ++i) {
      for (const auto& up : tasks[i].upstream) {
        for (int j = 0; j < n; ++j) {
          if (tasks[j].task_id == up) d.downstream[j].push_back(i);
        }
      }
      auto it = pool_index.find(tasks[i].pool);
      d.pool_of_task[i] = it == pool_index.end() ? pool_index["default_pool"] : it->second;
    }
    // weight_rule "downstream": 1 + the number of tasks downstream (tasks are topologically
    // sorted, so walk backwards collecting descendants).
    d.priority_weight.assign(n, 1);
    std::vector<std::set<int>> descendants(n);
    for (int i = n - 1; i >= 0; --i) {
      for (int c : d.downstream[i]) {
        descendants[i].insert(c);
        descendants[i].insert(descendants[c].begin(), descendants[c].end());
      }
      d.priority_weight[i] = 1 + static_cast<int>(descendants[i].size());
    }
    d.has_sla = false;
    if (options_.version == AirflowVersion::kV2 && d.timetable.periodic()) {
      for (const auto& t : tasks) d.has_sla = d.has_sla || t.sla.has_value();
    }
    d.sla.resize(n);
    d.manual_rng = Rng(Hash64(Hash64(options_.seed, "manual"), d.spec.dag_id));
  }
}

void Engine::Push(Timestamp at, EventType type, int dag, int64_t key, int index) {
  events_.push(Event{at, seq_++, type, dag, index, key});
}

Duration Engine::SchedulerLatency(Rng& rng) const {
  return rng.UniformDuration(kLoopMin, kLoopMax);
}

int64_t Engine::StartJob(const std::string& type, const std::string& hostname,
                         std::optional<std::string> executor, std::optional<std::string> dag_id) {
  SimJob job;
  job.id = next_.job++;
  job.job_type = type;
  job.dag_id = std::move(dag_id);
  job.start_date = now_;
  job.latest_heartbeat = now_;
  job.hostname = hostname;
  job.executor_class = std::move(executor);
  int64_t id = job.id;
  jobs_[id] = std::move(job);
  return id;
}

void Engine::Start(Timestamp now, Ids first_ids) {
  now_ = now;
  next_ = first_ids;
  scheduler_job_ = StartJob("SchedulerJob", "airflow-scheduler-0", "CeleryExecutor", std::nullopt);
  triggerer_job_ = StartJob("TriggererJob", "airflow-triggerer-0", std::nullopt, std::nullopt);
  if (IsAirflow3(options_.version)) {
    StartJob("DagProcessorJob", "airflow-dag-processor-0", std::nullopt, std::nullopt);
  }
  // --active-runs: pick DAGs by a seeded hash, so the choice is stable and spread out.
  if (options_.stall_runs > 0) {
    std::vector<std::pair<uint64_t, int>> order;
    for (int i = 0; i < static_cast<int>(dags_.size()); ++i) {
      if (dags_[i].spec.paused || !dags_[i].timetable.periodic()) continue;
      order.push_back({Hash64(Hash64(options_.seed, "stall"), dags_[i].spec.dag_id), i});
    }
    std::sort(order.begin(), order.end());
    for (int i = 0; i < options_.stall_runs && i < static_cast<int>(order.size()); ++i) {
      dags_[order[i].second].stall = true;
    }
  }
  for (int i = 0; i < static_cast<int>(dags_.size()); ++i) {
    DagState& d = dags_[i];
    d.next_info = d.timetable.NextDagRunInfo(d.last_interval, d.start_date, d.catchup, now_);
    d.dirty = true;
    if (d.spec.paused) continue;
    if (d.next_info) {
      Timestamp at = std::max(d.next_info->run_after, now_) + SchedulerLatency(d.manual_rng);
      Push(at, EventType::kCreateRun, i);
      d.create_pending = true;
    }
    if (d.spec.manual_per_day > 0) {
      double mean = 86400.0 / d.spec.manual_per_day;
      Duration gap(static_cast<int64_t>(d.manual_rng.Exponential(mean) * 1e6));
      Push(now_ + gap, EventType::kManualTrigger, i);
    }
  }
}

bool Engine::IsSchedulerEvent(EventType t) {
  switch (t) {
    case EventType::kStartTi:
    case EventType::kFinishTi:
    case EventType::kManualTrigger:
    case EventType::kDeadlineRunning:
    case EventType::kDeadlineDone:
      return false;
    default:
      return true;
  }
}

void Engine::RunUntil(Timestamp t) {
  while (!events_.empty() && events_.top().at <= t) {
    Event e = events_.top();
    events_.pop();
    now_ = std::max(now_, e.at);
    if (!scheduler_running_ && IsSchedulerEvent(e.type)) {
      deferred_.push_back(e);
      continue;
    }
    Handle(e);
  }
  now_ = std::max(now_, t);
}

void Engine::SetSchedulerRunning(bool running) {
  if (running == scheduler_running_) return;
  if (!running) {
    UpdateHeartbeats();
    scheduler_running_ = false;
    return;
  }
  scheduler_running_ = true;
  // A new scheduler process: its own job row; adopt_or_reset_orphaned_tasks marks the old one
  // (stale heartbeat) failed.
  SimJob& old = jobs_[scheduler_job_];
  old.state = "failed";
  old.dirty = true;
  scheduler_job_ = StartJob("SchedulerJob", "airflow-scheduler-0", "CeleryExecutor", std::nullopt);
  std::vector<Event> held = std::exchange(deferred_, {});
  for (const Event& e : held) {
    Push(now_ + SchedulerLatency(engine_rng_), e.type, e.dag, e.key, e.index);
  }
}

void Engine::Handle(const Event& e) {
  auto run_of = [&]() -> SimDagRun* {
    auto it = runs_.find(e.key);
    return it == runs_.end() ? nullptr : it->second.get();
  };
  switch (e.type) {
    case EventType::kCreateRun:
      CreateScheduledRun(e.dag);
      break;
    case EventType::kManualTrigger:
      TriggerManualRun(e.dag);
      break;
    case EventType::kStartRun:
      if (SimDagRun* r = run_of()) StartRun(*r);
      break;
    case EventType::kScheduleTi:
      if (SimDagRun* r = run_of()) ScheduleTi(*r, e.index);
      break;
    case EventType::kQueuePool:
      DispatchPool(e.index);
      break;
    case EventType::kStartTi:
      if (SimDagRun* r = run_of()) StartTi(*r, e.index);
      break;
    case EventType::kFinishTi:
      if (SimDagRun* r = run_of()) FinishTi(*r, e.index);
      break;
    case EventType::kEvaluateDownstream:
      if (SimDagRun* r = run_of()) EvaluateDownstream(*r, e.index);
      break;
    case EventType::kFinishRun:
      if (SimDagRun* r = run_of()) FinishRun(*r);
      break;
    case EventType::kDeadlineDue: {
      auto it = deadlines_.find(static_cast<uint64_t>(e.key));
      if (it == deadlines_.end() || it->second.pruned || it->second.callback_state) break;
      SimDeadline& dl = it->second;
      // The scheduler's handle_miss: a trigger runs the callback in the triggerer.
      dl.trigger_row_id = next_.trigger++;
      dl.trigger_created = now_;
      dl.trigger_kwargs = "{\"callback_path\": \"" + dl.callback + "\", \"deadline_id\": \"" +
                          UuidWithDashes(dl.id) + "\", \"deadline_time\": \"" +
                          PythonIsoFormat(dl.deadline_time) + "\"}";
      dl.trigger_dirty = true;
      dl.trigger_id = dl.trigger_row_id;
      dl.callback_state = "queued";
      dl.dirty = true;
      ++stats_.deadlines_missed;
      Push(now_ + engine_rng_.UniformDuration(kTriggererMin, kTriggererMax),
           EventType::kDeadlineRunning, e.dag, e.key);
      break;
    }
    case EventType::kDeadlineRunning: {
      auto it = deadlines_.find(static_cast<uint64_t>(e.key));
      if (it == deadlines_.end()) break;
      it->second.callback_state = "running";
      it->second.triggerer_id = triggerer_job_;
      it->second.dirty = true;
      it->second.trigger_dirty = true;
      Push(now_ + engine_rng_.UniformDuration(kTriggererMin, kTriggererMax),
           EventType::kDeadlineDone, e.dag, e.key);
      break;
    }
    case EventType::kDeadlineDone: {
      auto it = deadlines_.find(static_cast<uint64_t>(e.key));
      if (it == deadlines_.end()) break;
      it->second.callback_state = "success";
      it->second.trigger_id.reset();
      it->second.trigger_deleted = true;
      it->second.dirty = true;
      it->second.trigger_dirty = true;
      break;
    }
    case EventType::kSlaCheck:
      CheckSlas(e.dag);
      break;
  }
}

SimDagRun& Engine::NewRun(int dag, bool manual, std::optional<Timestamp> logical,
                          std::optional<DataInterval> interval, Timestamp run_after) {
  DagState& d = dags_[dag];
  auto run = std::make_unique<SimDagRun>();
  run->id = next_.dag_run++;
  run->dag = dag;
  run->manual = manual;
  run->logical_date = logical;
  run->data_interval = interval;
  run->run_after = run_after;
  run->queued_at = now_;
  run->updated_at = now_;
  run->last_scheduling_decision = now_;
  run->creating_job_id = scheduler_job_;
  run->run_id = std::string(manual ? "manual__" : "scheduled__") +
                PythonIsoFormat(logical ? *logical : run_after);
  run->rng = Rng(Hash64(Hash64(Hash64(options_.seed, "run"), d.spec.dag_id), run->run_id));
  run->slow = run->rng.Bernoulli(d.spec.late_rate);
  const int n = static_cast<int>(d.spec.tasks.size());
  run->tis.resize(n);
  for (int i = 0; i < n; ++i) {
    SimTaskInstance& ti = run->tis[i];
    ti.task = i;
    ti.pending_upstream = static_cast<int>(d.spec.tasks[i].upstream.size());
    ti.updated_at = now_;
    ti.id = MakeUuid7(now_, run->rng);
  }
  run->unfinished = n;
  stats_.runs_created++;
  stats_.task_instances_created += n;
  d.active_runs++;
  // Airflow 3.1 create_dagrun: one deadline row per DagRun-type alert, need-by fixed now.
  if (options_.version == AirflowVersion::kV3_1) {
    for (const auto& spec : d.spec.deadlines) {
      std::optional<Timestamp> base;
      switch (spec.reference) {
        case DeadlineSpec::Reference::kQueuedAt:
          base = run->queued_at;
          break;
        case DeadlineSpec::Reference::kLogicalDate:
          base = run->logical_date;
          break;
        case DeadlineSpec::Reference::kFixed:
          base = spec.fixed_datetime;
          break;
      }
      if (!base) continue;  // a logical-date alert on a run without one
      SimDeadline dl;
      dl.key = next_deadline_key_++;
      dl.id = MakeUuid7(now_, run->rng);
      dl.dagrun_id = run->id;
      dl.deadline_time = *base + spec.interval;
      dl.callback = DeadlineCallbackJson(spec);
      Timestamp due = std::max(dl.deadline_time, now_) + SchedulerLatency(engine_rng_);
      Push(due, EventType::kDeadlineDue, dag, static_cast<int64_t>(dl.key));
      run->deadline_keys.push_back(dl.key);
      deadlines_[dl.key] = std::move(dl);
      stats_.deadlines_created++;
    }
  }
  SimDagRun& ref = *run;
  runs_[run->id] = std::move(run);
  Push(now_ + SchedulerLatency(ref.rng), EventType::kStartRun, dag, ref.id);
  return ref;
}

void Engine::CreateScheduledRun(int dag) {
  DagState& d = dags_[dag];
  d.create_pending = false;
  if (d.spec.paused || !d.next_info) return;
  if (d.active_runs >= d.spec.max_active_runs) {
    // Airflow stops creating runs (next_dagrun_create_after = NULL) until one finishes.
    d.create_blocked = true;
    return;
  }
  DagRunInfo info = *d.next_info;
  SimDagRun& run = NewRun(dag, false, info.logical_date, info.data_interval, info.run_after);
  if (d.stall && options_.stall_after && now_ >= *options_.stall_after) {
    run.stalled = true;
    d.stall = false;
    stats_.stalled_runs++;
  }
  d.last_interval = info.data_interval;
  d.next_info = d.timetable.NextDagRunInfo(d.last_interval, d.start_date, d.catchup, now_);
  d.dirty = true;
  if (d.next_info) {
    Timestamp at = std::max(d.next_info->run_after, now_) + SchedulerLatency(d.manual_rng);
    Push(at, EventType::kCreateRun, dag);
    d.create_pending = true;
  }
}

void Engine::TriggerManualRun(int dag) {
  DagState& d = dags_[dag];
  if (d.spec.paused) return;
  double mean = 86400.0 / d.spec.manual_per_day;
  Duration gap(static_cast<int64_t>(d.manual_rng.Exponential(mean) * 1e6));
  Push(now_ + std::max(gap, Duration(seconds(1))), EventType::kManualTrigger, dag);
  if (IsAirflow3(options_.version)) {
    // A 3.x trigger from the UI/API without a logical date: no data interval.
    NewRun(dag, true, std::nullopt, std::nullopt, now_);
  } else {
    NewRun(dag, true, now_, d.timetable.InferManualDataInterval(now_), now_);
  }
}

void Engine::Touch(SimDagRun& run) {
  run.updated_at = now_;
  run.dirty = true;
}

void Engine::Touch(SimDagRun& run, SimTaskInstance& ti) {
  ti.updated_at = now_;
  ti.dirty = true;
  run.ti_dirty = true;
}

void Engine::StartRun(SimDagRun& run) {
  DagState& d = dags_[run.dag];
  if (run.state != RunState::kQueued) return;
  if (d.running_runs >= d.spec.max_active_runs) {
    d.waiting_runs.push_back(run.id);
    return;
  }
  d.running_runs++;
  run.state = RunState::kRunning;
  run.start_date = now_;
  run.last_scheduling_decision = now_;
  Touch(run);
  for (int i = 0; i < static_cast<int>(run.tis.size()); ++i) {
    if (run.tis[i].pending_upstream == 0) {
      Push(now_ + SchedulerLatency(run.rng), EventType::kScheduleTi, run.dag, run.id, i);
    }
  }
  if (d.has_sla) ArmSla(run.dag);
}

void Engine::ScheduleTi(SimDagRun& run, int index) {
  DagState& d = dags_[run.dag];
  SimTaskInstance& ti = run.tis[index];
  if (ti.state != TiState::kNone && ti.state != TiState::kUpForRetry) return;
  ti.state = TiState::kScheduled;
  ti.try_number++;  // 2.10+: incremented when a try is scheduled
  if (IsAirflow3(options_.version)) ti.scheduled_dttm = now_;
  Touch(run, ti);
  run.last_scheduling_decision = now_;
  int pool = d.pool_of_task[index];
  PoolState& p = pools_[pool];
  p.waiting.insert({-d.priority_weight[index], run.run_after, run.id, index});
  if (!p.dispatch_pending) {
    p.dispatch_pending = true;
    Push(now_ + SchedulerLatency(engine_rng_), EventType::kQueuePool, run.dag, 0, pool);
  }
}

void Engine::DispatchPool(int pool) {
  PoolState& p = pools_[pool];
  p.dispatch_pending = false;
  for (auto it = p.waiting.begin(); it != p.waiting.end() && p.used < p.slots;) {
    auto [neg_weight, run_after, run_id, index] = *it;
    auto rit = runs_.find(run_id);
    if (rit == runs_.end()) {
      it = p.waiting.erase(it);
      continue;
    }
    SimDagRun& run = *rit->second;
    const TaskSpec& task = dags_[run.dag].spec.tasks[index];
    if (p.used + task.pool_slots > p.slots) {
      ++it;  // not enough open slots for this one; a smaller one may fit
      continue;
    }
    it = p.waiting.erase(it);
    SimTaskInstance& ti = run.tis[index];
    p.used += task.pool_slots;
    ti.state = TiState::kQueued;
    ti.queued_dttm = now_;
    ti.queued_by_job_id = scheduler_job_;
    Touch(run, ti);
    Push(now_ + run.rng.UniformDuration(kExecutorMin, kExecutorMax), EventType::kStartTi, run.dag,
         run.id, index);
  }
}

Duration Engine::DrawDuration(SimDagRun& run, const TaskSpec& task) {
  if (run.stalled) return kStallDuration;
  const DurationSpec& spec = task.duration;
  Duration d{0};
  switch (spec.kind) {
    case DurationSpec::Kind::kFixed:
      d = spec.mean;
      break;
    case DurationSpec::Kind::kUniform:
      d = run.rng.UniformDuration(spec.min, spec.max);
      break;
    case DurationSpec::Kind::kNormal: {
      double us = static_cast<double>(spec.mean.count()) +
                  static_cast<double>(spec.stddev.count()) * run.rng.Normal();
      d = Duration(static_cast<int64_t>(std::max(us, 1e6)));
      break;
    }
  }
  if (run.slow) {
    const DagState& dag = dags_[run.dag];
    d = Duration(static_cast<int64_t>(static_cast<double>(d.count()) * dag.spec.late_factor));
    if (task.upstream.empty()) d += dag.spec.late_delay;
  }
  return std::max(d, Duration(milliseconds(10)));
}

void Engine::StartTi(SimDagRun& run, int index) {
  SimTaskInstance& ti = run.tis[index];
  if (ti.state != TiState::kQueued) return;
  const DagState& d = dags_[run.dag];
  const TaskSpec& task = d.spec.tasks[index];
  ti.state = TiState::kRunning;
  ti.start_date = now_;
  ti.end_date.reset();
  ti.duration.reset();
  ti.host = static_cast<int>(run.rng.Below(hostnames_.size()));
  ti.pid = 1000 + static_cast<int>(run.rng.Below(60000));
  if (IsAirflow3(options_.version)) ti.last_heartbeat_at = now_;
  if (options_.local_task_jobs && !IsAirflow3(options_.version)) {
    ti.job_id = StartJob("LocalTaskJob", hostnames_[ti.host], "CeleryExecutor", d.spec.dag_id);
  }
  Touch(run, ti);
  Push(now_ + DrawDuration(run, task), EventType::kFinishTi, run.dag, run.id, index);
}

void Engine::FinishTi(SimDagRun& run, int index) {
  SimTaskInstance& ti = run.tis[index];
  if (ti.state != TiState::kRunning) return;
  DagState& d = dags_[run.dag];
  const TaskSpec& task = d.spec.tasks[index];
  PoolState& p = pools_[d.pool_of_task[index]];
  p.used -= task.pool_slots;
  if (!p.waiting.empty() && !p.dispatch_pending) {
    p.dispatch_pending = true;
    Push(now_ + SchedulerLatency(engine_rng_), EventType::kQueuePool, run.dag, 0,
         d.pool_of_task[index]);
  }
  ti.end_date = now_;
  ti.duration = Seconds(now_ - *ti.start_date);
  if (IsAirflow3(options_.version)) ti.last_heartbeat_at = now_;
  if (ti.job_id) {
    auto it = jobs_.find(*ti.job_id);
    if (it != jobs_.end()) {
      it->second.state = "success";
      it->second.end_date = now_;
      it->second.latest_heartbeat = now_;
      it->second.dirty = true;
    }
  }
  bool skip = run.rng.Bernoulli(task.skip_rate);
  bool fail = !skip && run.rng.Bernoulli(task.failure_rate);
  if (fail && ti.try_number <= task.retries) {
    ti.state = TiState::kUpForRetry;
    Touch(run, ti);
    Push(now_ + task.retry_delay + SchedulerLatency(run.rng), EventType::kScheduleTi, run.dag,
         run.id, index);
    return;
  }
  MarkFinished(run, ti, fail ? TiState::kFailed : skip ? TiState::kSkipped : TiState::kSuccess);
}

void Engine::MarkFinished(SimDagRun& run, SimTaskInstance& ti, TiState state) {
  DagState& d = dags_[run.dag];
  ti.state = state;
  // TaskInstance.set_state for tasks that never ran (upstream_failed, skipped by the trigger
  // rule): start and end are now, duration 0.
  if (!ti.start_date) ti.start_date = now_;
  if (!ti.end_date) ti.end_date = now_;
  if (!ti.duration) ti.duration = Seconds(*ti.end_date - *ti.start_date);
  Touch(run, ti);
  if (d.has_sla && (state == TiState::kSuccess || state == TiState::kSkipped) &&
      d.spec.tasks[ti.task].sla && run.logical_date) {
    DagState::SlaTask& st = d.sla[ti.task];
    if (!st.anchor_logical || *run.logical_date > *st.anchor_logical) {
      st.anchor_logical = run.logical_date;
      st.anchor_interval = run.data_interval;
      st.candidate_valid = false;
      if (!d.sla_armed && d.running_runs > 0) ArmSla(run.dag);
    }
  }
  if (!d.downstream[ti.task].empty()) {
    Push(now_ + SchedulerLatency(run.rng), EventType::kEvaluateDownstream, run.dag, run.id,
         ti.task);
  }
  if (--run.unfinished == 0) {
    Push(now_ + SchedulerLatency(run.rng), EventType::kFinishRun, run.dag, run.id);
  }
}

void Engine::EvaluateDownstream(SimDagRun& run, int index) {
  const DagState& d = dags_[run.dag];
  for (int c : d.downstream[index]) {
    SimTaskInstance& child = run.tis[c];
    if (--child.pending_upstream > 0 || child.state != TiState::kNone) continue;
    // Trigger rule all_success.
    bool failed = false, skipped = false;
    for (const auto& up : d.spec.tasks[c].upstream) {
      for (const auto& other : run.tis) {
        if (d.spec.tasks[other.task].task_id != up) continue;
        failed |= other.state == TiState::kFailed || other.state == TiState::kUpstreamFailed;
        skipped |= other.state == TiState::kSkipped;
      }
    }
    if (failed) {
      MarkFinished(run, child, TiState::kUpstreamFailed);
    } else if (skipped) {
      MarkFinished(run, child, TiState::kSkipped);
    } else {
      ScheduleTi(run, c);
    }
  }
}

void Engine::FinishRun(SimDagRun& run) {
  if (run.state == RunState::kSuccess || run.state == RunState::kFailed) return;
  DagState& d = dags_[run.dag];
  bool failed = false;
  for (const auto& ti : run.tis) {
    failed |= ti.state == TiState::kFailed || ti.state == TiState::kUpstreamFailed;
  }
  const bool was_running = run.state == RunState::kRunning;
  run.state = failed ? RunState::kFailed : RunState::kSuccess;
  run.end_date = now_;
  run.last_scheduling_decision = now_;
  Touch(run);
  if (!failed) {
    // 3.1: a run that succeeds prunes the deadlines it met.
    for (uint64_t key : run.deadline_keys) {
      auto it = deadlines_.find(key);
      if (it == deadlines_.end()) continue;
      SimDeadline& dl = it->second;
      if (!dl.callback_state && dl.deadline_time >= now_) {
        dl.pruned = true;
        dl.dirty = true;
      }
    }
  }
  d.active_runs--;
  if (was_running) d.running_runs--;
  while (!d.waiting_runs.empty() && d.running_runs < d.spec.max_active_runs) {
    int64_t next = d.waiting_runs.front();
    d.waiting_runs.pop_front();
    Push(now_ + SchedulerLatency(run.rng), EventType::kStartRun, run.dag, next);
    break;  // one per loop; the next start re-checks
  }
  if (d.create_blocked && !d.create_pending) {
    d.create_blocked = false;
    d.create_pending = true;
    Push(now_ + SchedulerLatency(run.rng), EventType::kCreateRun, run.dag);
  }
}

void Engine::UpdateSlaCandidate(const DagState& d, DagState::SlaTask& st) const {
  if (st.candidate_valid) return;
  st.candidate_valid = true;
  st.candidate.reset();
  if (!st.anchor_interval) return;
  // manage_slas: next_info = the run after the anchor; each loop step moves one further
  // before checking, so the first logical date checked is two runs after the anchor.
  auto next = d.timetable.NextUnrestricted(*st.anchor_interval);
  if (next) next = d.timetable.NextUnrestricted(next->data_interval);
  st.candidate = next;
}

std::optional<Timestamp> Engine::NextSlaDue(const DagState& d) const {
  std::optional<Timestamp> due;
  for (size_t i = 0; i < d.sla.size(); ++i) {
    const auto& sla = d.spec.tasks[i].sla;
    const DagState::SlaTask& st = d.sla[i];
    if (!sla || !st.candidate) continue;
    Timestamp t = st.candidate->logical_date + *sla;
    if (!due || t < *due) due = t;
  }
  return due;
}

void Engine::ArmSla(int dag) {
  DagState& d = dags_[dag];
  if (d.sla_armed) return;
  for (auto& st : d.sla) UpdateSlaCandidate(d, st);
  auto due = NextSlaDue(d);
  if (!due) return;
  d.sla_armed = true;
  // A check happens in the scheduler loop after the need-by time has passed (it compares with
  // `<`), then waits for the dag-processor to run the SLA callback.
  Timestamp at = std::max(*due + Duration(1), now_) + SchedulerLatency(engine_rng_) +
                 engine_rng_.UniformDuration(kProcessorMin, kProcessorMax);
  Push(at, EventType::kSlaCheck, dag);
}

void Engine::CheckSlas(int dag) {
  DagState& d = dags_[dag];
  d.sla_armed = false;
  // The scheduler sends SLA callbacks only while it examines a running run of the DAG.
  if (d.running_runs == 0) return;
  const Timestamp ts = now_;
  for (size_t i = 0; i < d.sla.size(); ++i) {
    const auto& sla = d.spec.tasks[i].sla;
    DagState::SlaTask& st = d.sla[i];
    if (!sla) continue;
    UpdateSlaCandidate(d, st);
    while (st.candidate && st.candidate->logical_date + *sla < ts) {
      Timestamp l = st.candidate->logical_date;
      if (d.sla_recorded.insert({static_cast<int>(i), l}).second) {
        new_sla_misses_.push_back(
            SimSlaMiss{d.spec.tasks[i].task_id, d.spec.dag_id, l, ts, d.spec.sla_miss_callback});
        stats_.sla_misses++;
      }
      st.candidate = d.timetable.NextUnrestricted(st.candidate->data_interval);
    }
  }
  ArmSla(dag);
}

void Engine::ReleaseSettled() {
  for (auto it = runs_.begin(); it != runs_.end();) {
    const SimDagRun& r = *it->second;
    bool done = (r.state == RunState::kSuccess || r.state == RunState::kFailed) && r.persisted &&
                !r.dirty && !r.ti_dirty;
    it = done ? runs_.erase(it) : std::next(it);
  }
  for (auto it = deadlines_.begin(); it != deadlines_.end();) {
    const SimDeadline& dl = it->second;
    bool settled = (dl.pruned || dl.callback_state == "success") && !dl.dirty && !dl.trigger_dirty;
    it = settled ? deadlines_.erase(it) : std::next(it);
  }
  for (auto it = jobs_.begin(); it != jobs_.end();) {
    const SimJob& j = it->second;
    bool done = j.job_type == "LocalTaskJob" && j.state != "running" && j.persisted && !j.dirty;
    it = done ? jobs_.erase(it) : std::next(it);
  }
}

void Engine::UpdateHeartbeats() {
  for (auto& [id, job] : jobs_) {
    if (job.state != "running") continue;
    if (id == scheduler_job_ && !scheduler_running_) continue;
    Duration since = now_ - job.start_date;
    Timestamp beat = job.start_date + since - since % options_.heartbeat;
    if (beat != job.latest_heartbeat) {
      job.latest_heartbeat = beat;
      job.dirty = true;
    }
  }
}

}  // namespace slayer::sim

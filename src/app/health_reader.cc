#include "app/health_reader.h"

#include <algorithm>
#include <chrono>
#include <limits>
#include <set>
#include <tuple>

#include "airflow/task_instance_state.h"

namespace slayer::app {

const std::vector<double> kScheduleDelayBuckets = {1,   5,   10,   30,   60,  120,
                                                   300, 600, 1800, 3600, 7200};
const std::vector<double> kTaskQueueBuckets = {0.1, 0.5, 1,   5,   10,   30,
                                               60,  120, 300, 600, 1800, 3600};

namespace {

using namespace std::chrono_literals;

constexpr std::string_view kSchedulerJob = "SchedulerJob";

// The job types the liveness metric covers; the names are the same on 2.x and 3.x.
bool IsMonitoredJobType(std::string_view type) {
  return type == "SchedulerJob" || type == "TriggererJob" || type == "DagProcessorJob";
}

// A run may be cleared and run again long after it was first seen: remember it for a day after
// it was last active, so it is not observed twice while it is plausibly the same execution.
constexpr Duration kObservedMemory = 24h;

// Distinct schedule texts whose class is remembered (a few hundred in a large deployment).
constexpr size_t kMaxCachedSchedules = 10000;

double Seconds(Duration d) { return std::chrono::duration<double>(d).count(); }

void Observe(const std::vector<double>& bounds, double value, HealthHistogram& h) {
  if (h.cumulative.empty()) h.cumulative.assign(bounds.size() + 1, 0);
  for (size_t i = 0; i < bounds.size(); ++i) {
    if (value <= bounds[i]) ++h.cumulative[i];
  }
  ++h.cumulative.back();
  h.sum += value;
  ++h.count;
}

// A task instance whose start_date and queued_dttm belong to the same, started try. In the
// states before a try starts (NULL, scheduled, queued) the columns may still hold the previous
// try's start; a deferred task that resumes is queued again after it started, so a start before
// the queued time is not a queue wait either (it may be observed at a later poll).
bool HasStartedTry(const airflow::TaskInstance& ti) {
  using airflow::TaskInstanceState;
  if (!ti.queued_dttm || !ti.start_date || *ti.start_date < *ti.queued_dttm) return false;
  switch (ti.state) {
    case TaskInstanceState::kNone:
    case TaskInstanceState::kScheduled:
    case TaskInstanceState::kQueued:
    case TaskInstanceState::kRemoved:
      return false;
    default:
      return true;
  }
}

}  // namespace

Duration HealthReader::JobWindow(const config::Health& health) {
  return std::max<Duration>(health.heartbeat_timeout * 10, Duration(10min));
}

Status HealthReader::Read(airflow::AirflowSource& source,
                          const std::vector<airflow::DagRun>& active_runs,
                          const std::vector<airflow::TaskInstance>& active_task_instances,
                          const std::vector<airflow::Dag>& dags, const rules::RuleSet& rules,
                          Timestamp now, const config::Health& health, HealthState* out) {
  // Every read first: a failure leaves the histogram and `out` as they were.
  auto recent = source.RecentJobs(now - JobWindow(health));
  if (!recent) return recent.error().WithContext("read recent jobs");
  auto running = source.RunningJobs();
  if (!running) return running.error().WithContext("read running jobs");
  auto counts = source.UnfinishedTaskInstanceCounts();
  if (!counts) return counts.error().WithContext("read task instance counts");
  auto pools = source.Pools();
  if (!pools) return pools.error().WithContext("read pools");
  // Canary DAGs: the active DAGs of the last DAG list that a canary rule matches. Their latest
  // successes are one index probe per DAG (LatestSuccessfulDagRuns); their latest started run
  // may also be active, which the poller has read already.
  std::vector<CanaryState> canaries;
  std::set<std::string> canary_dags;
  for (const airflow::Dag& dag : dags) {
    if (!dag.is_active) continue;
    for (const rules::CompiledRule* rule : rules.Matching(dag)) {
      if (!rule->rule.canary) continue;
      canaries.push_back({rule->name(), dag.dag_id, std::nullopt, std::nullopt});
      canary_dags.insert(dag.dag_id);
    }
  }
  std::vector<airflow::DagRun> successes;
  if (!canary_dags.empty()) {
    std::vector<std::string> ids(canary_dags.begin(), canary_dags.end());
    auto latest = source.LatestSuccessfulDagRuns(ids);
    if (!latest) return latest.error().WithContext("read latest successes of canary dags");
    successes = std::move(*latest);
  }

  HealthState state;
  state.read = true;

  // Liveness. A running job that stopped heartbeating long ago (a killed scheduler whose row
  // still says running) is kept: its age is the point. Airflow's Job.is_alive: state running
  // and a heartbeat younger than the threshold.
  std::map<std::pair<std::string, std::string>, Timestamp> latest;
  for (const auto* jobs : {&*recent, &*running}) {
    for (const airflow::Job& job : *jobs) {
      if (!job.job_type || !IsMonitoredJobType(*job.job_type) || !job.latest_heartbeat) continue;
      auto key = std::make_pair(*job.job_type, job.hostname.value_or(""));
      auto [it, inserted] = latest.try_emplace(key, *job.latest_heartbeat);
      if (!inserted) it->second = std::max(it->second, *job.latest_heartbeat);
      if (*job.job_type == kSchedulerJob && job.state == "running" &&
          now - *job.latest_heartbeat < health.heartbeat_timeout) {
        state.airflow_up = true;
      }
    }
  }
  for (const auto& [key, beat] : latest) {
    state.jobs.push_back({key.first, key.second, beat, std::max(0.0, Seconds(now - beat))});
  }

  // Task instances, and the slots they hold per pool.
  std::map<std::tuple<std::string, std::string, std::string>, int64_t> groups;
  struct Held {
    double running = 0, queued = 0, deferred = 0;
  };
  std::map<std::string, Held> held;
  for (const airflow::TaskInstanceCount& c : *counts) {
    groups[{c.state_text.value_or("none"), c.pool, c.queue.value_or("")}] += c.count;
    const auto slots = static_cast<double>(c.pool_slots);
    switch (c.state) {
      case airflow::TaskInstanceState::kRunning:
        held[c.pool].running += slots;
        break;
      case airflow::TaskInstanceState::kQueued:
        held[c.pool].queued += slots;
        break;
      case airflow::TaskInstanceState::kDeferred:
        held[c.pool].deferred += slots;
        break;
      default:
        break;
    }
  }
  for (const auto& [key, n] : groups) {
    state.task_instances.push_back({std::get<0>(key), std::get<1>(key), std::get<2>(key), n});
  }
  for (const airflow::Pool& pool : *pools) {
    const Held h = held[pool.name];
    PoolSlots p;
    p.pool = pool.name;
    p.running = h.running;
    p.queued = h.queued;
    p.deferred = h.deferred;
    if (pool.slots < 0) {
      p.total = p.open = std::numeric_limits<double>::infinity();
    } else {
      p.total = static_cast<double>(pool.slots);
      p.open = p.total - p.running - p.queued - (pool.include_deferred ? p.deferred : 0);
    }
    state.pools.push_back(std::move(p));
  }
  std::sort(state.pools.begin(), state.pools.end(),
            [](const PoolSlots& a, const PoolSlots& b) { return a.pool < b.pool; });

  for (const airflow::DagRun& run : active_runs) {
    if (run.state == airflow::DagRunState::kQueued) ++state.queued_runs;
    if (run.state == airflow::DagRunState::kRunning) ++state.running_runs;
  }

  for (const airflow::Dag& dag : dags) {
    if (dag.is_active) ++(dag.is_paused ? state.dags_paused : state.dags_unpaused);
    if (dag.has_import_errors) {
      auto& n = dag.is_paused ? state.import_errors_paused : state.import_errors_unpaused;
      n = n.value_or(0) + (*dag.has_import_errors ? 1 : 0);
    }
  }

  for (CanaryState& canary : canaries) {
    const airflow::DagRun* started = nullptr;
    const airflow::DagRun* success = nullptr;
    for (const airflow::DagRun& run : successes) {
      if (run.dag_id == canary.dag_id) success = &run;
    }
    if (success && success->start_date) started = success;
    for (const airflow::DagRun& run : active_runs) {
      if (run.dag_id != canary.dag_id || !run.start_date) continue;
      if (!started || run.run_after > started->run_after) started = &run;
    }
    if (started) {
      canary.schedule_delay_seconds =
          std::max(0.0, Seconds(*started->start_date - started->run_after));
    }
    if (success && success->end_date) {
      canary.end_to_end_seconds = std::max(0.0, Seconds(*success->end_date - success->run_after));
    }
  }
  std::sort(canaries.begin(), canaries.end(), [](const CanaryState& a, const CanaryState& b) {
    return std::tie(a.rule, a.dag_id) < std::tie(b.rule, b.dag_id);
  });
  state.canaries = std::move(canaries);

  ObserveScheduleDelays(active_runs, dags, now);
  state.schedule_delay_by_class = schedule_delay_by_class_;
  ObserveTaskQueueTimes(active_task_instances, now);
  state.task_queue = task_queue_;
  *out = std::move(state);
  return Status::Ok();
}

DagClass HealthReader::ClassOf(const std::vector<airflow::Dag>& dags, const std::string& dag_id) {
  // A linear search: it runs once per newly observed run, a handful per poll.
  auto dag = std::find_if(dags.begin(), dags.end(),
                          [&](const airflow::Dag& d) { return d.dag_id == dag_id; });
  if (dag == dags.end() || !dag->schedule) return DagClass::kOther;
  if (auto it = class_by_schedule_.find(*dag->schedule); it != class_by_schedule_.end()) {
    return it->second;
  }
  if (class_by_schedule_.size() >= kMaxCachedSchedules) class_by_schedule_.clear();
  const DagClass c = ClassifySchedule(dag->schedule);
  class_by_schedule_.emplace(*dag->schedule, c);
  return c;
}

void HealthReader::ObserveScheduleDelays(const std::vector<airflow::DagRun>& active_runs,
                                         const std::vector<airflow::Dag>& dags, Timestamp now) {
  for (HealthHistogram& h : schedule_delay_by_class_) {
    if (h.cumulative.empty()) h.cumulative.assign(kScheduleDelayBuckets.size() + 1, 0);
  }
  for (const airflow::DagRun& run : active_runs) {
    if (run.run_type != "scheduled" || !run.start_date) continue;
    auto [it, first] = observed_.insert_or_assign({run.dag_id, run.run_id}, now);
    if (!first) continue;
    // run_after is when the run was due (3.x column; on 2.x the data interval end).
    const double delay = std::max(0.0, Seconds(*run.start_date - run.run_after));
    Observe(kScheduleDelayBuckets, delay,
            schedule_delay_by_class_[static_cast<size_t>(ClassOf(dags, run.dag_id))]);
  }
  std::erase_if(observed_, [&](const auto& entry) { return now - entry.second > kObservedMemory; });
}

void HealthReader::ObserveTaskQueueTimes(const std::vector<airflow::TaskInstance>& task_instances,
                                         Timestamp now) {
  if (task_queue_.cumulative.empty())
    task_queue_.cumulative.assign(kTaskQueueBuckets.size() + 1, 0);
  for (const airflow::TaskInstance& ti : task_instances) {
    if (!HasStartedTry(ti)) continue;
    auto [it, first] = observed_tries_.insert_or_assign(
        TryKey{ti.dag_id, ti.run_id, ti.task_id, ti.map_index, ti.try_number.value_or(-1)}, now);
    if (!first) continue;
    Observe(kTaskQueueBuckets, Seconds(*ti.start_date - *ti.queued_dttm), task_queue_);
  }
  // Like runs: a cleared task instance starts a new try (a new key); the old key is kept for a
  // day so that a re-read of the same try is not observed again.
  std::erase_if(observed_tries_,
                [&](const auto& entry) { return now - entry.second > kObservedMemory; });
}

}  // namespace slayer::app

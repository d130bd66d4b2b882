// InstanceEngine: the deadline engine of one Airflow instance. Each poll it reads what the
// rules need through an AirflowSource (bounded: active runs, the runs of open items by key,
// recent runs on a slower cadence, task instances of those runs for task-level rules, the
// latest successes for wall-clock and freshness rules, serialized DAGs for timetables and task
// slas), evaluates the rules (rules::Evaluate), applies the observations to its Tracker,
// persists every change to the Store, and keeps counters for the metrics. Between polls,
// CheckDue re-reads only the items whose need-by has passed, so a miss is declared within a
// second of its need-by, on fresh data. If a read fails nothing changes state.
// Not thread-safe: the instance's poll thread owns it; Snapshot() copies are values.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "airflow/source.h"
#include "common/status.h"
#include "common/time.h"
#include "engine/duration_model.h"
#include "engine/tracker.h"
#include "notify/router.h"
#include "rules/evaluate.h"
#include "rules/rule_set.h"
#include "store/store.h"

namespace slayer::engine {

struct EngineOptions {
  std::string instance;
  Duration horizon = std::chrono::days(7);
  bool airflow_native = true;
  // How often recent runs of every matched DAG are read by window (to see runs that started
  // and finished between two polls) and serialized DAGs re-read. Default 5m.
  Duration full_refresh = std::chrono::minutes(5);
  // How often the DAG list is re-read. Default 60s.
  Duration dag_refresh = std::chrono::seconds(60);
  // Final items older than this are deleted from the store (storage.retention), checked at the
  // first poll and hourly after. Default 400d.
  Duration retention = std::chrono::days(400);
  // The at-risk prediction (docs/insights.md#at-risk).
  DurationModelOptions durations;
};

// Counters since start, for the metrics (SPEC section 4).
struct EngineCounters {
  // (rule, dag_id, task_id, severity) -> misses declared.
  std::map<std::tuple<std::string, std::string, std::string, std::string>, uint64_t> misses;
  // (rule, dag_id, outcome) -> count; outcome met, met_late, missed, abandoned.
  std::map<std::tuple<std::string, std::string, std::string>, uint64_t> outcomes;
  // (rule, dag_id) -> lateness at met_late, in seconds, as histogram buckets (le) + sum + count.
  struct Histogram {
    std::vector<uint64_t> buckets;  // cumulative counts per kLatenessBuckets bound
    double sum = 0;
    uint64_t count = 0;
  };
  std::map<std::pair<std::string, std::string>, Histogram> lateness;
  rules::Oddities oddities;
};

// Upper bounds (seconds) of the lateness histogram buckets.
extern const std::vector<double> kLatenessBuckets;

struct EngineSnapshot {
  std::vector<rules::Item> open;  // open items, by key
  EngineCounters counters;
};

class InstanceEngine {
 public:
  // `store` may be nullptr (slayer scan: nothing is recorded).
  InstanceEngine(EngineOptions options, std::shared_ptr<const rules::RuleSet> rules,
                 store::Store* store);

  // Loads the open items and the recent final keys from the store; call once before the first
  // poll. Without a store, does nothing.
  Status Restore(Timestamp now);

  // Replaces the rules (config reload); items of rules that no longer exist are dropped from
  // live tracking (their record stays).
  void SetRules(std::shared_ptr<const rules::RuleSet> rules);

  // One poll. `active_runs` are the queued and running runs the caller read this poll.
  // `active_task_instances`, when given, are the task instances of every run of `active_runs`
  // as the caller read them this poll (the health metrics need them too): they are not read
  // again.
  Status Poll(airflow::AirflowSource& source, const std::vector<airflow::DagRun>& active_runs,
              Timestamp now,
              const std::vector<airflow::TaskInstance>* active_task_instances = nullptr);

  // Re-reads the pending items whose need-by has passed and declares their misses (or
  // outcomes). Cheap when nothing is due.
  Status CheckDue(airflow::AirflowSource& source, Timestamp now);

  // The earliest need-by of a pending item (wake up then and call CheckDue).
  std::optional<Timestamp> NextNeedBy() const { return tracker_.NextNeedBy(); }
  std::optional<Timestamp> NextNeedByAfter(Timestamp after) const {
    return tracker_.NextNeedByAfter(after);
  }

  // The DAG list, read by the caller just now (the engine re-reads it every dag_refresh
  // otherwise). Fails only when the store cannot record when a DAG was first seen.
  Status SetDags(std::vector<airflow::Dag> dags, Timestamp now);

  // Notifications: every recorded change is routed through `router` and its events are
  // queued in the store's outbox in the same transaction; then `after_record` is called with
  // what the router held back (it wakes the dispatcher). nullptr router: no notifications.
  using AfterRecord = std::function<void(const std::vector<notify::Suppressed>& suppressed)>;
  void SetNotifier(std::shared_ptr<const notify::Router> router, AfterRecord after_record);
  // The Airflow major version (2 or 3), for the links in notifications. Default 2.
  void SetAirflowMajor(int major) { airflow_major_ = major; }

  EngineSnapshot Snapshot() const;
  const Tracker& tracker() const { return tracker_; }

  // Reads and evaluates one DAG (optionally one run) without changing anything: the
  // observations `slayer explain` prints. Returns kNotFound for an unknown DAG.
  Result<std::vector<rules::Observation>> Explain(airflow::AirflowSource& source,
                                                  std::string_view dag_id,
                                                  std::string_view run_id, Timestamp now);

 private:
  struct DagInfo {
    airflow::Dag dag;
    std::vector<const rules::CompiledRule*> rules;
    bool needs_serialized = false;   // expected runs or task-level rules
    bool needs_tasks = false;        // task-level rules
    bool needs_latest_success = false;
  };

  Status ReadDags(airflow::AirflowSource& source, Timestamp now);
  Status ReadSerialized(airflow::AirflowSource& source, const std::set<std::string>& dag_ids,
                        bool refresh);
  // Builds the facts of `dag_ids` from the given runs, reading their task instances, deadlines,
  // latest successes and serialized DAGs as the rules need. `full`: a poll (new wall-clock
  // ticks too), not a due check; `advance`: move the wall-clock watermarks (not for explain).
  // `known`: task instances already read, by run (every run it holds was read in full).
  using TaskInstancesByRun = std::map<airflow::DagRunKey, std::vector<airflow::TaskInstance>>;
  Result<std::vector<rules::DagFacts>> ReadFacts(airflow::AirflowSource& source,
                                                 const std::set<std::string>& dag_ids,
                                                 std::vector<airflow::DagRun> runs, bool full,
                                                 bool advance, Timestamp now,
                                                 const TaskInstancesByRun* known = nullptr);
  std::vector<rules::Observation> EvaluateFacts(const std::vector<rules::DagFacts>& facts,
                                                Timestamp now);
  // Learns durations from the runs and task instances in `facts`, and marks the pending items
  // of those DAGs that are predicted to finish after their need-by at risk.
  void PredictAtRisk(const std::vector<rules::DagFacts>& facts, Timestamp now,
                     ApplyResult& result);
  // ReadFacts + EvaluateFacts, applied to the tracker and recorded.
  Status EvaluateDags(airflow::AirflowSource& source, const std::set<std::string>& dag_ids,
                      std::vector<airflow::DagRun> runs, bool full, Timestamp now,
                      const TaskInstancesByRun* known = nullptr);
  // Reads runs by key and appends them to `runs`; the open items of a run that is gone
  // (deleted from Airflow; expected runs excepted) are abandoned.
  Status ReadRunsByKey(airflow::AirflowSource& source, const std::vector<airflow::DagRunKey>& keys,
                       Timestamp now, std::vector<airflow::DagRun>* runs);
  Status Record(const ApplyResult& result, Timestamp now);
  void Count(const Transition& t);
  std::vector<Timestamp> WallClockTicks(const rules::CompiledRule& rule,
                                        const std::string& dag_id, Timestamp now, bool advance);

  EngineOptions options_;
  std::shared_ptr<const rules::RuleSet> rules_;
  store::Store* store_;
  Tracker tracker_;
  DurationModel durations_;
  EngineCounters counters_;

  std::map<std::string, DagInfo> dags_;  // every DAG, by id
  std::optional<Timestamp> dags_read_at_;
  std::map<std::string, std::optional<airflow::SerializedDag>> serialized_;
  std::optional<Timestamp> full_read_at_;
  std::optional<Timestamp> retention_applied_at_;
  // Where each (rule, dag) wall clock got to; when each DAG was first seen.
  std::map<std::pair<std::string, std::string>, Timestamp> wall_clock_until_;
  std::map<std::string, Timestamp> first_seen_;
  // Changes whose store write failed, written with the next ones.
  struct Unrecorded {
    std::map<rules::ItemKey, rules::Item> items;
    std::vector<rules::ItemKey> removed;
    std::vector<std::pair<rules::ItemKey, rules::ItemKey>> rekeyed;
    std::vector<store::OutboxEvent> events;
  };
  Unrecorded unrecorded_;
  std::shared_ptr<const notify::Router> router_;
  AfterRecord after_record_;
  int airflow_major_ = 2;
};

}  // namespace slayer::engine

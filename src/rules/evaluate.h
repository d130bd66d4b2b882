// Evaluate: what the rules say about one DAG, given what was read about it this time. It turns
// facts (the DAG, some of its runs and task instances, its latest success, Airflow's own SLAs
// and deadlines) into observations: for each item the facts cover, its need-by and whether the
// work is done, failed or still open. Only items the facts cover are observed; the tracker
// (engine/) keeps the rest as they were. Pure; thread-safe.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "airflow/dag.h"
#include "airflow/dag_run.h"
#include "airflow/deadline.h"
#include "airflow/serialized_dag.h"
#include "airflow/task_instance.h"
#include "common/time.h"
#include "rules/item.h"
#include "rules/rule_set.h"

namespace slayer::rules {

// What was read about one DAG. Empty or unset parts were not read this time.
struct DagFacts {
  airflow::Dag dag;
  // Its latest serialization: the timetable (expected runs), task ids and Airflow 2 task slas.
  std::optional<airflow::SerializedDag> serialized;
  // Runs read this time (active ones, tracked ones by key, recent ones by window).
  std::vector<airflow::DagRun> runs;
  // Task instances by run_id, for the runs whose task instances were read. A run absent here
  // gets no task-level observations.
  std::map<std::string, std::vector<airflow::TaskInstance>> task_instances;
  // The latest successful run, when it was read (wall-clock and freshness rules).
  bool latest_success_read = false;
  std::optional<airflow::DagRun> latest_success;
  // 3.1+ deadline rows of `runs` (airflow:deadline).
  std::vector<airflow::Deadline> deadlines;
  // Wall-clock ticks to observe, per rule name: new ticks, open ones and the next one.
  std::map<std::string, std::vector<Timestamp>> wall_clock_ticks;
  // Freshness: per rule name, the slots of the open items (to close them when a newer success
  // arrives), and when SLAyer first saw the DAG (the need-by base while it never succeeded).
  std::map<std::string, std::vector<std::string>> freshness_open_slots;
  std::optional<Timestamp> first_seen;
  // Expected runs: whether dag.next_dagrun can be trusted to mark where created runs end
  // (the engine sets it on polls, not on due checks).
  bool expected_runs = false;
};

struct EvaluateOptions {
  std::string instance;          // the airflow_instance of the keys
  bool airflow_native = true;    // also observe airflow:sla / airflow:deadline items
  Duration horizon = std::chrono::days(7);  // expected slots older than now - horizon: ignored
  size_t max_expected_slots = 100;          // per DAG and rule
};

// Where the work stands.
enum class Progress { kOpen, kDone, kFailed };

struct Observation {
  // key, severity, logical_date, need_by, reference, reference_time, paused. `state`,
  // `done_at` and `missed_at` are left for the tracker.
  Item item;
  // False when the need-by is not known yet (a task not started); such items are not tracked.
  bool armed = true;
  Progress progress = Progress::kOpen;
  // When it was done or failed (end_date); std::nullopt when Airflow did not say.
  std::optional<Timestamp> progress_at;
  // One line for `explain`: "run success at 10:02:11Z", "run not created yet (expected)".
  std::string why;
  // A DAG-level item of a schedule reference: an expected run may be re-keyed to the real run
  // that has this logical date.
  bool schedule_slot = false;
};

// Data oddities met while evaluating (NULL dates, end before start, unknown states); counted
// in a metric and explained, never fatal.
struct Oddities {
  int64_t null_dates = 0;
  int64_t end_before_start = 0;
  int64_t unknown_states = 0;
};

// The state an item would have from this observation alone at `now` (for `slayer explain` and
// a scan without history): met / met_late / abandoned / missed / pending. Unarmed: pending.
ItemState ProjectedState(const Observation& observation, Timestamp now);

std::vector<Observation> Evaluate(const RuleSet& rules, const DagFacts& facts, Timestamp now,
                                  const EvaluateOptions& options, Oddities* oddities = nullptr);

}  // namespace slayer::rules

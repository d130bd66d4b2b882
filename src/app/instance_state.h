// InstanceState: what SLAyer last knew about one Airflow deployment after a poll: whether its
// database answered, the detected schema, and the open misses. A value type, copied out of the
// poller under its lock; thread-compatible.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "airflow/schema.h"
#include "app/health_state.h"
#include "engine/instance_engine.h"
#include "rules/item.h"
#include "common/time.h"

namespace slayer::app {

// One thing that should have finished by now and has not: an open miss.
struct Violation {
  std::string rule;      // a configured rule, or "airflow:sla" / "airflow:deadline"
  std::string severity;  // critical | warning | info
  std::string dag_id;
  std::string run_id;    // empty when the run does not exist (yet)
  std::string task_id;   // empty for a DAG-level item
  // The run's logical date (else its run_after): the execution_date label of
  // airflow_sla_misses.
  Timestamp execution_date{};
  // When the work had to be done. For an Airflow 2 sla_miss row: execution_date + the task's
  // sla from the serialized DAG, or, when that is unknown, the row's `timestamp` (when Airflow
  // noticed the miss).
  Timestamp need_by{};
  std::string state = "missed";
  bool paused = false;  // the DAG is paused: reported, not alerted
};

struct InstanceState {
  std::string name;  // the airflow_instance label
  // The last poll read the database successfully.
  bool db_up = false;
  // Detected at the last successful connect; empty until the first one.
  std::optional<airflow::SchemaInfo> schema;
  // End of the last successful poll (wall clock).
  std::optional<Timestamp> last_success;
  // Duration of the last poll, successful or not, in seconds.
  double last_poll_seconds = 0;
  // Failed polls since start (connect failures included).
  uint64_t poll_errors_total = 0;
  // The last error, one line, secrets redacted; empty after a successful poll.
  std::string last_error;
  // The open misses as of the last successful read, sorted by (dag_id, run_id, task_id, rule):
  // every missed item of the deadline engine, plus the Airflow 2 sla_miss rows that are still
  // open (the original SLAyer semantics: the task instance is not success/skipped and its run
  // is not success) and not already an airflow:sla item. Kept unchanged while the database is
  // down: staleness is shown, not guessed.
  std::vector<Violation> violations;
  // Every open item of the deadline engine (pending, at_risk, missed), by key.
  std::vector<rules::Item> items;
  // The engine's counters since start (misses, outcomes, lateness, data oddities).
  engine::EngineCounters counters;
  // Airflow's own health as of the last successful health read (docs/health.md); kept
  // unchanged while the database is down.
  HealthState health;
};

}  // namespace slayer::app

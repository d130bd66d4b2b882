// The rows the simulator keeps in memory while Airflow would still change them: DAG runs with
// their task instances, deadlines with their triggers, jobs, and new sla_miss rows. Each row
// knows whether it is in the database yet (`persisted`) and whether it changed since it was
// last written (`dirty`). Plain value types; the Engine owns them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/time.h"
#include "sim/random.h"
#include "sim/timetable.h"
#include "sim/uuid.h"

namespace slayer::sim {

enum class TiState : uint8_t {
  kNone,  // NULL: created, not yet scheduled
  kScheduled,
  kQueued,
  kRunning,
  kSuccess,
  kFailed,
  kUpForRetry,
  kUpstreamFailed,
  kSkipped,
};

// Airflow's text ("success", ...); empty for kNone (written as NULL).
std::string_view TiStateName(TiState s);
bool IsFinished(TiState s);

enum class RunState : uint8_t { kQueued, kRunning, kSuccess, kFailed };
std::string_view RunStateName(RunState s);

struct SimTaskInstance {
  int task = 0;  // index into DagSpec::tasks
  TiState state = TiState::kNone;
  int try_number = 0;
  int pending_upstream = 0;  // upstream tasks not finished yet
  std::optional<Timestamp> start_date;
  std::optional<Timestamp> end_date;
  std::optional<double> duration;  // seconds
  std::optional<Timestamp> queued_dttm;
  std::optional<Timestamp> scheduled_dttm;     // 3.x
  std::optional<Timestamp> last_heartbeat_at;  // 3.x
  std::optional<int64_t> queued_by_job_id;
  std::optional<int64_t> job_id;  // 2.x LocalTaskJob
  int host = -1;                  // worker index; -1 = no hostname yet
  int pid = 0;
  Timestamp updated_at{};
  Uuid id{};  // 3.x task_instance.id
  bool persisted = false;
  bool dirty = true;
};

struct SimDagRun {
  int64_t id = 0;  // dag_run.id
  int dag = 0;     // index into the engine's DAGs
  std::string run_id;
  bool manual = false;
  std::optional<Timestamp> logical_date;  // NULL for 3.x manual runs
  std::optional<DataInterval> data_interval;
  Timestamp run_after{};
  Timestamp queued_at{};
  std::optional<Timestamp> start_date;
  std::optional<Timestamp> end_date;
  RunState state = RunState::kQueued;
  Timestamp updated_at{};
  Timestamp last_scheduling_decision{};
  int64_t creating_job_id = 0;
  std::vector<SimTaskInstance> tis;
  std::vector<uint64_t> deadline_keys;  // its SimDeadlines (3.1)
  int unfinished = 0;                   // task instances not in a finished state
  bool slow = false;                    // drawn late: durations stretched
  bool stalled = false;                 // --active-runs: tasks hang
  Rng rng{0};
  bool persisted = false;
  bool dirty = true;
  bool ti_dirty = true;  // some task instance is dirty
};

struct SimDeadline {
  uint64_t key = 0;  // engine-internal
  Uuid id{};
  int64_t dagrun_id = 0;
  Timestamp deadline_time{};
  std::string callback;
  std::optional<std::string> callback_state;  // NULL, queued, running, success
  std::optional<int64_t> trigger_id;
  bool pruned = false;  // deleted when its run succeeded in time
  bool persisted = false;
  bool dirty = true;
  // The trigger row the scheduler creates when the deadline is missed.
  int64_t trigger_row_id = 0;  // 0 = never created
  Timestamp trigger_created{};
  std::string trigger_kwargs;
  std::optional<int64_t> triggerer_id;
  bool trigger_persisted = false;
  bool trigger_dirty = false;
  bool trigger_deleted = false;
};

struct SimSlaMiss {
  std::string task_id;
  std::string dag_id;
  Timestamp execution_date{};
  Timestamp timestamp{};
  bool notification_sent = false;
};

struct SimJob {
  int64_t id = 0;
  std::string job_type;  // SchedulerJob, TriggererJob, DagProcessorJob, LocalTaskJob
  std::optional<std::string> dag_id;
  std::string state = "running";
  Timestamp start_date{};
  std::optional<Timestamp> end_date;
  Timestamp latest_heartbeat{};
  std::string hostname;
  std::optional<std::string> executor_class;
  bool persisted = false;
  bool dirty = true;
};

}  // namespace slayer::sim

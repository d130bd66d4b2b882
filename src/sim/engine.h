// Engine: a deterministic discrete-event model of Airflow's scheduler, executor, triggerer and
// dag-processor, in simulated time and without I/O. It creates DAG runs on their timetables,
// moves task instances through their states (respecting upstream dependencies and pool slots),
// retries, skips and fails them, records Airflow 2 SLA misses the way manage_slas does and runs
// the Airflow 3.1 deadline lifecycle. The rows it changes are marked dirty for a writer
// (row_writer.h). Same seed + same DAGs + same start = same rows, whatever steps time advances
// in. Not thread-safe.
#pragma once

#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <queue>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/time.h"
#include "sim/airflow_version.h"
#include "sim/dag_spec.h"
#include "sim/random.h"
#include "sim/sim_rows.h"
#include "sim/timetable.h"

namespace slayer::sim {

struct EngineOptions {
  AirflowVersion version = AirflowVersion::kV2;
  uint64_t seed = 1;
  int workers = 4;                               // hostnames airflow-worker-0 .. N-1
  bool local_task_jobs = false;                  // 2.x: one LocalTaskJob row per task try
  Duration heartbeat = std::chrono::seconds(5);  // job heartbeat period
  // --active-runs: this many DAGs get their first scheduled run created at or after
  // `stall_after` stuck with hanging tasks, so readers find active work.
  int stall_runs = 0;
  std::optional<Timestamp> stall_after;
};

// Where a DAG stands, for the dag row (next_dagrun fields) and for resuming.
struct DagState {
  DagSpec spec;
  Timetable timetable;
  std::vector<std::vector<int>> downstream;  // task -> tasks that wait for it
  std::vector<int> priority_weight;          // weight_rule downstream
  Timestamp start_date{};                    // effective start_date
  bool catchup = false;
  std::optional<DataInterval> last_interval;  // of the last scheduled run
  std::optional<DagRunInfo> next_info;        // the run the scheduler creates next
  std::vector<int> pool_of_task;              // task -> pool index
  int active_runs = 0;                        // queued + running
  int running_runs = 0;
  std::deque<int64_t> waiting_runs;  // queued runs held back by max_active_runs
  bool create_blocked = false;
  bool create_pending = false;
  bool has_sla = false;
  // manage_slas per task: the anchor is the run of the latest success/skipped TI (by logical
  // date); `candidate` is the first logical date after it not yet checked as missed.
  struct SlaTask {
    std::optional<Timestamp> anchor_logical;
    std::optional<DataInterval> anchor_interval;
    std::optional<DagRunInfo> candidate;
    bool candidate_valid = false;
  };
  std::vector<SlaTask> sla;
  std::set<std::pair<int, Timestamp>> sla_recorded;  // (task, execution_date)
  bool sla_armed = false;
  bool stall = false;  // the next scheduled run after stall_after hangs
  Rng manual_rng{0};
  Uuid version_id{};     // 3.x dag_version.id
  std::string dag_hash;  // md5 of the serialized DAG
  bool dirty = false;    // next_dagrun fields changed
};

class Engine {
 public:
  Engine(EngineOptions options, std::vector<DagState> dags, std::map<std::string, int> pools);
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Starts the Airflow processes at `now`: SchedulerJob, TriggererJob, DagProcessorJob (3.x),
  // and arms the first run of every unpaused DAG. `first_ids` continue the database's ids.
  struct Ids {
    int64_t dag_run = 0;
    int64_t job = 0;
    int64_t trigger = 0;
  };
  void Start(Timestamp now, Ids first_ids);

  // Processes every event up to and including `t`. REQUIRES: t >= now().
  void RunUntil(Timestamp t);

  // Scheduler outage: while stopped, its heartbeat freezes and nothing it does happens (no new
  // runs, no scheduling, no SLA checks, no deadline handling); running tasks still finish. On
  // restart a new SchedulerJob row starts and the old one is marked failed.
  void SetSchedulerRunning(bool running);
  bool scheduler_running() const { return scheduler_running_; }

  Timestamp now() const { return now_; }
  const EngineOptions& options() const { return options_; }
  // See EngineOptions::stall_after.
  void SetStallAfter(std::optional<Timestamp> t) { options_.stall_after = t; }

  // Rows for the writer. Runs in id order; finished runs stay until ReleaseSettled().
  std::map<int64_t, std::unique_ptr<SimDagRun>>& runs() { return runs_; }
  std::map<uint64_t, SimDeadline>& deadlines() { return deadlines_; }
  std::map<int64_t, SimJob>& jobs() { return jobs_; }
  std::vector<DagState>& dags() { return dags_; }
  const std::vector<std::string>& hostnames() const { return hostnames_; }
  // New sla_miss rows since the last TakeSlaMisses().
  std::vector<SimSlaMiss> TakeSlaMisses() { return std::exchange(new_sla_misses_, {}); }

  // Drops rows the database has and Airflow will not change again: finished runs that are
  // persisted and clean, settled deadlines, ended LocalTaskJobs.
  void ReleaseSettled();

  // Brings every heartbeating job's latest_heartbeat to the last beat at or before now().
  void UpdateHeartbeats();

  // Counters, for logs and tests.
  struct Stats {
    int64_t runs_created = 0;
    int64_t task_instances_created = 0;
    int64_t sla_misses = 0;
    int64_t deadlines_created = 0;
    int64_t deadlines_missed = 0;
    int64_t stalled_runs = 0;
  };
  const Stats& stats() const { return stats_; }

 private:
  enum class EventType : uint8_t {
    kCreateRun,
    kManualTrigger,
    kStartRun,
    kScheduleTi,
    kQueuePool,
    kStartTi,
    kFinishTi,
    kEvaluateDownstream,
    kFinishRun,
    kDeadlineDue,
    kDeadlineRunning,
    kDeadlineDone,
    kSlaCheck,
  };
  struct Event {
    Timestamp at;
    uint64_t seq;
    EventType type;
    int32_t dag;
    int32_t index;  // task instance or pool index
    int64_t key;    // dag_run id or deadline key
    bool operator>(const Event& o) const { return at != o.at ? at > o.at : seq > o.seq; }
  };
  struct PoolState {
    std::string name;
    int slots = 0;
    int used = 0;
    bool dispatch_pending = false;
    // (-priority_weight, run_after, run id, ti index) -> waiting scheduled TIs.
    std::set<std::tuple<int, Timestamp, int64_t, int>> waiting;
  };

  void Push(Timestamp at, EventType type, int dag, int64_t key = 0, int index = 0);
  void Handle(const Event& e);
  static bool IsSchedulerEvent(EventType t);

  Duration SchedulerLatency(Rng& rng) const;
  void CreateScheduledRun(int dag);
  void TriggerManualRun(int dag);
  SimDagRun& NewRun(int dag, bool manual, std::optional<Timestamp> logical,
                    std::optional<DataInterval> interval, Timestamp run_after);
  void StartRun(SimDagRun& run);
  void ScheduleTi(SimDagRun& run, int ti);
  void DispatchPool(int pool);
  void StartTi(SimDagRun& run, int ti);
  void FinishTi(SimDagRun& run, int ti);
  void EvaluateDownstream(SimDagRun& run, int ti);
  void MarkFinished(SimDagRun& run, SimTaskInstance& ti, TiState state);
  void FinishRun(SimDagRun& run);
  void ArmSla(int dag);
  void CheckSlas(int dag);
  std::optional<Timestamp> NextSlaDue(const DagState& d) const;
  Duration DrawDuration(SimDagRun& run, const TaskSpec& task);
  void Touch(SimDagRun& run);
  void Touch(SimDagRun& run, SimTaskInstance& ti);
  int64_t StartJob(const std::string& type, const std::string& hostname,
                   std::optional<std::string> executor, std::optional<std::string> dag_id);
  void UpdateSlaCandidate(const DagState& d, DagState::SlaTask& st) const;

  EngineOptions options_;
  std::vector<DagState> dags_;
  std::vector<PoolState> pools_;
  std::vector<std::string> hostnames_;
  std::priority_queue<Event, std::vector<Event>, std::greater<Event>> events_;
  std::vector<Event> deferred_;  // scheduler events held during an outage
  uint64_t seq_ = 0;
  Timestamp now_{};
  bool scheduler_running_ = true;
  std::map<int64_t, std::unique_ptr<SimDagRun>> runs_;
  std::map<uint64_t, SimDeadline> deadlines_;
  std::map<int64_t, SimJob> jobs_;
  std::vector<SimSlaMiss> new_sla_misses_;
  Ids next_{};
  uint64_t next_deadline_key_ = 1;
  int64_t scheduler_job_ = 0;  // job ids
  int64_t triggerer_job_ = 0;
  Rng engine_rng_{0};  // latencies of engine-wide actions (pool dispatch, restarts)
  Stats stats_;
};

// Python's datetime.isoformat() of a UTC instant: "2024-01-01T00:00:00+00:00", with
// ".123456" when there are microseconds; Airflow builds run_ids from it.
std::string PythonIsoFormat(Timestamp t);

}  // namespace slayer::sim

// InstancePoller: polls one Airflow deployment. It keeps one connection, reconnecting with
// exponential backoff when the database goes away, reads only bounded sets (SPEC section 8), and
// publishes an InstanceState. PollOnce() runs on one thread at a time; state() is thread-safe.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "airflow/source.h"
#include "app/health_reader.h"
#include "app/instance_state.h"
#include "common/clock.h"
#include "common/status.h"
#include "config/config.h"
#include "engine/instance_engine.h"
#include "rules/rule_set.h"
#include "store/store.h"

namespace slayer::app {

// Opens a source for an instance: connect, detect the schema. Injected so tests can fake it.
using SourceFactory = std::function<Result<std::unique_ptr<airflow::AirflowSource>>(
    const config::AirflowInstance& instance)>;

// The real factory: db::Connect (read-only, the instance's timeouts) + SqlAirflowSource::Open.
SourceFactory SqlSourceFactory();

struct PollerOptions {
  // How often the DAG list is re-read. Default 60s.
  Duration dag_refresh = std::chrono::seconds(60);
  // How often open sla_miss rows are re-read for every DAG; in between, only DAGs with active
  // runs (or active at the previous poll) are re-read. Default 5m.
  Duration sla_full_refresh = std::chrono::minutes(5);
  // storage.retention: final items older than this leave the store. Default 400d.
  Duration retention = std::chrono::days(400);
  // Reconnect backoff: first wait and cap. Defaults 1s and 60s.
  Duration reconnect_initial = std::chrono::seconds(1);
  Duration reconnect_max = std::chrono::seconds(60);
  // Service: backfill the last 30 days of each instance once, on its first start with a store
  // (docs/insights.md#backfill), on a thread of its own. `slayer serve` sets it.
  bool first_start_backfill = false;
};

class InstancePoller {
 public:
  // `clock` and `store` must outlive the poller. `rules` may be null (no rules); `store` may
  // be null (nothing recorded: slayer scan).
  InstancePoller(config::AirflowInstance instance, const Clock& clock, SourceFactory factory,
                 PollerOptions options = {}, std::shared_ptr<const rules::RuleSet> rules = nullptr,
                 store::Store* store = nullptr);
  InstancePoller(const InstancePoller&) = delete;
  InstancePoller& operator=(const InstancePoller&) = delete;

  // Connects if needed (unless still backing off) and reads. On error the state keeps the last
  // known misses, db_up becomes false for connection-level errors, and the error is returned.
  // With a store, records the poll's airflow_up in its health intervals (unknown when the
  // health read failed; docs/health.md#uptime); a store failure there is logged, not returned.
  Status PollOnce();

  // Two health samples further apart than this leave the time between them unknown:
  // max(3 x poll_interval, 30s).
  Duration health_max_gap() const;

  // Re-reads the items whose need-by has passed since the last check and declares their
  // misses (the timer queue between polls). Does nothing while disconnected.
  Status CheckDue();
  // The next need-by to wake up for (wall clock), if any.
  std::optional<Timestamp> NextWakeup() const;

  // When the next poll is due, given the last one (monotonic clock).
  Duration poll_interval() const { return instance_.poll_interval; }
  const std::string& name() const { return instance_.name; }

  InstanceState state() const;

  // Routes the engine's item changes to notifications (InstanceEngine::SetNotifier). Call
  // before the first poll.
  void SetNotifier(std::shared_ptr<const notify::Router> router,
                   engine::InstanceEngine::AfterRecord after_record) {
    engine_.SetNotifier(std::move(router), std::move(after_record));
  }

 private:
  Status Connect(std::chrono::steady_clock::time_point now);
  Status Read();
  // Reads the task slas of DAGs with open misses that are not cached yet.
  Status ReadTaskSlas();
  std::vector<Violation> BuildViolations() const;
  // Copies the engine's items, counters and the violations into state_ (under mu_).
  void PublishEngine();
  void Fail(const Status& status, bool connection_lost);
  // Records this poll's health sample and applies the health retention hourly.
  void RecordHealth();

  const config::AirflowInstance instance_;
  const Clock& clock_;
  const SourceFactory factory_;
  const PollerOptions options_;

  // Poller thread only.
  std::unique_ptr<airflow::AirflowSource> source_;
  std::chrono::steady_clock::time_point next_connect_{};
  Duration backoff_{0};
  std::vector<airflow::Dag> dags_;  // the last DAG list read (DAG counts)
  std::vector<std::string> dag_ids_;
  std::optional<std::chrono::steady_clock::time_point> dags_read_at_;
  std::optional<std::chrono::steady_clock::time_point> sla_full_read_at_;
  std::set<std::string> previously_active_;
  std::vector<airflow::SlaMiss> open_sla_misses_;  // the current view, all DAGs
  // Task sla of DAGs with open misses, from their serialized DAGs: dag_id -> task_id -> sla.
  std::map<std::string, std::map<std::string, Duration>> task_sla_;
  std::optional<std::chrono::steady_clock::time_point> task_sla_read_at_;
  HealthReader health_reader_;
  store::Store* const store_;  // may be null
  // airflow_up as this poll read it, and when (wall clock); unset when the read failed.
  std::optional<bool> health_sample_;
  Timestamp health_sampled_at_{};
  std::optional<std::chrono::steady_clock::time_point> health_retention_at_;
  std::shared_ptr<const rules::RuleSet> rules_;  // never null; the canary rules for health_reader_
  engine::InstanceEngine engine_;
  bool restored_ = false;
  // Need-bys up to here were re-read by CheckDue (or a poll): wake only for later ones.
  Timestamp due_checked_until_{};

  mutable std::mutex mu_;
  InstanceState state_;  // GUARDED_BY(mu_)
};

}  // namespace slayer::app

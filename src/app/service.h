// Service: the running monitor. One poller thread per Airflow instance reads the database on
// its poll_interval; after every poll the exposition is rebuilt once, so a scrape only copies a
// pointer and never touches the database. Reload() swaps in a new config, or keeps the old one
// when the new one is invalid. Thread-safe.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "app/instance_poller.h"
#include "store/store.h"
#include "app/instance_state.h"
#include "common/clock.h"
#include "common/status.h"
#include "config/config.h"
#include "notify/dispatcher.h"
#include "notify/router.h"

namespace slayer::app {

// Loads and validates the config; Service calls it at start and on every reload.
using ConfigLoader = std::function<Result<config::ValidatedConfig>()>;
// Opens the history store of a config (store::OpenStore on its `storage`).
using StoreOpener = std::function<Result<std::unique_ptr<store::Store>>(const config::Storage&)>;

class Service {
 public:
  // `clock` must outlive the service. The version goes into slayer_build_info.
  // Without `store_opener` nothing is recorded (tests).
  Service(ConfigLoader loader, const Clock& clock, SourceFactory factory, std::string version,
          PollerOptions poller_options = {}, StoreOpener store_opener = nullptr);
  ~Service();
  Service(const Service&) = delete;
  Service& operator=(const Service&) = delete;

  // Loads the config, opens the store and starts polling. Fails (and starts nothing) when the
  // config is invalid or the store cannot be opened.
  Status Start();
  // Loads the config again. When valid, the pollers restart with it; when not, the error is
  // returned and the running config stays.
  Status Reload();
  // Stops the pollers; returns when their threads have ended. Idempotent.
  void Stop();

  // The Prometheus text exposition as of the last poll; never null.
  std::shared_ptr<const std::string> Exposition() const;
  // True once any instance has completed a successful poll (the /-/ready contract).
  bool Ready() const { return ready_.load(); }
  // The latest state of every instance, in config order.
  std::vector<InstanceState> States() const;
  // The history store Start() opened (kept across reloads), or nullptr. Set once by Start(),
  // before the HTTP server starts, so reading it needs no lock.
  store::Store* store() const { return store_.get(); }
  // The running config's display_timezone ("UTC" before Start()).
  std::string display_timezone() const;
  // The running config's Airflow instances (empty before Start()).
  std::vector<config::AirflowInstance> airflow_instances() const;
  // When Start() succeeded (wall clock).
  Timestamp started_at() const { return started_at_; }

 private:
  Status StartPollers(const config::ValidatedConfig& config);
  void StopPollers();
  // The notification dispatcher for `config`'s channels (none without a store or channels),
  // and the router the pollers use.
  Status StartNotifications(const config::ValidatedConfig& config);
  void StopNotifications();
  void AfterRecord(const std::vector<notify::Suppressed>& suppressed);
  void PollLoop(InstancePoller* poller, std::stop_token stop);
  // The first-start backfill of `config`'s instances (PollerOptions::first_start_backfill).
  void FirstStartBackfill(config::ValidatedConfig config, std::stop_token stop);
  void Publish();

  const ConfigLoader loader_;
  const Clock& clock_;
  const SourceFactory factory_;
  const std::string version_;
  const PollerOptions poller_options_;
  const StoreOpener store_opener_;
  std::unique_ptr<store::Store> store_;  // opened by Start; kept across reloads
  Timestamp started_at_{};
  std::atomic<bool> ready_{false};

  std::mutex lifecycle_mu_;  // serialises Start, Reload, Stop
  // Written under lifecycle_mu_ and read by Publish/States under pollers_mu_.
  mutable std::mutex pollers_mu_;
  std::vector<std::unique_ptr<InstancePoller>> pollers_;  // GUARDED_BY(pollers_mu_)
  std::string display_timezone_ = "UTC";                  // GUARDED_BY(pollers_mu_)
  std::vector<config::AirflowInstance> airflow_instances_;  // GUARDED_BY(pollers_mu_)
  std::vector<std::jthread> threads_;                     // GUARDED_BY(lifecycle_mu_)
  std::jthread backfill_thread_;                          // GUARDED_BY(lifecycle_mu_)

  // Replaced on reload (under lifecycle_mu_); read by poller threads under notify_mu_.
  std::shared_ptr<const notify::Router> router_;            // GUARDED_BY(lifecycle_mu_)
  std::shared_ptr<notify::OutcomeCounters> notify_counters_ =
      std::make_shared<notify::OutcomeCounters>();
  mutable std::mutex notify_mu_;
  std::shared_ptr<notify::Dispatcher> dispatcher_;  // GUARDED_BY(notify_mu_)

  std::mutex wake_mu_;
  std::condition_variable_any wake_;

  mutable std::mutex exposition_mu_;
  std::shared_ptr<const std::string> exposition_;  // GUARDED_BY(exposition_mu_)
};

}  // namespace slayer::app

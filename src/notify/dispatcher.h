// Dispatcher: delivers the outbox (docs/notifications.md#delivery-and-retries). One thread per
// channel takes that channel's pending events in queue order and hands each to the channel:
// delivered → finished; rejected for good → finished and logged as an error; a transient
// failure → retried after an exponential backoff (the channel's backoff.initial doubling up to
// backoff.max), and the events behind it wait, so one item's recovery never overtakes its miss.
// An event is dropped after max_retries failed attempts or when older than give_up_after. Every
// outcome is written to the store before the next event, so a restart resumes where it stopped;
// an event delivered just before a crash is delivered again with the same idempotency key.
// For channels that want it (Alertmanager) the dispatcher re-posts the open misses every
// refresh_interval. Thread-safe.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <thread>
#include <tuple>
#include <vector>

#include "common/clock.h"
#include "common/time.h"
#include "config/config.h"
#include "notify/channel.h"
#include "notify/router.h"
#include "store/store.h"

namespace slayer::notify {

// A channel and its configuration (retries, backoff).
struct DispatchChannel {
  std::unique_ptr<Channel> channel;
  config::Channel config;  // a validated entry: backoff is set
};

struct DispatcherOptions {
  // notifications.give_up_after. Default 24h.
  Duration give_up_after = std::chrono::hours(24);
  // How often open misses are re-posted to channels that want it. Default 60s.
  Duration refresh_interval = std::chrono::seconds(60);
  // Events read from the store at a time. Default 100.
  size_t batch = 100;
  // How long to wait before reading the store again after it failed. Default 5s.
  Duration store_retry = std::chrono::seconds(5);
};

// slayer_notifications_total and slayer_outbox_pending.
struct NotificationCounters {
  // (channel, kind, outcome) -> count. Outcomes: delivered, failed (an attempt failed and will
  // be retried), rejected, dropped, suppressed.
  std::map<std::tuple<std::string, std::string, std::string>, uint64_t> total;
  std::map<std::string, int64_t> pending;  // channel -> pending events
};

// The outcome counters, kept apart from a Dispatcher so that they survive a config reload
// (which replaces the dispatcher). Thread-safe.
class OutcomeCounters {
 public:
  void Add(const std::string& channel, std::string_view kind, std::string_view outcome);
  std::map<std::tuple<std::string, std::string, std::string>, uint64_t> Snapshot() const;

 private:
  mutable std::mutex mu_;
  std::map<std::tuple<std::string, std::string, std::string>, uint64_t> counts_;
};

class Dispatcher {
 public:
  // `store` and `clock` must outlive the dispatcher. `counters` may be shared with the next
  // dispatcher; nullptr = its own.
  Dispatcher(store::Store& store, const Clock& clock, std::vector<DispatchChannel> channels,
             DispatcherOptions options = {}, std::shared_ptr<OutcomeCounters> counters = nullptr);
  ~Dispatcher();
  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;

  // Drops the pending events of channels that are no longer configured, then starts one
  // thread per channel. Call once.
  Status Start();
  // Stops the threads (an attempt in flight finishes first). Idempotent.
  void Stop();
  // New events were queued: look at the outbox now rather than at the next retry.
  void Wake();
  // Counts notifications the router held back (silences, paused DAGs).
  void CountSuppressed(const std::vector<Suppressed>& suppressed);

  // The counters since start (every channel, kind and outcome of a configured channel, from 0),
  // and the pending events per configured channel.
  NotificationCounters Counters() const;

  // The retry delay after `attempts` failed attempts: initial * 2^(attempts-1), at most max.
  static Duration BackoffAfter(int attempts, const config::Backoff& backoff);

 private:
  struct Worker {
    DispatchChannel channel;
    std::mutex mu;
    std::condition_variable_any cv;
    bool woken = false;  // GUARDED_BY(mu)
    std::optional<Timestamp> next_refresh;
  };

  void Run(Worker& worker, std::stop_token stop);
  // Delivers what is due; returns when to look again (std::nullopt: when woken).
  std::optional<Timestamp> Step(Worker& worker, const std::stop_token& stop);
  void Refresh(Worker& worker, Timestamp now);
  void Count(const std::string& channel, std::string_view kind, std::string_view outcome);

  store::Store& store_;
  const Clock& clock_;
  const DispatcherOptions options_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::vector<std::jthread> threads_;

  const std::shared_ptr<OutcomeCounters> counters_;
};

}  // namespace slayer::notify

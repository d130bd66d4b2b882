#include "notify/dispatcher.h"

#include <algorithm>
#include <utility>

#include "common/log.h"

namespace slayer::notify {
namespace {

std::string Excerpt(std::string_view text) {
  constexpr size_t kMax = 300;
  return text.size() <= kMax ? std::string(text) : std::string(text.substr(0, kMax)) + "...";
}

}  // namespace

void OutcomeCounters::Add(const std::string& channel, std::string_view kind,
                          std::string_view outcome) {
  std::lock_guard lock(mu_);
  ++counts_[{channel, std::string(kind), std::string(outcome)}];
}

std::map<std::tuple<std::string, std::string, std::string>, uint64_t> OutcomeCounters::Snapshot()
    const {
  std::lock_guard lock(mu_);
  return counts_;
}

Dispatcher::Dispatcher(store::Store& store, const Clock& clock,
                       std::vector<DispatchChannel> channels, DispatcherOptions options,
                       std::shared_ptr<OutcomeCounters> counters)
    : store_(store),
      clock_(clock),
      options_(options),
      counters_(counters ? std::move(counters) : std::make_shared<OutcomeCounters>()) {
  for (DispatchChannel& c : channels) {
    auto worker = std::make_unique<Worker>();
    worker->channel = std::move(c);
    workers_.push_back(std::move(worker));
  }
}

Dispatcher::~Dispatcher() { Stop(); }

Duration Dispatcher::BackoffAfter(int attempts, const config::Backoff& backoff) {
  Duration delay = backoff.initial;
  for (int i = 1; i < attempts && delay < backoff.max; ++i) delay *= 2;
  return std::min(delay, backoff.max);
}

Status Dispatcher::Start() {
  std::vector<std::string> names;
  for (const auto& w : workers_) names.push_back(w->channel.config.name);
  auto dropped = store_.DropOutboxExcept(names, clock_.Now());
  if (!dropped) return dropped.error().WithContext("notifications");
  if (*dropped > 0) {
    LogWarn("dropped pending notifications of channels no longer configured",
            {{"events", *dropped}});
  }
  for (auto& w : workers_) {
    Worker* worker = w.get();
    threads_.emplace_back([this, worker](std::stop_token stop) { Run(*worker, stop); });
  }
  return Status::Ok();
}

void Dispatcher::Stop() {
  for (std::jthread& t : threads_) t.request_stop();
  for (auto& w : workers_) {
    std::lock_guard lock(w->mu);
    w->cv.notify_all();
  }
  threads_.clear();  // joins
}

void Dispatcher::Wake() {
  for (auto& w : workers_) {
    std::lock_guard lock(w->mu);
    w->woken = true;
    w->cv.notify_all();
  }
}

void Dispatcher::CountSuppressed(const std::vector<Suppressed>& suppressed) {
  for (const Suppressed& s : suppressed) {
    Count(s.channel, EventKindName(s.kind), "suppressed");
  }
}

void Dispatcher::Count(const std::string& channel, std::string_view kind,
                       std::string_view outcome) {
  counters_->Add(channel, kind, outcome);
}

NotificationCounters Dispatcher::Counters() const {
  NotificationCounters out;
  out.total = counters_->Snapshot();
  // Every series of a configured channel exists from the start, at 0, so that increase() and
  // rate() see its first event.
  static constexpr std::string_view kOutcomes[] = {"delivered", "failed", "rejected", "dropped",
                                                   "suppressed"};
  for (const auto& w : workers_) {
    const std::string& name = w->channel.config.name;
    out.pending[name] = 0;
    for (EventKind kind : {EventKind::kMissed, EventKind::kRecovered, EventKind::kAbandoned,
                           EventKind::kAtRisk}) {
      for (std::string_view outcome : kOutcomes) {
        out.total.try_emplace({name, std::string(EventKindName(kind)), std::string(outcome)}, 0);
      }
    }
  }
  auto pending = store_.OutboxPendingCounts();
  if (pending) {
    for (const auto& [channel, n] : *pending) {
      if (out.pending.count(channel)) out.pending[channel] = n;
    }
  }
  return out;
}

void Dispatcher::Run(Worker& worker, std::stop_token stop) {
  while (!stop.stop_requested()) {
    std::optional<Timestamp> next = Step(worker, stop);
    if (stop.stop_requested()) break;
    if (worker.channel.channel->WantsRefresh()) {
      const Timestamp now = clock_.Now();
      if (!worker.next_refresh || now >= *worker.next_refresh) Refresh(worker, now);
      if (!next || *worker.next_refresh < *next) next = worker.next_refresh;
    }
    std::unique_lock lock(worker.mu);
    if (worker.woken) {
      worker.woken = false;
      continue;
    }
    auto woken = [&] { return worker.woken; };
    if (next) {
      const Duration wait = *next - clock_.Now();
      if (wait > Duration::zero()) worker.cv.wait_for(lock, stop, wait, woken);
    } else {
      worker.cv.wait(lock, stop, woken);
    }
    worker.woken = false;
  }
}

std::optional<Timestamp> Dispatcher::Step(Worker& worker, const std::stop_token& stop) {
  const config::Channel& config = worker.channel.config;
  Channel& channel = *worker.channel.channel;
  auto entries = store_.PendingOutbox(config.name, options_.batch);
  if (!entries) {
    LogError("cannot read the outbox",
             {{"channel", config.name}, {"err", entries.error().message()}});
    return clock_.Now() + options_.store_retry;
  }
  auto finish = [&](const store::OutboxEntry& e, store::OutboxOutcome outcome,
                    std::string_view error) {
    Status st = store_.OutboxFinish(e.id, outcome, clock_.Now(), error);
    if (!st.ok()) {
      // The outcome is lost: the event stays pending and is delivered again after a restart,
      // with the same idempotency key.
      LogError("cannot record a notification outcome",
               {{"channel", config.name}, {"key", e.event_key}, {"err", st.message()}});
    }
  };
  for (const store::OutboxEntry& e : *entries) {
    if (stop.stop_requested()) return std::nullopt;
    Timestamp now = clock_.Now();
    if (now - e.created_at >= options_.give_up_after) {
      std::string why = "not delivered within give_up_after (" +
                        FormatDuration(options_.give_up_after) + ")";
      if (!e.last_error.empty()) why += "; last error: " + e.last_error;
      LogError("notification dropped",
               {{"channel", config.name}, {"kind", e.kind}, {"key", e.event_key}, {"err", why}});
      finish(e, store::OutboxOutcome::kDropped, why);
      Count(config.name, e.kind, "dropped");
      continue;
    }
    if (e.next_attempt_at > now) return e.next_attempt_at;  // the head waits; so does the rest
    auto event = EventFromJson(e.payload);
    if (!event) {
      LogError("notification dropped: unreadable outbox entry",
               {{"channel", config.name}, {"key", e.event_key}, {"err", event.error().message()}});
      finish(e, store::OutboxOutcome::kDropped, event.error().message());
      Count(config.name, e.kind, "dropped");
      continue;
    }
    const DeliveryResult result = channel.Deliver(*event);
    switch (result.outcome) {
      case DeliveryResult::Outcome::kDelivered:
        finish(e, store::OutboxOutcome::kDelivered, "");
        Count(config.name, e.kind, "delivered");
        LogInfo("notification delivered", {{"channel", config.name},
                                           {"kind", e.kind},
                                           {"key", e.event_key},
                                           {"attempts", e.attempts + 1}});
        break;
      case DeliveryResult::Outcome::kRejected:
        finish(e, store::OutboxOutcome::kRejected, Excerpt(result.error));
        Count(config.name, e.kind, "rejected");
        LogError("notification rejected; not retried (check the channel's configuration)",
                 {{"channel", config.name},
                  {"kind", e.kind},
                  {"key", e.event_key},
                  {"err", Excerpt(result.error)}});
        break;
      case DeliveryResult::Outcome::kRetry: {
        const int attempts = e.attempts + 1;
        Count(config.name, e.kind, "failed");
        if (config.max_retries && attempts > *config.max_retries) {
          std::string why = "gave up after " + std::to_string(attempts) +
                            " attempts (max_retries " + std::to_string(*config.max_retries) +
                            "): " + Excerpt(result.error);
          LogError("notification dropped", {{"channel", config.name},
                                            {"kind", e.kind},
                                            {"key", e.event_key},
                                            {"err", why}});
          finish(e, store::OutboxOutcome::kDropped, why);
          Count(config.name, e.kind, "dropped");
          break;
        }
        const config::Backoff backoff = config.backoff.value_or(config::Backoff{});
        const Timestamp next = clock_.Now() + BackoffAfter(attempts, backoff);
        LogWarn("notification failed; will retry", {{"channel", config.name},
                                                    {"kind", e.kind},
                                                    {"key", e.event_key},
                                                    {"attempts", attempts},
                                                    {"retry_at", FormatRfc3339(next)},
                                                    {"err", Excerpt(result.error)}});
        Status st = store_.OutboxRetry(e.id, attempts, next, Excerpt(result.error));
        if (!st.ok()) {
          LogError("cannot record a notification retry",
                   {{"channel", config.name}, {"key", e.event_key}, {"err", st.message()}});
        }
        return next;
      }
    }
  }
  if (entries->size() == options_.batch) return clock_.Now();  // more behind this batch
  return std::nullopt;
}

void Dispatcher::Refresh(Worker& worker, Timestamp now) {
  const config::Channel& config = worker.channel.config;
  worker.next_refresh = now + options_.refresh_interval;
  auto payloads = store_.DeliveredPayloadsWhileState(
      config.name, EventKindName(EventKind::kMissed), rules::ItemState::kMissed);
  if (!payloads) {
    LogError("cannot read open misses to re-post",
             {{"channel", config.name}, {"err", payloads.error().message()}});
    return;
  }
  if (payloads->empty()) return;
  std::vector<Event> events;
  events.reserve(payloads->size());
  for (const std::string& p : *payloads) {
    if (auto e = EventFromJson(p)) events.push_back(std::move(*e));
  }
  DeliveryResult result = worker.channel.channel->Refresh(events);
  if (!result.delivered()) {
    LogWarn("cannot re-post open misses; will try again",
            {{"channel", config.name}, {"alerts", events.size()}, {"err", Excerpt(result.error)}});
  }
}

}  // namespace slayer::notify

#include "app/service.h"

#include "app/collectors.h"
#include "app/history_backfill.h"
#include "common/log.h"

namespace slayer::app {

Service::Service(ConfigLoader loader, const Clock& clock, SourceFactory factory,
                 std::string version, PollerOptions poller_options, StoreOpener store_opener)
    : loader_(std::move(loader)),
      clock_(clock),
      factory_(std::move(factory)),
      version_(std::move(version)),
      poller_options_(poller_options),
      store_opener_(std::move(store_opener)),
      exposition_(std::make_shared<const std::string>()) {}

Service::~Service() { Stop(); }

Status Service::Start() {
  std::lock_guard lock(lifecycle_mu_);
  auto config = loader_();
  if (!config) return config.error();
  if (store_opener_ && !store_) {
    auto store = store_opener_((*config)->storage);
    if (!store) return store.error();
    store_ = std::move(*store);
  }
  started_at_ = clock_.Now();
  SLAYER_RETURN_IF_ERROR(StartNotifications(*config));
  SLAYER_RETURN_IF_ERROR(StartPollers(*config));
  if (store_ && poller_options_.first_start_backfill && !backfill_thread_.joinable()) {
    backfill_thread_ = std::jthread([this, c = *config](std::stop_token stop) {
      FirstStartBackfill(c, std::move(stop));
    });
  }
  return Status::Ok();
}

void Service::FirstStartBackfill(config::ValidatedConfig config, std::stop_token stop) {
  BackfillRequest request;
  request.first_start = true;
  request.should_stop = [&stop] { return stop.stop_requested(); };
  request.progress = [](const std::string& instance, const engine::BackfillStats& s) {
    LogInfo("backfill progress", {{"instance", instance},
                                  {"dags_done", s.dags_done},
                                  {"dags_total", s.dags_total},
                                  {"runs", s.runs},
                                  {"items_written", s.written}});
  };
  auto results = BackfillInstances(config, *store_, factory_, clock_, request);
  if (!results) {
    LogError("backfill failed", {{"err", results.error().message()}});
    return;
  }
  for (const InstanceBackfill& r : *results) {
    if (r.skipped) continue;
    if (!r.status.ok()) {
      LogWarn("backfill stopped; it resumes at the next start",
              {{"instance", r.instance}, {"err", r.status.message()}});
      continue;
    }
    LogInfo("backfill done", {{"instance", r.instance},
                              {"dags", r.stats.dags_total},
                              {"runs", r.stats.runs},
                              {"items", r.stats.items},
                              {"items_written", r.stats.written},
                              {"seconds", r.seconds}});
  }
}

Status Service::Reload() {
  std::lock_guard lock(lifecycle_mu_);
  auto config = loader_();
  if (!config) {
    LogError("config reload failed; keeping the running config", {{"err", config.error().message()}});
    return config.error();
  }
  auto rules = rules::RuleSet::Make((*config)->rules);
  if (!rules) {
    LogError("config reload failed; keeping the running config", {{"err", rules.error().message()}});
    return rules.error();
  }
  StopPollers();
  StopNotifications();
  if (Status st = StartNotifications(*config); !st.ok()) {
    // The new channels cannot be made (an unreadable ca_file, say): keep running without
    // them rather than stop monitoring; the outbox keeps their events.
    LogError("notifications not started after reload", {{"err", st.message()}});
  }
  SLAYER_RETURN_IF_ERROR(StartPollers(*config));
  LogInfo("config reloaded", {{"instances", (*config)->airflow.size()},
                              {"rules", (*config)->rules.size()}});
  return Status::Ok();
}

void Service::Stop() {
  std::lock_guard lock(lifecycle_mu_);
  if (backfill_thread_.joinable()) {
    backfill_thread_.request_stop();
    backfill_thread_.join();
  }
  StopPollers();
  StopNotifications();
}

Status Service::StartNotifications(const config::ValidatedConfig& config) {
  auto router = notify::Router::Make(*config);
  if (!router) return router.error().WithContext("notifications");
  router_ = std::move(*router);
  if (!store_ || config->channels.empty()) return Status::Ok();
  std::vector<notify::DispatchChannel> channels;
  for (const config::Channel& c : config->channels) {
    auto channel = notify::MakeChannel(c);
    if (!channel) return channel.error().WithContext("channel '" + c.name + "'");
    channels.push_back({std::move(*channel), c});
  }
  notify::DispatcherOptions options;
  options.give_up_after = config->notifications.give_up_after;
  auto dispatcher = std::make_shared<notify::Dispatcher>(*store_, clock_, std::move(channels),
                                                         options, notify_counters_);
  SLAYER_RETURN_IF_ERROR(dispatcher->Start());
  std::lock_guard lock(notify_mu_);
  dispatcher_ = std::move(dispatcher);
  return Status::Ok();
}

void Service::StopNotifications() {
  std::shared_ptr<notify::Dispatcher> dispatcher;
  {
    std::lock_guard lock(notify_mu_);
    dispatcher = std::move(dispatcher_);
  }
  if (dispatcher) dispatcher->Stop();
}

void Service::AfterRecord(const std::vector<notify::Suppressed>& suppressed) {
  std::shared_ptr<notify::Dispatcher> dispatcher;
  {
    std::lock_guard lock(notify_mu_);
    dispatcher = dispatcher_;
  }
  if (!dispatcher) return;
  dispatcher->CountSuppressed(suppressed);
  dispatcher->Wake();
}

Status Service::StartPollers(const config::ValidatedConfig& config) {
  auto rules = rules::RuleSet::Make(config->rules);
  if (!rules) return rules.error();
  auto shared = std::make_shared<const rules::RuleSet>(std::move(*rules));
  PollerOptions options = poller_options_;
  options.retention = config->storage.retention;
  {
    std::lock_guard lock(pollers_mu_);
    display_timezone_ = config->display_timezone;
    airflow_instances_ = config->airflow;
    for (const auto& instance : config->airflow) {
      pollers_.push_back(std::make_unique<InstancePoller>(instance, clock_, factory_, options,
                                                          shared, store_.get()));
      if (store_) {
        pollers_.back()->SetNotifier(router_, [this](const auto& s) { AfterRecord(s); });
      }
    }
  }
  Publish();
  for (auto& poller : pollers_) {
    threads_.emplace_back(
        [this, p = poller.get()](std::stop_token stop) { PollLoop(p, std::move(stop)); });
  }
  return Status::Ok();
}

void Service::StopPollers() {
  for (auto& t : threads_) t.request_stop();
  wake_.notify_all();
  threads_.clear();  // joins
  std::lock_guard lock(pollers_mu_);
  pollers_.clear();
}

// Polls on the instance's interval and, in between, wakes at each need-by (the timer queue)
// to re-read just the items that are due, so a miss is declared within a second of it.
void Service::PollLoop(InstancePoller* poller, std::stop_token stop) {
  auto next_poll = clock_.Monotonic();
  while (!stop.stop_requested()) {
    const auto started = clock_.Monotonic();
    if (started >= next_poll) {
      next_poll = started + poller->poll_interval();
      Status st = poller->PollOnce();
      if (st.ok()) {
        ready_.store(true);
        LogDebug("poll done", {{"instance", poller->name()},
                               {"duration_seconds", clock_.Monotonic() - started}});
      } else {
        LogWarn("poll failed", {{"instance", poller->name()}, {"err", st.message()}});
      }
    } else {
      Status st = poller->CheckDue();
      if (!st.ok()) LogWarn("deadline check failed", {{"instance", poller->name()}, {"err", st.message()}});
    }
    Publish();
    auto wake = next_poll;
    if (auto need_by = poller->NextWakeup()) {
      const auto in = std::max(Duration::zero(), *need_by - clock_.Now());
      wake = std::min(wake, clock_.Monotonic() + in);
    }
    std::unique_lock lock(wake_mu_);
    wake_.wait_until(lock, stop, wake, [] { return false; });
  }
}

void Service::Publish() {
  std::optional<notify::NotificationCounters> notifications;
  {
    std::shared_ptr<notify::Dispatcher> dispatcher;
    {
      std::lock_guard lock(notify_mu_);
      dispatcher = dispatcher_;
    }
    if (dispatcher) notifications = dispatcher->Counters();
  }
  auto text = RenderExposition(States(), version_, clock_.Now(),
                               notifications ? &*notifications : nullptr);
  if (!text) {
    // A bug (an invalid family), never data: keep serving the previous exposition.
    LogError("cannot build metrics", {{"err", text.error().message()}});
    return;
  }
  auto shared = std::make_shared<const std::string>(std::move(*text));
  std::lock_guard lock(exposition_mu_);
  exposition_ = std::move(shared);
}

std::shared_ptr<const std::string> Service::Exposition() const {
  std::lock_guard lock(exposition_mu_);
  return exposition_;
}

std::string Service::display_timezone() const {
  std::lock_guard lock(pollers_mu_);
  return display_timezone_;
}

std::vector<config::AirflowInstance> Service::airflow_instances() const {
  std::lock_guard lock(pollers_mu_);
  return airflow_instances_;
}

std::vector<InstanceState> Service::States() const {
  std::lock_guard lock(pollers_mu_);
  std::vector<InstanceState> out;
  out.reserve(pollers_.size());
  for (const auto& p : pollers_) out.push_back(p->state());
  return out;
}

}  // namespace slayer::app

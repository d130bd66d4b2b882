#include "app/service.h"

#include "app/collectors.h"
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
  return StartPollers(*config);
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
  SLAYER_RETURN_IF_ERROR(StartPollers(*config));
  LogInfo("config reloaded", {{"instances", (*config)->airflow.size()},
                              {"rules", (*config)->rules.size()}});
  return Status::Ok();
}

void Service::Stop() {
  std::lock_guard lock(lifecycle_mu_);
  StopPollers();
}

Status Service::StartPollers(const config::ValidatedConfig& config) {
  auto rules = rules::RuleSet::Make(config->rules);
  if (!rules) return rules.error();
  auto shared = std::make_shared<const rules::RuleSet>(std::move(*rules));
  PollerOptions options = poller_options_;
  options.retention = config->storage.retention;
  {
    std::lock_guard lock(pollers_mu_);
    for (const auto& instance : config->airflow) {
      pollers_.push_back(std::make_unique<InstancePoller>(instance, clock_, factory_, options,
                                                          shared, store_.get()));
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
  auto text = RenderExposition(States(), version_, clock_.Now());
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

std::vector<InstanceState> Service::States() const {
  std::lock_guard lock(pollers_mu_);
  std::vector<InstanceState> out;
  out.reserve(pollers_.size());
  for (const auto& p : pollers_) out.push_back(p->state());
  return out;
}

}  // namespace slayer::app

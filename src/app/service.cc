#include "app/service.h"

#include "app/collectors.h"
#include "common/log.h"

namespace slayer::app {

Service::Service(ConfigLoader loader, const Clock& clock, SourceFactory factory,
                 std::string version, PollerOptions poller_options)
    : loader_(std::move(loader)),
      clock_(clock),
      factory_(std::move(factory)),
      version_(std::move(version)),
      poller_options_(poller_options),
      exposition_(std::make_shared<const std::string>()) {}

Service::~Service() { Stop(); }

Status Service::Start() {
  std::lock_guard lock(lifecycle_mu_);
  auto config = loader_();
  if (!config) return config.error();
  started_at_ = clock_.Now();
  StartPollers(*config);
  return Status::Ok();
}

Status Service::Reload() {
  std::lock_guard lock(lifecycle_mu_);
  auto config = loader_();
  if (!config) {
    LogError("config reload failed; keeping the running config", {{"err", config.error().message()}});
    return config.error();
  }
  StopPollers();
  StartPollers(*config);
  LogInfo("config reloaded", {{"instances", (*config)->airflow.size()},
                              {"rules", (*config)->rules.size()}});
  return Status::Ok();
}

void Service::Stop() {
  std::lock_guard lock(lifecycle_mu_);
  StopPollers();
}

void Service::StartPollers(const config::ValidatedConfig& config) {
  {
    std::lock_guard lock(pollers_mu_);
    for (const auto& instance : config->airflow) {
      pollers_.push_back(
          std::make_unique<InstancePoller>(instance, clock_, factory_, poller_options_));
    }
  }
  Publish();
  for (auto& poller : pollers_) {
    threads_.emplace_back(
        [this, p = poller.get()](std::stop_token stop) { PollLoop(p, std::move(stop)); });
  }
}

void Service::StopPollers() {
  for (auto& t : threads_) t.request_stop();
  wake_.notify_all();
  threads_.clear();  // joins
  std::lock_guard lock(pollers_mu_);
  pollers_.clear();
}

void Service::PollLoop(InstancePoller* poller, std::stop_token stop) {
  while (!stop.stop_requested()) {
    const auto started = clock_.Monotonic();
    Status st = poller->PollOnce();
    if (st.ok()) {
      ready_.store(true);
      LogDebug("poll done", {{"instance", poller->name()},
                             {"duration_seconds", clock_.Monotonic() - started}});
    } else {
      LogWarn("poll failed", {{"instance", poller->name()}, {"err", st.message()}});
    }
    Publish();
    std::unique_lock lock(wake_mu_);
    wake_.wait_until(lock, stop, started + poller->poll_interval(), [] { return false; });
  }
}

void Service::Publish() {
  auto text = RenderExposition(States(), version_);
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

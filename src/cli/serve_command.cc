#include <csignal>
#include <iostream>

#include "api/httplib_server.h"
#include "api/routes.h"
#include "api/web_config.h"
#include "app/service.h"
#include "cli/commands.h"
#include "cli/version.h"
#include "common/log.h"
#include "config/load.h"
#include "store/store.h"

namespace slayer::cli {

sigset_t BlockShutdownSignals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  return signals;
}

int RunServe(const GlobalOptions& global, const ServeOptions& serve) {
  SystemClock clock;
  return RunServeWithClock(global, serve, clock);
}

int RunServeWithClock(const GlobalOptions& global, const ServeOptions& serve, const Clock& clock) {
  // Signals are taken synchronously by this thread (sigwait); block them before any thread
  // starts so that none of those threads receives them.
  sigset_t signals = BlockShutdownSignals();

  api::HttpServerOptions http;
  http.listen_address = serve.listen_address;
  if (!serve.web_config_file.empty()) {
    auto web = api::LoadWebConfig(serve.web_config_file);
    if (!web) {
      std::cerr << web.error().message() << "\n";
      return 2;
    }
    http.web_config = std::move(*web);
  }
  auto server = api::NewHttplibServer(std::move(http));
  if (!server) {
    std::cerr << "--web.listen-address: " << server.error().message() << "\n";
    return 2;
  }

  const std::string config_file = global.config_file;
  // --storage.path overrides the config's `storage` url.
  std::optional<db::Dsn> storage_override;
  if (!serve.storage_path.empty()) {
    auto dsn = db::Dsn::Parse(serve.storage_path);
    if (!dsn) {
      std::cerr << "--storage.path: " << dsn.error().message() << "\n";
      return 2;
    }
    storage_override = std::move(*dsn);
  }
  app::StoreOpener open_store = [storage_override](const config::Storage& storage) {
    const db::Dsn& dsn = storage_override ? *storage_override : storage.url;
    auto store = store::OpenStore(dsn);
    if (!store) return Result<std::unique_ptr<store::Store>>(
        store.error().WithContext("open the history store (storage: / --storage.path)"));
    return store;
  };
  app::PollerOptions poller_options;
  poller_options.first_start_backfill = true;
  app::Service service([config_file] { return config::LoadConfigFile(config_file); }, clock,
                       app::SqlSourceFactory(), std::string(kVersion), poller_options,
                       open_store);
  if (Status st = service.Start(); !st.ok()) {
    std::cerr << st.message() << "\n";
    return 2;
  }
  api::RegisterRoutes(
      **server, service, clock,
      {.telemetry_path = serve.telemetry_path,
       .version = std::string(kVersion),
       .history = {.store = [&service] { return service.store(); },
                   .display_timezone = [&service] { return service.display_timezone(); }},
       .tasks = {.instances = [&service] { return service.airflow_instances(); }}});
  if (Status st = (*server)->Start(); !st.ok()) {
    std::cerr << st.message() << "\n";
    service.Stop();
    return 2;
  }
  LogInfo("slayer started", {{"version", kVersion},
                             {"config_file", config_file},
                             {"listen_address", serve.listen_address},
                             {"port", (*server)->port()}});
  for (;;) {
    int sig = 0;
    if (sigwait(&signals, &sig) != 0) continue;
    if (sig == SIGHUP) {
      LogInfo("reloading config", {{"signal", "SIGHUP"}});
      (void)service.Reload();  // logged by the service; the old config keeps running on error
      continue;
    }
    LogInfo("shutting down", {{"signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"}});
    break;
  }
  (*server)->Stop();
  service.Stop();
  return 0;
}

}  // namespace slayer::cli

// The HTTP routes of `slayer serve` (SPEC section 6): the telemetry path, /-/healthy,
// /-/ready, /-/reload, /api/v1/status, /api/v1/violations, /api/v1/report,
// /api/v1/incidents, /api/v1/health, /api/v1/tasks and the web page (web_routes.h). Handlers
// read the Service's cached state, and the history endpoints SLAyer's own store; only
// /api/v1/tasks queries Airflow's database (bounded, read-only).
#pragma once

#include <string>

#include "api/history_routes.h"
#include "api/task_routes.h"
#include "api/http_server.h"
#include "app/service.h"
#include "common/clock.h"

namespace slayer::api {

struct RoutesOptions {
  std::string telemetry_path = "/metrics";  // --web.telemetry-path
  std::string version;                      // for /api/v1/status
  // The store and display zone of /api/v1/report, /api/v1/incidents and /api/v1/health;
  // without a store they answer 503.
  HistoryAccess history;
  // The Airflow instances /api/v1/tasks reads; without them it answers 503.
  TaskAccess tasks;
};

// `service` and `clock` must outlive `server`'s handlers (stop the server first).
void RegisterRoutes(HttpServer& server, app::Service& service, const Clock& clock,
                    RoutesOptions options);

}  // namespace slayer::api

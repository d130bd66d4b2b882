// The HTTP routes of `slayer serve` (SPEC section 6): the telemetry path, /-/healthy,
// /-/ready, /-/reload, /api/v1/status, /api/v1/violations and the landing page. Handlers only
// read the Service's cached state: a request never queries Airflow's database.
#pragma once

#include <string>

#include "api/http_server.h"
#include "app/service.h"
#include "common/clock.h"

namespace slayer::api {

struct RoutesOptions {
  std::string telemetry_path = "/metrics";  // --web.telemetry-path
  std::string version;                      // for /api/v1/status
};

// `service` and `clock` must outlive `server`'s handlers (stop the server first).
void RegisterRoutes(HttpServer& server, app::Service& service, const Clock& clock,
                    RoutesOptions options);

}  // namespace slayer::api

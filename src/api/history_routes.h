// The history endpoints of the JSON API (SPEC section 6): GET /api/v1/report,
// GET /api/v1/incidents and GET /api/v1/health, read from the history store on each request
// (SLAyer's own store, never Airflow's). Handlers are thread-safe when the HistoryAccess
// callbacks are. Parameters and documents: docs/report.md, docs/health.md#uptime.
#pragma once

#include <functional>
#include <string>

#include "api/http_server.h"
#include "common/clock.h"

namespace slayer::store {
class Store;
}  // namespace slayer::store

namespace slayer::api {

// How the history endpoints reach the running service's history. Both callbacks are called on
// every request, from the server's threads.
struct HistoryAccess {
  // The history store, or nullptr when none is open (the endpoints answer 503). An empty
  // function is the same as nullptr. The store must outlive the server's handlers.
  std::function<store::Store*()> store;
  // The running config's display_timezone, which the report's histograms bucket by. An empty
  // function means UTC.
  std::function<std::string()> display_timezone;
};

// GET /api/v1/report?since=30d&until=&dag_id=&rule=&group_by=dag: the ReportJson document.
// since/until: a duration back from now or an RFC 3339 instant (default 30d and now); dag_id: a
// glob; rule: exact. 400 {"error","parameter"} for a bad or unknown parameter; 503 without a
// store; 500 (503 when the store is busy) when reading it fails. `clock` must outlive the
// handler.
HttpHandler ReportHandler(HistoryAccess history, const Clock& clock);

// GET /api/v1/incidents?since=30d&until=&dag_id=&rule=&state=&limit=1000: the IncidentsJson
// document. state: missed, met_late or abandoned, or a comma-separated list of them (default
// all three); limit: 1 to 10000. Errors as ReportHandler.
HttpHandler IncidentsHandler(HistoryAccess history, const Clock& clock);

// GET /api/v1/health?since=&until=&instance=: the HealthReportJson document: each instance's
// uptime over 7d, 30d and 90d back from until (default now), or over [since, until) alone when
// since is given (the window is then named by the since text). instance: exact; default every
// instance with health history. Errors as ReportHandler.
HttpHandler HealthHandler(HistoryAccess history, const Clock& clock);

}  // namespace slayer::api

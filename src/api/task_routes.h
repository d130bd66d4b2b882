// GET /api/v1/tasks: task analytics per DAG and task over a window (docs/health.md#task-analytics),
// read from Airflow's database on each request with bounded queries (app/task_analytics.h), one
// read-only connection per instance and request. Thread-safe when the TaskAccess callbacks are.
#pragma once

#include <functional>
#include <vector>

#include "api/http_server.h"
#include "app/instance_poller.h"
#include "common/clock.h"
#include "config/config.h"

namespace slayer::api {

// How the tasks endpoint reaches the running service's Airflow instances. Called on every
// request, from the server's threads.
struct TaskAccess {
  // The running config's Airflow instances. An empty function: the endpoint answers 503.
  std::function<std::vector<config::AirflowInstance>()> instances;
  // Opens a read-only source for one instance. Empty: app::SqlSourceFactory().
  app::SourceFactory factory;
};

// GET /api/v1/tasks?since=7d&until=&dag_id=&instance=: the TaskReportJson document.
// since/until: a duration back from now or an RFC 3339 instant (default 7d and now; at most
// 30d apart); dag_id: a glob; instance: one configured instance (default all). 400
// {"error","parameter"} for a bad or unknown parameter, too wide a window, or too many DAGs or
// runs to read; 503 without instances or when Airflow's database cannot be reached (504 on a
// statement timeout); 500 for anything else. `clock` must outlive the handler.
HttpHandler TasksHandler(TaskAccess access, const Clock& clock);

}  // namespace slayer::api

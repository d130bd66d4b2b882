#include "api/routes.h"

#include "api/json_views.h"
#include "metrics/text_renderer.h"

namespace slayer::api {
namespace {

std::string LandingPage(const std::string& telemetry_path) {
  return "<!doctype html><html><head><meta charset=\"utf-8\"><title>SLAyer</title></head>"
         "<body><h1>SLAyer</h1><p>Deadline and SLA monitor for Apache Airflow.</p><ul>"
         "<li><a href=\"" + telemetry_path + "\">Metrics</a></li>"
         "<li><a href=\"/api/v1/violations\">Current violations (JSON)</a></li>"
         "<li><a href=\"/api/v1/status\">Status (JSON)</a></li>"
         "<li><a href=\"/api/v1/report\">History report, last 30 days (JSON)</a></li>"
         "<li><a href=\"/api/v1/incidents\">Incidents, last 30 days (JSON)</a></li>"
         "<li><a href=\"/api/v1/health\">Airflow uptime, last 7, 30 and 90 days (JSON)</a></li>"
         "<li><a href=\"/api/v1/tasks\">Task analytics, last 7 days (JSON)</a></li>"
         "<li><a href=\"/-/healthy\">Health</a>, <a href=\"/-/ready\">Readiness</a></li>"
         "</ul></body></html>\n";
}

}  // namespace

void RegisterRoutes(HttpServer& server, app::Service& service, const Clock& clock,
                    RoutesOptions options) {
  server.Handle("GET", options.telemetry_path, [&service](const HttpRequest&) {
    HttpResponse r;
    r.content_type = std::string(metrics::kTextContentType);
    r.body = *service.Exposition();
    return r;
  });
  server.Handle("GET", "/-/healthy", [](const HttpRequest&) {
    return HttpResponse::Text(200, "Healthy.\n");
  });
  server.Handle("GET", "/-/ready", [&service](const HttpRequest&) {
    return service.Ready() ? HttpResponse::Text(200, "Ready.\n")
                           : HttpResponse::Text(503, "Not ready: no successful poll yet.\n");
  });
  auto reload = [&service](const HttpRequest&) {
    Status st = service.Reload();
    return st.ok() ? HttpResponse::Text(200, "Reloaded.\n")
                   : HttpResponse::Text(500, "Reload failed; the running config stays:\n" +
                                                 st.message() + "\n");
  };
  server.Handle("POST", "/-/reload", reload);
  server.Handle("PUT", "/-/reload", reload);
  server.Handle("GET", "/api/v1/status", [&service, &clock, v = options.version](const HttpRequest&) {
    return HttpResponse::Json(200, StatusJson(service.States(), v, service.started_at(),
                                              clock.Now()));
  });
  server.Handle("GET", "/api/v1/violations", [&service, &clock](const HttpRequest&) {
    return HttpResponse::Json(200, ViolationsJson(service.States(), clock.Now()));
  });
  server.Handle("GET", "/api/v1/report", ReportHandler(options.history, clock));
  server.Handle("GET", "/api/v1/incidents", IncidentsHandler(options.history, clock));
  server.Handle("GET", "/api/v1/health", HealthHandler(options.history, clock));
  server.Handle("GET", "/api/v1/tasks", TasksHandler(options.tasks, clock));
  server.Handle("GET", "/", [path = options.telemetry_path](const HttpRequest&) {
    HttpResponse r = HttpResponse::Text(200, LandingPage(path));
    r.content_type = "text/html; charset=utf-8";
    return r;
  });
}

}  // namespace slayer::api

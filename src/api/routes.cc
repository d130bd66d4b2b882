#include "api/routes.h"

#include "api/json_views.h"
#include "api/web_routes.h"
#include "metrics/text_renderer.h"

namespace slayer::api {
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
    return HttpResponse::Json(
        200, ViolationsJson(service.States(), clock.Now(), ViolationScope::kMissedAndAtRisk));
  });
  server.Handle("GET", "/api/v1/report", ReportHandler(options.history, clock));
  server.Handle("GET", "/api/v1/incidents", IncidentsHandler(options.history, clock));
  server.Handle("GET", "/api/v1/health", HealthHandler(options.history, clock));
  server.Handle("GET", "/api/v1/tasks", TasksHandler(options.tasks, clock));
  RegisterWebRoutes(server, options.telemetry_path);
}

}  // namespace slayer::api

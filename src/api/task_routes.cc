#include "api/task_routes.h"

#include <string>
#include <string_view>
#include <utility>

#include "api/query_params.h"
#include "app/task_analytics.h"
#include "insights/task_report_format.h"

namespace slayer::api {
namespace {

std::string_view ParameterOf(app::TaskQueryField field) {
  switch (field) {
    case app::TaskQueryField::kSince:
      return "since";
    case app::TaskQueryField::kDagId:
      return "dag_id";
    case app::TaskQueryField::kInstance:
      return "instance";
    case app::TaskQueryField::kNone:
      break;
  }
  return "";
}

}  // namespace

HttpHandler TasksHandler(TaskAccess access, const Clock& clock) {
  if (!access.factory) access.factory = app::SqlSourceFactory();
  return [access = std::move(access), &clock](const HttpRequest& request) {
    if (auto e = CheckKnownParameters(request, {"since", "until", "dag_id", "instance"})) {
      return *e;
    }
    const Timestamp now = NowSeconds(clock);
    app::TaskQuery query;
    query.until = now;
    query.since = now - std::chrono::days(7);
    if (auto e = ReadTimeBound(request, "since", now, &query.since)) return *e;
    if (auto e = ReadTimeBound(request, "until", now, &query.until)) return *e;
    if (auto e = ReadGlob(request, "dag_id", &query.dag_id)) return *e;
    query.instance = std::string(request.FindQuery("instance").value_or(""));
    if (!access.instances) {
      return JsonError(503, "task analytics need the running service's Airflow instances");
    }
    const std::vector<config::AirflowInstance> instances = access.instances();
    app::TaskQueryField field = app::TaskQueryField::kNone;
    Result<insights::TaskReport> report =
        app::ReadTaskReport(instances, access.factory, query, &field);
    if (!report) {
      const Status& st = report.error();
      if (st.code() == StatusCode::kInvalidArgument && field != app::TaskQueryField::kNone) {
        return BadParameter(ParameterOf(field), st.message());
      }
      const int status = st.code() == StatusCode::kUnavailable        ? 503
                         : st.code() == StatusCode::kDeadlineExceeded ? 504
                                                                      : 500;
      return JsonError(status, st.message());
    }
    return HttpResponse::Json(200, insights::TaskReportJson(*report));
  };
}

}  // namespace slayer::api

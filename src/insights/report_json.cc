#include "insights/report_json.h"

#include <nlohmann/json.hpp>

namespace slayer::insights {
namespace {

// ordered_json: the keys come out in the documented order, the same on every run.
using Json = nlohmann::ordered_json;

Json Seconds(Duration d) { return std::chrono::duration<double>(d).count(); }

Json KeyJson(const GroupKey& key, GroupBy group_by) {
  Json j = Json::object();
  switch (group_by) {
    case GroupBy::kDag:
      j["dag_id"] = key.dag_id;
      break;
    case GroupBy::kRule:
      j["rule"] = key.rule;
      break;
    case GroupBy::kTask:
      j["dag_id"] = key.dag_id;
      j["task_id"] = key.task_id;
      break;
  }
  return j;
}

Json LatenessJson(const LatenessStats& s) {
  if (s.count == 0) {
    return Json{{"mean", nullptr}, {"p50", nullptr}, {"p95", nullptr}, {"max", nullptr}};
  }
  return Json{{"mean", Seconds(s.mean)},
              {"p50", Seconds(s.p50)},
              {"p95", Seconds(s.p95)},
              {"max", Seconds(s.max)}};
}

Json GroupJson(const ReportGroup& g, GroupBy group_by) {
  Json j;
  j["key"] = KeyJson(g.key, group_by);
  j["evaluated"] = g.evaluated;
  j["met"] = g.met;
  j["met_late"] = g.met_late;
  j["missed"] = g.missed;
  j["abandoned"] = g.abandoned;
  const std::optional<double> compliance = g.compliance();
  j["compliance"] = compliance ? Json(*compliance) : Json(nullptr);
  j["lateness_seconds"] = LatenessJson(g.lateness);
  j["by_hour"] = g.by_hour;
  Json weekdays = Json::array();
  for (const auto& hours : g.by_weekday_hour) weekdays.push_back(hours);
  j["by_weekday_hour"] = std::move(weekdays);
  return j;
}

}  // namespace

std::string ReportJson(const Report& report) {
  Json groups = Json::array();
  for (const ReportGroup& g : report.groups) groups.push_back(GroupJson(g, report.group_by));
  Json j;
  j["since"] = FormatRfc3339(report.since);
  j["until"] = FormatRfc3339(report.until);
  j["group_by"] = std::string(GroupByName(report.group_by));
  j["groups"] = std::move(groups);
  return j.dump();
}

}  // namespace slayer::insights

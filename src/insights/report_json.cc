#include "insights/report_json.h"

#include <nlohmann/json.hpp>

#include "insights/report_values.h"

namespace slayer::insights {
namespace {

// ordered_json: the keys come out in the documented order, the same on every run.
using Json = nlohmann::ordered_json;

Json KeyJson(const GroupKey& key, GroupBy group_by) {
  Json j = Json::object();
  for (const KeyField& f : KeyFields(group_by)) j[std::string(f.name)] = key.*f.value;
  return j;
}

Json GroupJson(const ReportGroup& g, GroupBy group_by) {
  Json j;
  j["key"] = KeyJson(g.key, group_by);
  j["evaluated"] = g.evaluated;
  j["met"] = g.met;
  j["met_late"] = g.met_late;
  j["missed"] = g.missed;
  j["abandoned"] = g.abandoned;
  j["compliance"] = NullableJson(g.compliance());
  j["lateness_seconds"] = StatsJson(g.lateness);
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

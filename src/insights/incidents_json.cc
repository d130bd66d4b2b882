#include "insights/incidents_json.h"

#include <nlohmann/json.hpp>

#include "insights/report_values.h"

namespace slayer::insights {
namespace {

using Json = nlohmann::ordered_json;

Json Time(const std::optional<Timestamp>& t) { return t ? Json(FormatRfc3339(*t)) : Json(nullptr); }

Json IncidentJson(const rules::Item& item, Timestamp now) {
  using rules::ItemState;
  Json j;
  j["airflow_instance"] = item.key.instance;
  j["rule"] = item.key.rule;
  j["severity"] = item.severity;
  j["dag_id"] = item.key.dag_id;
  j["run_id"] = item.key.run_id;
  j["task_id"] = item.key.task_id;
  j["slot"] = item.key.slot;
  j["state"] = std::string(rules::ItemStateName(item.state));
  j["need_by"] = FormatRfc3339(item.need_by);
  j["missed_at"] = Time(item.missed_at);
  j["done_at"] = Time(item.done_at);
  j["lateness_seconds"] =
      item.state == ItemState::kMetLate ? Json(Seconds(item.lateness())) : Json(nullptr);
  j["overdue_seconds"] =
      item.state == ItemState::kMissed ? Json(Seconds(item.overdue(now))) : Json(nullptr);
  return j;
}

}  // namespace

std::string IncidentsJson(const IncidentList& list) {
  Json incidents = Json::array();
  for (const rules::Item& item : list.incidents) incidents.push_back(IncidentJson(item, list.now));
  Json j;
  j["since"] = FormatRfc3339(list.since);
  j["until"] = FormatRfc3339(list.until);
  j["incidents"] = std::move(incidents);
  j["truncated"] = list.truncated;
  return j.dump();
}

}  // namespace slayer::insights

#include "api/json_views.h"

#include <nlohmann/json.hpp>

namespace slayer::api {
namespace {

using nlohmann::json;

double Seconds(Duration d) { return std::chrono::duration<double>(d).count(); }

json InstanceJson(const app::InstanceState& s) {
  json j = {{"name", s.name},
            {"airflow_version", s.schema ? json(s.schema->airflow_version) : json(nullptr)},
            {"alembic_revision", s.schema ? json(s.schema->alembic_revision) : json(nullptr)},
            {"db_up", s.db_up}};
  return j;
}

}  // namespace

std::string ViolationsJson(const std::vector<app::InstanceState>& states, Timestamp now,
                           ViolationScope scope) {
  json instances = json::array();
  json violations = json::array();
  for (const auto& s : states) {
    instances.push_back(InstanceJson(s));
    for (const auto& v : s.violations) {
      json entry = {{"airflow_instance", s.name},
                    {"rule", v.rule},
                    {"dag_id", v.dag_id},
                    {"run_id", v.run_id},
                    {"task_id", v.task_id},
                    {"need_by", FormatRfc3339(v.need_by)},
                    {"overdue_seconds", Seconds(now - v.need_by)},
                    {"state", v.state}};
      // `slayer scan`'s document is fixed by SPEC section 2; the API's adds the severity.
      if (scope == ViolationScope::kMissedAndAtRisk) entry["severity"] = v.severity;
      violations.push_back(std::move(entry));
    }
    if (scope != ViolationScope::kMissedAndAtRisk) continue;
    for (const rules::Item& item : s.items) {
      if (item.state != rules::ItemState::kAtRisk) continue;
      violations.push_back({{"airflow_instance", s.name},
                            {"rule", item.key.rule},
                            {"dag_id", item.key.dag_id},
                            {"run_id", item.key.run_id},
                            {"task_id", item.key.task_id},
                            {"need_by", FormatRfc3339(item.need_by)},
                            {"overdue_seconds", Seconds(now - item.need_by)},
                            {"state", rules::ItemStateName(item.state)},
                            {"severity", item.severity}});
    }
  }
  return json({{"instances", instances}, {"violations", violations}}).dump();
}

std::string StatusJson(const std::vector<app::InstanceState>& states, std::string_view version,
                       Timestamp started_at, Timestamp now) {
  json instances = json::array();
  for (const auto& s : states) {
    json j = InstanceJson(s);
    j["last_poll_success"] = s.last_success ? json(FormatRfc3339(*s.last_success)) : json(nullptr);
    j["last_poll_age_seconds"] = s.last_success ? json(Seconds(now - *s.last_success)) : json(nullptr);
    j["last_poll_duration_seconds"] = s.last_poll_seconds;
    j["poll_errors_total"] = s.poll_errors_total;
    j["last_error"] = s.last_error.empty() ? json(nullptr) : json(s.last_error);
    j["open_violations"] = s.violations.size();
    instances.push_back(std::move(j));
  }
  return json({{"version", std::string(version)},
               {"started_at", FormatRfc3339(started_at)},
               {"instances", instances}})
      .dump();
}

}  // namespace slayer::api

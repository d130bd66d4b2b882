#include "notify/event.h"

#include <array>
#include <utility>

#include <nlohmann/json.hpp>

#include "notify/event_json.h"

namespace slayer::notify {
namespace {

constexpr std::array<std::pair<EventKind, std::string_view>, 4> kKinds = {{
    {EventKind::kMissed, "missed"},
    {EventKind::kRecovered, "recovered"},
    {EventKind::kAbandoned, "abandoned"},
    {EventKind::kAtRisk, "at_risk"},
}};

Result<std::string> RequireString(const nlohmann::json& j, const char* field) {
  auto it = j.find(field);
  if (it == j.end() || !it->is_string()) {
    return DataLossError(std::string("event JSON has no string '") + field + "'");
  }
  return it->get<std::string>();
}

Result<Timestamp> RequireTime(const nlohmann::json& j, const char* field) {
  SLAYER_ASSIGN_OR_RETURN(std::string text, RequireString(j, field));
  auto t = ParseTimestamp(text);
  if (!t) return DataLossError(std::string("event JSON '") + field + "': " + t.error().message());
  return *t;
}

}  // namespace

std::string_view EventKindName(EventKind kind) {
  for (const auto& [k, name] : kKinds) {
    if (k == kind) return name;
  }
  return "unknown";
}

std::optional<EventKind> ParseEventKind(std::string_view name) {
  for (const auto& [k, n] : kKinds) {
    if (n == name) return k;
  }
  return std::nullopt;
}

namespace detail {

nlohmann::ordered_json EventJsonObject(const Event& e) {
  nlohmann::ordered_json j;
  j["key"] = e.key;
  j["kind"] = EventKindName(e.kind);
  j["item_key"] = e.item_key;
  j["airflow_instance"] = e.instance;
  j["rule"] = e.rule;
  j["severity"] = e.severity;
  j["dag_id"] = e.dag_id;
  j["run_id"] = e.run_id;
  j["task_id"] = e.task_id;
  j["logical_date"] = e.logical_date ? nlohmann::ordered_json(FormatRfc3339(*e.logical_date))
                                     : nlohmann::ordered_json(nullptr);
  j["need_by"] = FormatRfc3339(e.need_by);
  j["event_time"] = FormatRfc3339(e.event_time);
  j["overdue_seconds"] = e.overdue_seconds;
  j["lateness_seconds"] = e.lateness_seconds;
  j["was_missed"] = e.was_missed;
  j["labels"] = e.labels;
  j["url"] = e.url;
  return j;
}

}  // namespace detail

std::string EventToJson(const Event& e) {
  // Invalid UTF-8 from Airflow (a DAG id, a label) is replaced, never thrown on.
  return detail::EventJsonObject(e).dump(-1, ' ', false,
                                         nlohmann::ordered_json::error_handler_t::replace);
}

Result<Event> EventFromJson(std::string_view json) {
  nlohmann::json j = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return DataLossError("event payload is not a JSON object");
  Event e;
  SLAYER_ASSIGN_OR_RETURN(e.key, RequireString(j, "key"));
  SLAYER_ASSIGN_OR_RETURN(std::string kind, RequireString(j, "kind"));
  std::optional<EventKind> parsed = ParseEventKind(kind);
  if (!parsed) return DataLossError("event JSON has unknown kind '" + kind + "'");
  e.kind = *parsed;
  SLAYER_ASSIGN_OR_RETURN(e.item_key, RequireString(j, "item_key"));
  SLAYER_ASSIGN_OR_RETURN(e.instance, RequireString(j, "airflow_instance"));
  SLAYER_ASSIGN_OR_RETURN(e.rule, RequireString(j, "rule"));
  SLAYER_ASSIGN_OR_RETURN(e.severity, RequireString(j, "severity"));
  SLAYER_ASSIGN_OR_RETURN(e.dag_id, RequireString(j, "dag_id"));
  SLAYER_ASSIGN_OR_RETURN(e.run_id, RequireString(j, "run_id"));
  SLAYER_ASSIGN_OR_RETURN(e.task_id, RequireString(j, "task_id"));
  if (auto it = j.find("logical_date"); it != j.end() && it->is_string()) {
    SLAYER_ASSIGN_OR_RETURN(e.logical_date, RequireTime(j, "logical_date"));
  }
  SLAYER_ASSIGN_OR_RETURN(e.need_by, RequireTime(j, "need_by"));
  SLAYER_ASSIGN_OR_RETURN(e.event_time, RequireTime(j, "event_time"));
  e.overdue_seconds = j.value("overdue_seconds", 0.0);
  e.lateness_seconds = j.value("lateness_seconds", 0.0);
  e.was_missed = j.value("was_missed", false);
  if (auto it = j.find("labels"); it != j.end() && it->is_object()) {
    for (const auto& [k, v] : it->items()) {
      if (v.is_string()) e.labels[k] = v.get<std::string>();
    }
  }
  e.url = j.value("url", std::string());
  return e;
}

}  // namespace slayer::notify

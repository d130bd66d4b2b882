#include "notify/alertmanager_channel.h"

#include <nlohmann/json.hpp>

namespace slayer::notify {
namespace {

using Json = nlohmann::ordered_json;

constexpr char kMissedAlert[] = "SlayerDeadlineMissed";
constexpr char kAtRiskAlert[] = "SlayerDeadlineAtRisk";

// One postable alert (Alertmanager's OpenAPI "postableAlert"). Its identity is its label set, so
// the missed alert and the alert that resolves it carry the same labels.
Json AlertJson(const Event& e, const ChannelTemplates& templates, bool firing) {
  Json labels;
  labels["alertname"] = e.kind == EventKind::kAtRisk ? kAtRiskAlert : kMissedAlert;
  for (auto [key, value] :
       {std::pair<const char*, const std::string*>{"airflow_instance", &e.instance},
        {"rule", &e.rule},
        {"dag_id", &e.dag_id},
        {"run_id", &e.run_id},
        {"task_id", &e.task_id},
        {"severity", &e.severity}}) {
    if (!value->empty()) labels[key] = *value;
  }
  // The config keeps rule labels off SLAyer's own names; "alertname" is Alertmanager's and wins.
  for (const auto& [key, value] : e.labels) {
    if (!labels.contains(key)) labels[key] = value;
  }
  Json annotations;
  annotations["summary"] = templates.Title(e);
  annotations["description"] = templates.Text(e);
  annotations["need_by"] = FormatRfc3339(e.need_by);
  if (!e.url.empty()) annotations["url"] = e.url;

  Json alert;
  alert["labels"] = std::move(labels);
  alert["annotations"] = std::move(annotations);
  if (firing) {
    alert["startsAt"] = FormatRfc3339(e.event_time);
    // A prediction says nothing once the need-by has passed: the item then either missed (a
    // SlayerDeadlineMissed alert) or made it. Without endsAt, Alertmanager would end the alert
    // after its resolve_timeout (5m by default), long before the deadline.
    if (e.kind == EventKind::kAtRisk && e.need_by > e.event_time) {
      alert["endsAt"] = FormatRfc3339(e.need_by);
    }
  } else {
    // No startsAt: Alertmanager keeps the earliest start it has, the one of the firing alert.
    alert["endsAt"] = FormatRfc3339(e.event_time);
  }
  if (!e.url.empty()) alert["generatorURL"] = e.url;
  return alert;
}

// Invalid UTF-8 (from Airflow's database) becomes U+FFFD instead of an exception.
std::string Dump(const Json& json) {
  return json.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string Endpoint(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url + "/api/v2/alerts";
}

}  // namespace

AlertmanagerChannel::AlertmanagerChannel(const config::Channel& channel, ChannelTemplates templates)
    : name_(channel.name),
      endpoint_(Endpoint(channel.url)),
      templates_(std::move(templates)),
      client_(HttpOptionsFor(channel)) {}

DeliveryResult AlertmanagerChannel::Deliver(const Event& event) {
  bool firing = event.kind == EventKind::kMissed || event.kind == EventKind::kAtRisk;
  if (event.kind == EventKind::kAbandoned && !event.was_missed) {
    return DeliveryResult::Delivered();  // no alert was ever opened for it
  }
  Json alerts = Json::array();
  alerts.push_back(AlertJson(event, templates_, firing));
  return Post(Dump(alerts));
}

DeliveryResult AlertmanagerChannel::Refresh(std::span<const Event> open_misses) {
  if (open_misses.empty()) return DeliveryResult::Delivered();
  Json alerts = Json::array();
  for (const Event& e : open_misses) alerts.push_back(AlertJson(e, templates_, /*firing=*/true));
  return Post(Dump(alerts));
}

DeliveryResult AlertmanagerChannel::Post(std::string body) {
  HttpRequest request;
  request.url = endpoint_;
  request.headers = {{"Content-Type", "application/json"}};
  request.body = std::move(body);
  return client_.Deliver(request);
}

Result<std::unique_ptr<Channel>> MakeAlertmanagerChannel(const config::Channel& channel) {
  SLAYER_ASSIGN_OR_RETURN(ChannelTemplates templates, ChannelTemplates::FromConfig(channel));
  return std::unique_ptr<Channel>(
      std::make_unique<AlertmanagerChannel>(channel, std::move(templates)));
}

}  // namespace slayer::notify

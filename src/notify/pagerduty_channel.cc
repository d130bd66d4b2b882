#include "notify/pagerduty_channel.h"

#include <nlohmann/json.hpp>

#include "notify/event_json.h"
#include "notify/text_limit.h"

namespace slayer::notify {
namespace {

using Json = nlohmann::ordered_json;

constexpr size_t kMaxSummaryChars = 1024;  // the Events API truncates longer ones

}  // namespace

std::string_view PagerDutySeverity(std::string_view severity) {
  if (severity == "critical" || severity == "warning" || severity == "info") return severity;
  return "warning";
}

PagerDutyChannel::PagerDutyChannel(const config::Channel& channel, ChannelTemplates templates)
    : name_(channel.name),
      url_(channel.url),
      routing_key_(channel.routing_key.value),
      templates_(std::move(templates)),
      client_(HttpOptionsFor(channel)) {}

DeliveryResult PagerDutyChannel::Deliver(const Event& e) {
  Json body;
  body["routing_key"] = routing_key_;
  if (e.kind == EventKind::kRecovered) {
    body["event_action"] = "resolve";
    body["dedup_key"] = e.item_key;
  } else {
    body["event_action"] = "trigger";
    body["dedup_key"] = e.item_key;
    Json payload;
    payload["summary"] = TruncateText(templates_.Title(e), kMaxSummaryChars);
    payload["source"] = "slayer/" + e.instance;
    payload["severity"] = PagerDutySeverity(e.severity);
    payload["timestamp"] = FormatRfc3339(e.event_time);
    payload["component"] = e.dag_id;
    payload["group"] = e.rule;
    payload["class"] = EventKindName(e.kind);
    // Every field of the event, for the alert's details page.
    payload["custom_details"] = detail::EventJsonObject(e);
    body["payload"] = std::move(payload);
    if (!e.url.empty()) {
      body["links"] = Json::array({Json{{"href", e.url}, {"text", "Airflow"}}});
    }
  }
  HttpRequest request;
  request.url = url_;
  request.headers = {{"Content-Type", "application/json"}};
  request.body = body.dump(-1, ' ', false, Json::error_handler_t::replace);
  return client_.Deliver(request);
}

Result<std::unique_ptr<Channel>> MakePagerDutyChannel(const config::Channel& channel) {
  SLAYER_ASSIGN_OR_RETURN(ChannelTemplates templates, ChannelTemplates::FromConfig(channel));
  return std::unique_ptr<Channel>(
      std::make_unique<PagerDutyChannel>(channel, std::move(templates)));
}

}  // namespace slayer::notify

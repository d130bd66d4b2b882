#include "notify/webhook_channel.h"

#include <cmath>
#include <nlohmann/json.hpp>

#include "notify/hmac.h"

namespace slayer::notify {
namespace {

using Json = nlohmann::ordered_json;

// 725 rather than 725.0 for whole seconds, which is what durations from Airflow usually are.
Json Seconds(double seconds) {
  if (std::isfinite(seconds) && std::fabs(seconds) < 1e15 && std::trunc(seconds) == seconds) {
    return static_cast<int64_t>(seconds);
  }
  return seconds;
}

}  // namespace

std::string WebhookBody(const Event& e) {
  Json body;
  body["kind"] = EventKindName(e.kind);
  body["key"] = e.key;
  body["airflow_instance"] = e.instance;
  body["rule"] = e.rule;
  body["severity"] = e.severity;
  body["dag_id"] = e.dag_id;
  body["run_id"] = e.run_id;
  body["task_id"] = e.task_id;
  body["need_by"] = FormatRfc3339(e.need_by);
  body["event_time"] = FormatRfc3339(e.event_time);
  if (e.kind == EventKind::kRecovered) {
    body["lateness_seconds"] = Seconds(e.lateness_seconds);
  } else {
    body["overdue_seconds"] = Seconds(e.overdue_seconds);
  }
  body["labels"] = e.labels;
  body["url"] = e.url;
  return body.dump(-1, ' ', false, Json::error_handler_t::replace);
}

WebhookChannel::WebhookChannel(const config::Channel& channel)
    : name_(channel.name),
      url_(channel.url),
      secret_(channel.secret.value),
      headers_(channel.headers),
      client_(HttpOptionsFor(channel)) {}

DeliveryResult WebhookChannel::Deliver(const Event& event) {
  HttpRequest request;
  request.url = url_;
  request.body = WebhookBody(event);
  request.headers = {{"Content-Type", "application/json"}, {"Idempotency-Key", event.key}};
  if (!secret_.empty()) {
    request.headers.emplace_back("X-Slayer-Signature",
                                 "sha256=" + HmacSha256Hex(secret_, request.body));
  }
  for (const auto& [name, value] : headers_) request.headers.emplace_back(name, value);
  return client_.Deliver(request);
}

Result<std::unique_ptr<Channel>> MakeWebhookChannel(const config::Channel& channel) {
  return std::unique_ptr<Channel>(std::make_unique<WebhookChannel>(channel));
}

}  // namespace slayer::notify

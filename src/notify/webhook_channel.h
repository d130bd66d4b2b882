// WebhookChannel: POSTs each event as one JSON object to a URL (SPEC section 5;
// docs/notifications.md#webhook), signed with HMAC-SHA256 when a secret is set, with the event
// key as Idempotency-Key so that a receiver can drop repeated deliveries. Neither the secret nor
// a header value ever appears in an error. Thread-compatible.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "common/result.h"
#include "config/config.h"
#include "notify/channel.h"
#include "notify/http_client.h"

namespace slayer::notify {

// The body SPEC section 5 defines, keys in this order: kind, key, airflow_instance, rule,
// severity, dag_id, run_id, task_id ("" when the item has none), need_by, event_time (RFC 3339
// UTC), overdue_seconds (lateness_seconds for recovered; a whole number as an integer), labels,
// url ("" when unset). Compact JSON, no trailing newline.
std::string WebhookBody(const Event& event);

class WebhookChannel : public Channel {
 public:
  // REQUIRES: `channel` is a validated webhook entry (url set).
  explicit WebhookChannel(const config::Channel& channel);

  // Channel
  const std::string& name() const override { return name_; }
  // Headers: Content-Type: application/json, Idempotency-Key: <event key>, X-Slayer-Signature:
  // sha256=<hex HMAC-SHA256 of the body> when a secret is set, then the configured `headers`.
  DeliveryResult Deliver(const Event& event) override;

 private:
  std::string name_;
  std::string url_;
  std::string secret_;
  std::map<std::string, std::string> headers_;
  HttpClient client_;
};

// Makes the channel of a `type: webhook` entry.
Result<std::unique_ptr<Channel>> MakeWebhookChannel(const config::Channel& channel);

}  // namespace slayer::notify

// Channel: where notifications go (SPEC section 5; docs/notifications.md): Alertmanager, Slack,
// PagerDuty, a webhook or e-mail. The dispatcher calls Deliver for one event at a time, in the
// order the events happened, and retries with backoff when it says so. Implementations never
// put a secret (webhook URL, routing key, password, header value) in an error or a log.
// Deliver may block up to the channel's timeout; a channel is used by one dispatcher thread at
// a time (thread-compatible).
#pragma once

#include <memory>
#include <span>
#include <string>

#include "common/result.h"
#include "config/config.h"
#include "notify/event.h"

namespace slayer::notify {

struct DeliveryResult {
  enum class Outcome {
    kDelivered,  // the receiver accepted the event (2xx, SMTP 250)
    kRetry,      // a transient failure: connection refused, timeout, 5xx, 408, 429; try again
    kRejected,   // refused for good (other 4xx, bad address): retrying cannot help
  };
  Outcome outcome = Outcome::kDelivered;
  // Why it failed, for logs and errors: the HTTP status and a short excerpt of the answer, or
  // the transport error. Never a secret.
  std::string error;

  static DeliveryResult Delivered() { return {}; }
  static DeliveryResult Retry(std::string why) { return {Outcome::kRetry, std::move(why)}; }
  static DeliveryResult Rejected(std::string why) { return {Outcome::kRejected, std::move(why)}; }
  bool delivered() const { return outcome == Outcome::kDelivered; }
};

class Channel {
 public:
  virtual ~Channel() = default;

  // The channel's name under `channels:`.
  virtual const std::string& name() const = 0;

  // Delivers one event.
  virtual DeliveryResult Deliver(const Event& event) = 0;

  // Channels whose receiver forgets an open alert unless reminded (Alertmanager resolves an
  // alert that is not re-posted) return true; the dispatcher then calls Refresh every
  // kRefreshInterval with the missed events of every item that is still open.
  virtual bool WantsRefresh() const { return false; }
  virtual DeliveryResult Refresh(std::span<const Event> open_misses) {
    (void)open_misses;
    return DeliveryResult::Delivered();
  }
};

// Makes the channel a validated `channels:` entry describes.
Result<std::unique_ptr<Channel>> MakeChannel(const config::Channel& channel);

}  // namespace slayer::notify

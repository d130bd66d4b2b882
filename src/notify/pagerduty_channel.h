// PagerDutyChannel: sends events to the PagerDuty Events API v2 (docs/notifications.md#pagerduty):
// missed, at_risk and abandoned trigger an alert, recovered resolves it; the dedup_key is the
// item key, so every event of one item lands on one PagerDuty alert. The routing key never
// appears in an error. Thread-compatible.
#pragma once

#include <memory>
#include <string>

#include "common/result.h"
#include "config/config.h"
#include "notify/channel.h"
#include "notify/http_client.h"
#include "notify/template.h"

namespace slayer::notify {

class PagerDutyChannel : public Channel {
 public:
  // REQUIRES: `channel` is a validated pagerduty entry (url and routing_key set).
  PagerDutyChannel(const config::Channel& channel, ChannelTemplates templates);

  // Channel
  const std::string& name() const override { return name_; }
  // PagerDuty answers 202; 400 (invalid event) is rejected, 429 and 5xx retried.
  DeliveryResult Deliver(const Event& event) override;

 private:
  std::string name_;
  std::string url_;
  std::string routing_key_;
  ChannelTemplates templates_;
  HttpClient client_;
};

// "critical", "warning" or "info": the severity itself when PagerDuty knows it, else "warning".
std::string_view PagerDutySeverity(std::string_view severity);

// Makes the channel of a `type: pagerduty` entry; kInvalidArgument for a bad template.
Result<std::unique_ptr<Channel>> MakePagerDutyChannel(const config::Channel& channel);

}  // namespace slayer::notify

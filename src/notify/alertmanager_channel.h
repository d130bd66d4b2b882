// AlertmanagerChannel: posts events to Prometheus Alertmanager's API v2 (POST /api/v2/alerts;
// docs/notifications.md#alertmanager). A miss is a firing alert that SLAyer re-posts while the
// item is open (Refresh), so that Alertmanager's resolve_timeout never ends it; the recovery or
// the abandonment of a missed item resolves it with endsAt. Thread-compatible.
#pragma once

#include <memory>
#include <span>
#include <string>

#include "common/result.h"
#include "config/config.h"
#include "notify/channel.h"
#include "notify/http_client.h"
#include "notify/template.h"

namespace slayer::notify {

class AlertmanagerChannel : public Channel {
 public:
  // REQUIRES: `channel` is a validated alertmanager entry.
  AlertmanagerChannel(const config::Channel& channel, ChannelTemplates templates);

  // Channel
  const std::string& name() const override { return name_; }
  // missed: a firing alert (startsAt = event_time). at_risk: a firing SlayerDeadlineAtRisk alert
  // that ends at the need-by. recovered, and abandoned after a miss: the missed alert, resolved
  // (endsAt = event_time). abandoned before any miss: nothing to post, Delivered.
  DeliveryResult Deliver(const Event& event) override;
  bool WantsRefresh() const override { return true; }
  // Re-posts every open miss as a firing alert, in one request. Delivered without a request when
  // there is none.
  DeliveryResult Refresh(std::span<const Event> open_misses) override;

 private:
  DeliveryResult Post(std::string body);

  std::string name_;
  std::string endpoint_;  // <url>/api/v2/alerts
  ChannelTemplates templates_;
  HttpClient client_;
};

// Makes the channel of a `type: alertmanager` entry; kInvalidArgument for a bad template.
Result<std::unique_ptr<Channel>> MakeAlertmanagerChannel(const config::Channel& channel);

}  // namespace slayer::notify

// SlackChannel: posts events to a Slack incoming webhook (docs/notifications.md#slack) as Block
// Kit messages: the title as header, the details as fields, the `text:` when configured, and a
// button to the run in the Airflow UI. The webhook URL is the credential: it never appears in an
// error. Thread-compatible.
#pragma once

#include <memory>
#include <string>

#include "common/result.h"
#include "config/config.h"
#include "notify/channel.h"
#include "notify/http_client.h"
#include "notify/template.h"

namespace slayer::notify {

class SlackChannel : public Channel {
 public:
  // REQUIRES: `channel` is a validated slack entry (webhook_url set).
  SlackChannel(const config::Channel& channel, ChannelTemplates templates);

  // Channel
  const std::string& name() const override { return name_; }
  // Every kind is one message. Slack answers 200 "ok"; 4xx (no_service, invalid_payload) are
  // rejected, 429 and 5xx retried.
  DeliveryResult Deliver(const Event& event) override;

 private:
  std::string name_;
  std::string webhook_url_;
  ChannelTemplates templates_;
  HttpClient client_;
};

// Makes the channel of a `type: slack` entry; kInvalidArgument for a bad template.
Result<std::unique_ptr<Channel>> MakeSlackChannel(const config::Channel& channel);

}  // namespace slayer::notify

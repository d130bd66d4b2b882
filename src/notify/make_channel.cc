// MakeChannel (notify/channel.h): one constructor per channel type.
#include <cerrno>
#include <cstring>
#include <fstream>

#include "notify/alertmanager_channel.h"
#include "notify/channel.h"
#include "notify/email_channel.h"
#include "notify/pagerduty_channel.h"
#include "notify/slack_channel.h"
#include "notify/webhook_channel.h"

namespace slayer::notify {

Result<std::unique_ptr<Channel>> MakeChannel(const config::Channel& channel) {
  // The loader checked the file; a Config built in code did not, and the file may have gone
  // since. Better to fail at start than at each delivery.
  if (!channel.ca_file.empty() && !std::ifstream(channel.ca_file)) {
    return InvalidArgumentError("channel '" + channel.name + "': cannot read ca_file " +
                                channel.ca_file + ": " + std::strerror(errno));
  }
  switch (channel.type) {
    case config::ChannelType::kAlertmanager:
      return MakeAlertmanagerChannel(channel);
    case config::ChannelType::kSlack:
      return MakeSlackChannel(channel);
    case config::ChannelType::kPagerduty:
      return MakePagerDutyChannel(channel);
    case config::ChannelType::kWebhook:
      return MakeWebhookChannel(channel);
    case config::ChannelType::kEmail:
      return MakeEmailChannel(channel);
  }
  return InternalError("channel '" + channel.name + "' has an unknown type");
}

}  // namespace slayer::notify

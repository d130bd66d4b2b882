#include <gtest/gtest.h>

#include "notify/channel.h"

namespace slayer::notify {
namespace {

using config::ChannelType;

config::Channel Entry(std::string name, ChannelType type) {
  config::Channel c;
  c.name = std::move(name);
  c.type = type;
  switch (type) {
    case ChannelType::kAlertmanager:
      c.url = "http://alertmanager:9093";
      break;
    case ChannelType::kSlack:
      c.webhook_url = {"https://hooks.slack.com/services/T000/B000/SLACK-9kQ2mZ", "inline"};
      break;
    case ChannelType::kPagerduty:
      c.url = "https://events.pagerduty.com/v2/enqueue";
      c.routing_key = {"PD-ROUTING-3vN8wL", "inline"};
      break;
    case ChannelType::kWebhook:
      c.url = "https://example.com/hook";
      break;
    case ChannelType::kEmail:
      c.url = "smtp://mail:587";
      c.from = "slayer@example.com";
      c.to = {"oncall@example.com"};
      break;
  }
  return c;
}

TEST(MakeChannelTest, MakesEveryType) {
  for (auto [name, type] : {std::pair{"am", ChannelType::kAlertmanager},
                            {"slack", ChannelType::kSlack},
                            {"pager", ChannelType::kPagerduty},
                            {"hook", ChannelType::kWebhook},
                            {"mail", ChannelType::kEmail}}) {
    auto channel = MakeChannel(Entry(name, type));
    ASSERT_TRUE(channel) << name << ": " << channel.error().message();
    EXPECT_EQ((*channel)->name(), name);
    EXPECT_EQ((*channel)->WantsRefresh(), type == ChannelType::kAlertmanager) << name;
  }
}

TEST(MakeChannelTest, ABadTemplateIsAnError) {
  for (ChannelType type :
       {ChannelType::kAlertmanager, ChannelType::kSlack, ChannelType::kPagerduty}) {
    config::Channel c = Entry("ops", type);
    c.text = "{{summary";
    auto channel = MakeChannel(c);
    ASSERT_FALSE(channel) << config::ChannelTypeName(type);
    EXPECT_EQ(channel.error().code(), StatusCode::kInvalidArgument);
    EXPECT_TRUE(channel.error().message().starts_with("'text' in channel 'ops': '{{'"))
        << channel.error().message();
  }
}

TEST(MakeChannelTest, AnUnreadableCaFileIsAnError) {
  config::Channel c = Entry("am", ChannelType::kAlertmanager);
  c.ca_file = "/nonexistent/slayer/ca.pem";
  auto channel = MakeChannel(c);
  ASSERT_FALSE(channel);
  EXPECT_EQ(channel.error().message(),
            "channel 'am': cannot read ca_file /nonexistent/slayer/ca.pem: No such file or "
            "directory");
}

}  // namespace
}  // namespace slayer::notify

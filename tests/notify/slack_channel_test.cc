#include "notify/slack_channel.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "notify/example_events.h"
#include "notify/golden.h"
#include "notify/http_channel_test.h"

namespace slayer::notify {
namespace {

using testing::ExampleAtRisk;
using testing::ExampleMissed;
using testing::ExampleRecovered;
using testing::ExpectGolden;

constexpr char kSecretPath[] = "/services/T000/B000/SLACK-9kQ2mZ";

class SlackChannelTest : public testing::HttpChannelTest {
 protected:
  std::unique_ptr<Channel> Make(std::string title = "", std::string text = "") {
    config::Channel c;
    c.name = "ops";
    c.type = config::ChannelType::kSlack;
    c.webhook_url = {receiver_.url() + kSecretPath, "env SLACK_WEBHOOK_URL"};
    c.title = std::move(title);
    c.text = std::move(text);
    return Made(MakeSlackChannel(c));
  }

  std::string OnlyBody() { return OnlyRequest(kSecretPath).body; }
};

TEST_F(SlackChannelTest, Missed) {
  auto channel = Make();
  EXPECT_EQ(channel->name(), "ops");
  EXPECT_FALSE(channel->WantsRefresh());
  DeliveryResult result = channel->Deliver(ExampleMissed());
  EXPECT_TRUE(result.delivered()) << result.error;
  ExpectGolden(OnlyBody(), "slack_missed.json");
}

TEST_F(SlackChannelTest, Recovered) {
  auto channel = Make();
  ASSERT_TRUE(channel->Deliver(ExampleRecovered()).delivered());
  ExpectGolden(OnlyBody(), "slack_recovered.json");
}

TEST_F(SlackChannelTest, AConfiguredTextIsASectionAndMrkdwnIsEscaped) {
  auto channel = Make("{{dag_id}} <late> & {{overdue}}", "Owner: {{labels.team}} <@here>");
  Event e = ExampleMissed();
  e.url.clear();
  ASSERT_TRUE(channel->Deliver(e).delivered());
  auto message = nlohmann::json::parse(OnlyBody());
  EXPECT_EQ(message["text"], "orders_daily &lt;late&gt; &amp; 12m");
  auto blocks = message["blocks"];
  ASSERT_EQ(blocks.size(), 4u);  // header, fields, text, context: no button without a url
  EXPECT_EQ(blocks[0]["text"]["text"], "orders_daily <late> & 12m");  // plain_text: as is
  EXPECT_EQ(blocks[2]["text"]["text"], "Owner: data &lt;@here&gt;");
  EXPECT_EQ(blocks[3]["type"], "context");
}

TEST_F(SlackChannelTest, AtRiskShowsNoDelayAndLongTitlesAreCut) {
  auto channel = Make(std::string(400, 'x') + "{{dag_id}}");
  ASSERT_TRUE(channel->Deliver(ExampleAtRisk()).delivered());
  auto message = nlohmann::json::parse(OnlyBody());
  std::string header = message["blocks"][0]["text"]["text"];
  EXPECT_EQ(header, std::string(149, 'x') + "\u2026");
  for (const auto& field : message["blocks"][1]["fields"]) {
    EXPECT_EQ(field["text"].get<std::string>().find("Overdue"), std::string::npos);
  }
}

TEST_F(SlackChannelTest, ErrorsNeverShowTheWebhookUrl) {
  auto channel = Make();
  receiver_.QueueResponse({.status = 404, .body = "no_service"});
  receiver_.QueueResponse({.status = 429, .body = "rate_limited"});
  DeliveryResult rejected = channel->Deliver(ExampleMissed());
  EXPECT_EQ(rejected.outcome, DeliveryResult::Outcome::kRejected);
  EXPECT_EQ(rejected.error, "slack channel 'ops': HTTP 404: no_service");
  EXPECT_EQ(channel->Deliver(ExampleMissed()).outcome, DeliveryResult::Outcome::kRetry);
  receiver_.Stop();
  DeliveryResult refused = channel->Deliver(ExampleMissed());
  EXPECT_EQ(refused.outcome, DeliveryResult::Outcome::kRetry);
  EXPECT_EQ(refused.error.find("SLACK-9kQ2mZ"), std::string::npos) << refused.error;
  EXPECT_EQ(refused.error.find("/services/"), std::string::npos) << refused.error;
}

}  // namespace
}  // namespace slayer::notify

#include "notify/pagerduty_channel.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "notify/example_events.h"
#include "notify/golden.h"
#include "notify/http_channel_test.h"

namespace slayer::notify {
namespace {

using testing::ExampleAbandoned;
using testing::ExampleAtRisk;
using testing::ExampleMissed;
using testing::ExampleRecovered;
using testing::ExpectGolden;

constexpr char kRoutingKey[] = "R0UTING-KEY-5f2a9c";

class PagerDutyChannelTest : public testing::HttpChannelTest {
 protected:
  void SetUp() override {
    HttpChannelTest::SetUp();
    if (HasFatalFailure()) return;
    receiver_.SetDefaultResponse({.status = 202,
                                  .body = R"({"status":"success","message":"Event processed",)"
                                          R"("dedup_key":"x"})",
                                  .content_type = "application/json"});
  }

  std::unique_ptr<Channel> Make(std::string title = "") {
    config::Channel c;
    c.name = "pager";
    c.type = config::ChannelType::kPagerduty;
    c.url = receiver_.url() + "/v2/enqueue";
    c.routing_key = {kRoutingKey, "file /etc/slayer/pd_key"};
    c.title = std::move(title);
    return Made(MakePagerDutyChannel(c));
  }

  std::string OnlyBody() { return OnlyRequest("/v2/enqueue").body; }
};

TEST_F(PagerDutyChannelTest, MissedTriggers) {
  auto channel = Make();
  EXPECT_EQ(channel->name(), "pager");
  DeliveryResult result = channel->Deliver(ExampleMissed());
  EXPECT_TRUE(result.delivered()) << result.error;
  ExpectGolden(OnlyBody(), "pagerduty_missed.json");
}

TEST_F(PagerDutyChannelTest, RecoveredResolvesTheSameDedupKey) {
  auto channel = Make();
  ASSERT_TRUE(channel->Deliver(ExampleRecovered()).delivered());
  ExpectGolden(OnlyBody(), "pagerduty_recovered.json");
}

TEST_F(PagerDutyChannelTest, AtRiskAndAbandonedTrigger) {
  auto channel = Make();
  for (const Event& e : {ExampleAtRisk(), ExampleAbandoned(false), ExampleAbandoned(true)}) {
    receiver_.ClearRequests();
    ASSERT_TRUE(channel->Deliver(e).delivered());
    auto body = nlohmann::json::parse(OnlyBody());
    EXPECT_EQ(body["event_action"], "trigger");
    EXPECT_EQ(body["dedup_key"], e.item_key);
    EXPECT_EQ(body["payload"]["class"], std::string(EventKindName(e.kind)));
    EXPECT_EQ(body["payload"]["summary"], EventSummary(e));
    EXPECT_EQ(body["payload"]["custom_details"]["was_missed"], e.was_missed);
  }
}

TEST_F(PagerDutyChannelTest, SeverityAndSummaryFitTheEventsApi) {
  EXPECT_EQ(PagerDutySeverity("critical"), "critical");
  EXPECT_EQ(PagerDutySeverity("warning"), "warning");
  EXPECT_EQ(PagerDutySeverity("info"), "info");
  EXPECT_EQ(PagerDutySeverity("error"), "warning");
  EXPECT_EQ(PagerDutySeverity(""), "warning");

  auto channel = Make(std::string(2000, 's'));
  Event e = ExampleMissed();
  e.severity = "page-me";
  e.url.clear();
  ASSERT_TRUE(channel->Deliver(e).delivered());
  auto body = nlohmann::json::parse(OnlyBody());
  EXPECT_EQ(body["payload"]["severity"], "warning");
  EXPECT_EQ(body["payload"]["summary"], std::string(1023, 's') + "\u2026");
  EXPECT_FALSE(body.contains("links"));
}

TEST_F(PagerDutyChannelTest, ErrorsNeverShowTheRoutingKey) {
  auto channel = Make();
  receiver_.QueueResponse(
      {.status = 400,
       .body = std::string(R"({"status":"invalid event","message":"bad routing_key )") +
               kRoutingKey + "\"}"});
  DeliveryResult rejected = channel->Deliver(ExampleMissed());
  EXPECT_EQ(rejected.outcome, DeliveryResult::Outcome::kRejected);
  EXPECT_EQ(rejected.error,
            R"(pagerduty channel 'pager': HTTP 400: {"status":"invalid event","message":"bad )"
            R"(routing_key ***"})");
  receiver_.QueueResponse({.status = 429, .body = "throttled"});
  EXPECT_EQ(channel->Deliver(ExampleMissed()).outcome, DeliveryResult::Outcome::kRetry);
}

}  // namespace
}  // namespace slayer::notify

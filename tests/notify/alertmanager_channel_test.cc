#include "notify/alertmanager_channel.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "notify/example_events.h"
#include "notify/golden.h"
#include "notify/http_channel_test.h"

namespace slayer::notify {
namespace {

using slayer::testing::HttpReceiver;
using testing::ExampleAbandoned;
using testing::ExampleAtRisk;
using testing::ExampleMissed;
using testing::ExampleRecovered;
using testing::ExpectGolden;

class AlertmanagerChannelTest : public testing::HttpChannelTest {
 protected:
  std::unique_ptr<Channel> Make(std::string url_suffix = "", std::string title = "",
                                std::string text = "") {
    config::Channel c;
    c.name = "am";
    c.type = config::ChannelType::kAlertmanager;
    c.url = receiver_.url() + url_suffix;
    c.title = std::move(title);
    c.text = std::move(text);
    return Made(MakeAlertmanagerChannel(c));
  }

  // The body of the only request so far, after checking how it was sent.
  std::string OnlyBody() { return OnlyRequest("/api/v2/alerts").body; }
};

TEST_F(AlertmanagerChannelTest, MissedFires) {
  auto channel = Make();
  EXPECT_EQ(channel->name(), "am");
  EXPECT_TRUE(channel->WantsRefresh());
  DeliveryResult result = channel->Deliver(ExampleMissed());
  EXPECT_TRUE(result.delivered()) << result.error;
  ExpectGolden(OnlyBody(), "alertmanager_missed.json");
}

TEST_F(AlertmanagerChannelTest, RecoveredResolvesTheSameAlert) {
  auto channel = Make();
  ASSERT_TRUE(channel->Deliver(ExampleRecovered()).delivered());
  std::string body = OnlyBody();
  ExpectGolden(body, "alertmanager_recovered.json");
  receiver_.ClearRequests();
  ASSERT_TRUE(channel->Deliver(ExampleMissed()).delivered());
  auto missed = nlohmann::json::parse(OnlyBody());
  auto resolved = nlohmann::json::parse(body);
  EXPECT_EQ(resolved[0]["labels"], missed[0]["labels"]);  // the alert's identity
  EXPECT_EQ(resolved[0]["endsAt"], "2026-01-01T10:40:00Z");
  EXPECT_FALSE(resolved[0].contains("startsAt"));
}

TEST_F(AlertmanagerChannelTest, AbandonedResolvesOnlyAMissedAlert) {
  auto channel = Make();
  DeliveryResult result = channel->Deliver(ExampleAbandoned(false));
  EXPECT_TRUE(result.delivered()) << result.error;
  EXPECT_EQ(receiver_.request_count(), 0u);

  ASSERT_TRUE(channel->Deliver(ExampleAbandoned(true)).delivered());
  auto alerts = nlohmann::json::parse(OnlyBody());
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0]["labels"]["alertname"], "SlayerDeadlineMissed");
  EXPECT_EQ(alerts[0]["endsAt"], "2026-01-01T10:30:00Z");
  EXPECT_FALSE(alerts[0].contains("startsAt"));
  EXPECT_EQ(alerts[0]["annotations"]["summary"],
            "orders_daily run scheduled__2026-01-01T08:00:00+00:00 failed or was removed after "
            "missing its deadline (rule orders-in-2h, 30m past 10:00:00 UTC)");
}

TEST_F(AlertmanagerChannelTest, AtRiskFiresItsOwnAlertUntilTheNeedBy) {
  auto channel = Make();
  ASSERT_TRUE(channel->Deliver(ExampleAtRisk()).delivered());
  ExpectGolden(OnlyBody(), "alertmanager_at_risk.json");
}

TEST_F(AlertmanagerChannelTest, RefreshRepostsEveryOpenMissInOneRequest) {
  auto channel = Make();
  EXPECT_TRUE(channel->Refresh({}).delivered());
  EXPECT_EQ(receiver_.request_count(), 0u);

  Event task = ExampleMissed();
  task.item_key = "prod/orders-in-2h/orders_daily/scheduled__2026-01-01T08:00:00+00:00/load/";
  task.key = task.item_key + "#missed";
  task.task_id = "load";
  task.labels.clear();
  task.url.clear();
  std::vector<Event> open = {ExampleMissed(), task};
  ASSERT_TRUE(channel->Refresh(open).delivered());
  ExpectGolden(OnlyBody(), "alertmanager_refresh.json");
}

TEST_F(AlertmanagerChannelTest, OmitsEmptyLabelsAndKeepsItsOwnNames) {
  auto channel = Make();
  Event e = ExampleMissed();
  e.run_id.clear();
  e.url.clear();
  e.labels = {{"alertname", "Mine"}, {"team", "data"}};
  ASSERT_TRUE(channel->Deliver(e).delivered());
  auto alert = nlohmann::json::parse(OnlyBody())[0];
  EXPECT_EQ(alert["labels"], nlohmann::json::parse(
                                 R"({"alertname":"SlayerDeadlineMissed","airflow_instance":"prod",
                                     "rule":"orders-in-2h","dag_id":"orders_daily",
                                     "severity":"critical","team":"data"})"));
  EXPECT_FALSE(alert.contains("generatorURL"));
  EXPECT_FALSE(alert["annotations"].contains("url"));
}

TEST_F(AlertmanagerChannelTest, UsesTheTemplatesAndAnyBasePath) {
  auto channel = Make("/am/", "{{dag_id}} is late", "by {{overdue}}");
  ASSERT_TRUE(channel->Deliver(ExampleMissed()).delivered());
  ASSERT_EQ(receiver_.request_count(), 1u);
  HttpReceiver::Request r = receiver_.requests()[0];
  EXPECT_EQ(r.path, "/am/api/v2/alerts");
  auto alert = nlohmann::json::parse(r.body)[0];
  EXPECT_EQ(alert["annotations"]["summary"], "orders_daily is late");
  EXPECT_EQ(alert["annotations"]["description"], "by 12m");
}

TEST_F(AlertmanagerChannelTest, ClassifiesAnswers) {
  auto channel = Make();
  receiver_.QueueResponse({.status = 500, .body = "internal"});
  receiver_.QueueResponse({.status = 400, .body = "{\"code\":400,\"message\":\"bad alert\"}"});
  DeliveryResult retry = channel->Deliver(ExampleMissed());
  EXPECT_EQ(retry.outcome, DeliveryResult::Outcome::kRetry);
  EXPECT_EQ(retry.error, "alertmanager channel 'am': HTTP 500: internal");
  DeliveryResult rejected = channel->Refresh(std::vector<Event>{ExampleMissed()});
  EXPECT_EQ(rejected.outcome, DeliveryResult::Outcome::kRejected);
  EXPECT_EQ(rejected.error,
            "alertmanager channel 'am': HTTP 400: {\"code\":400,\"message\":\"bad alert\"}");
}

TEST(AlertmanagerChannelMakeTest, RejectsABadTemplate) {
  config::Channel c;
  c.name = "am";
  c.type = config::ChannelType::kAlertmanager;
  c.url = "http://am:9093";
  c.title = "{{nope}}";
  auto channel = MakeAlertmanagerChannel(c);
  ASSERT_FALSE(channel);
  EXPECT_TRUE(channel.error().message().starts_with(
      "'title' in channel 'am': unknown placeholder '{{nope}}'"))
      << channel.error().message();
}

}  // namespace
}  // namespace slayer::notify

#include "notify/webhook_channel.h"

#include <gtest/gtest.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "notify/example_events.h"
#include "notify/golden.h"
#include "notify/hmac.h"
#include "notify/http_channel_test.h"

namespace slayer::notify {
namespace {

using slayer::testing::HttpReceiver;
using testing::ExampleAtRisk;
using testing::ExampleMissed;
using testing::ExampleRecovered;
using testing::ExpectGolden;

constexpr char kSecret[] = "HOOK-HMAC-5tR1pY";

// The signature as `openssl dgst -sha256 -hmac <key>` computes it over the exact bytes.
std::string OpensslHmac(const std::string& key, const std::string& data) {
  char tmpl[] = "/tmp/slayer-webhook-body-XXXXXX";
  int fd = mkstemp(tmpl);
  EXPECT_GE(fd, 0);
  close(fd);
  std::ofstream(tmpl, std::ios::binary) << data;
  std::string command = "openssl dgst -sha256 -hmac '" + key + "' -r '" + tmpl + "'";
  FILE* pipe = popen(command.c_str(), "r");
  EXPECT_NE(pipe, nullptr);
  std::string out;
  char buf[256];
  while (pipe != nullptr && fgets(buf, sizeof buf, pipe) != nullptr) out += buf;
  if (pipe != nullptr) {
    EXPECT_EQ(pclose(pipe), 0);
  }
  std::filesystem::remove(tmpl);
  return out.substr(0, out.find(' '));  // "-r": "<hex> *<file>"
}

class WebhookChannelTest : public testing::HttpChannelTest {
 protected:
  std::unique_ptr<Channel> Make(std::string secret = kSecret,
                                std::map<std::string, std::string> headers = {}) {
    config::Channel c;
    c.name = "hook";
    c.type = config::ChannelType::kWebhook;
    c.url = receiver_.url() + "/slayer/events";
    if (!secret.empty()) c.secret = {secret, "file /etc/slayer/hook_secret"};
    c.headers = std::move(headers);
    return Made(MakeWebhookChannel(c));
  }

  HttpReceiver::Request Only() { return OnlyRequest("/slayer/events"); }
};

TEST_F(WebhookChannelTest, MissedIsTheSpecBodySigned) {
  auto channel = Make();
  EXPECT_EQ(channel->name(), "hook");
  DeliveryResult result = channel->Deliver(ExampleMissed());
  EXPECT_TRUE(result.delivered()) << result.error;
  HttpReceiver::Request r = Only();
  ExpectGolden(r.body, "webhook_missed.json");
  EXPECT_EQ(r.body, WebhookBody(ExampleMissed()));
  EXPECT_EQ(r.Header("Idempotency-Key"), ExampleMissed().key);
  std::string expected = OpensslHmac(kSecret, r.body);
  ASSERT_EQ(expected.size(), 64u);
  EXPECT_EQ(r.Header("X-Slayer-Signature"), "sha256=" + expected);
}

TEST_F(WebhookChannelTest, RecoveredCarriesLateness) {
  auto channel = Make();
  ASSERT_TRUE(channel->Deliver(ExampleRecovered()).delivered());
  HttpReceiver::Request r = Only();
  ExpectGolden(r.body, "webhook_recovered.json");
  EXPECT_EQ(r.Header("Idempotency-Key"), ExampleRecovered().key);
  EXPECT_EQ(r.Header("X-Slayer-Signature"), "sha256=" + OpensslHmac(kSecret, r.body));
}

TEST_F(WebhookChannelTest, KeysInTheSpecOrder) {
  // The top-level keys in the order they appear in the body (the body is compact JSON, and no
  // nested object holds these names before "labels").
  const std::string at_risk = WebhookBody(ExampleAtRisk());
  const std::vector<std::string> want = {"kind",     "key",        "airflow_instance",
                                         "rule",     "severity",   "dag_id",
                                         "run_id",   "task_id",    "need_by",
                                         "event_time", "overdue_seconds", "labels",
                                         "url"};
  size_t last = 0;
  for (const std::string& key : want) {
    const size_t at = at_risk.find("\"" + key + "\":");
    ASSERT_NE(at, std::string::npos) << key;
    EXPECT_GE(at, last) << key << " out of order in " << at_risk;
    last = at;
  }
  EXPECT_EQ(nlohmann::json::parse(at_risk).size(), want.size());
  Event e = ExampleMissed();
  e.overdue_seconds = 720.25;
  e.task_id = "load";
  auto body = nlohmann::json::parse(WebhookBody(e));
  EXPECT_EQ(body["overdue_seconds"], 720.25);
  EXPECT_EQ(body["task_id"], "load");
}

TEST_F(WebhookChannelTest, UnsignedWithoutASecretAndWithExtraHeaders) {
  auto channel = Make("", {{"Authorization", "Bearer HDR-TOKEN-2wE6bN"}, {"X-Team", "data"}});
  ASSERT_TRUE(channel->Deliver(ExampleMissed()).delivered());
  HttpReceiver::Request r = Only();
  EXPECT_FALSE(r.HasHeader("X-Slayer-Signature"));
  EXPECT_EQ(r.Header("Authorization"), "Bearer HDR-TOKEN-2wE6bN");
  EXPECT_EQ(r.Header("X-Team"), "data");
  EXPECT_EQ(r.Header("Idempotency-Key"), ExampleMissed().key);
}

TEST_F(WebhookChannelTest, EveryAttemptSendsTheSameBytes) {
  auto channel = Make();
  receiver_.QueueResponse({.status = 503, .body = "busy"});
  DeliveryResult first = channel->Deliver(ExampleMissed());
  EXPECT_EQ(first.outcome, DeliveryResult::Outcome::kRetry);
  EXPECT_EQ(first.error, "webhook channel 'hook': HTTP 503: busy");
  ASSERT_TRUE(channel->Deliver(ExampleMissed()).delivered());
  auto requests = receiver_.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].body, requests[1].body);
  EXPECT_EQ(requests[0].Header("X-Slayer-Signature"), requests[1].Header("X-Slayer-Signature"));
  EXPECT_EQ(requests[0].Header("Idempotency-Key"), requests[1].Header("Idempotency-Key"));
}

TEST_F(WebhookChannelTest, ErrorsNeverShowTheSecretOrHeaderValues) {
  auto channel = Make(kSecret, {{"Authorization", "Bearer HDR-TOKEN-2wE6bN"}});
  receiver_.QueueResponse(
      {.status = 401, .body = "bad token Bearer HDR-TOKEN-2wE6bN for HOOK-HMAC-5tR1pY"});
  DeliveryResult rejected = channel->Deliver(ExampleMissed());
  EXPECT_EQ(rejected.outcome, DeliveryResult::Outcome::kRejected);
  EXPECT_EQ(rejected.error, "webhook channel 'hook': HTTP 401: bad token *** for ***");
}

TEST(HmacTest, KnownVector) {
  // RFC 4231 test case 2.
  EXPECT_EQ(HmacSha256Hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

}  // namespace
}  // namespace slayer::notify

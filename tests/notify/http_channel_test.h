// HttpChannelTest: the fixture the HTTP channel tests (Alertmanager, Slack, PagerDuty, webhook)
// share: a local HttpReceiver started for each test, the channel a Make*Channel call made, and
// the one request it received. Test helpers.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string_view>
#include <utility>

#include "common/result.h"
#include "notify/channel.h"
#include "notify/http_receiver.h"

namespace slayer::notify::testing {

class HttpChannelTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(receiver_.Start()); }

  // The channel `made` holds; nullptr, with the test failed, when making it failed.
  static std::unique_ptr<Channel> Made(Result<std::unique_ptr<Channel>> made) {
    EXPECT_TRUE(made) << made.error().message();
    return made ? std::move(*made) : nullptr;
  }

  // The only request so far, after checking that it was a JSON POST to `path`; an empty request,
  // with the test failed, when none came.
  slayer::testing::HttpReceiver::Request OnlyRequest(std::string_view path) {
    EXPECT_EQ(receiver_.request_count(), 1u);
    if (receiver_.request_count() == 0) return {};
    slayer::testing::HttpReceiver::Request r = receiver_.requests().back();
    EXPECT_EQ(r.method, "POST");
    EXPECT_EQ(r.path, path);
    EXPECT_EQ(r.Header("Content-Type"), "application/json");
    return r;
  }

  slayer::testing::HttpReceiver receiver_;
};

}  // namespace slayer::notify::testing

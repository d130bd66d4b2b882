// AlertmanagerChannel against a real Alertmanager (Debian package prometheus-alertmanager,
// scripts/install-deps.sh): a child process on a free port of 127.0.0.1 with a temporary config
// (one receiver that sends nothing) and storage, gossip off. Hermetic and quick (about a second).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "integration/silent_listener.h"
#include "notify/alertmanager_channel.h"
#include "notify/example_events.h"
#include "notify/golden.h"

extern char** environ;

namespace slayer::notify {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

constexpr char kAlertmanager[] = "/usr/bin/prometheus-alertmanager";

class AlertmanagerServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(fs::exists(kAlertmanager))
        << kAlertmanager << " is missing: install prometheus-alertmanager "
        << "(scripts/install-deps.sh)";
    char tmpl[] = "/tmp/slayer-alertmanager-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    std::ofstream(dir_ / "alertmanager.yml") << "route:\n  receiver: \"null\"\n"
                                                "receivers:\n  - name: \"null\"\n";
    port_ = slayer::testing::UnusedTcpPort();
    ASSERT_GT(port_, 0);
    std::vector<std::string> args = {
        kAlertmanager,
        "--config.file=" + (dir_ / "alertmanager.yml").string(),
        "--storage.path=" + (dir_ / "data").string(),
        "--web.listen-address=127.0.0.1:" + std::to_string(port_),
        "--cluster.listen-address=",
        "--log.level=warn",
    };
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    std::string log = (dir_ / "alertmanager.log").string();
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    int rc = posix_spawn(&pid_, kAlertmanager, &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ASSERT_EQ(rc, 0) << "cannot start " << kAlertmanager;

    httplib::Client client("127.0.0.1", port_);
    client.set_connection_timeout(1s);
    auto deadline = std::chrono::steady_clock::now() + 15s;
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      ASSERT_EQ(waitpid(pid_, &status, WNOHANG), 0) << "alertmanager exited:\n" << Log();
      if (auto res = client.Get("/-/ready"); res && res->status == 200) return;
      std::this_thread::sleep_for(50ms);
    }
    FAIL() << "alertmanager not ready after 15s:\n" << Log();
  }

  void TearDown() override {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      int status = 0;
      auto deadline = std::chrono::steady_clock::now() + 10s;
      while (waitpid(pid_, &status, WNOHANG) == 0) {
        if (std::chrono::steady_clock::now() > deadline) {
          kill(pid_, SIGKILL);
          waitpid(pid_, &status, 0);
          break;
        }
        std::this_thread::sleep_for(20ms);
      }
    }
    if (!dir_.empty()) fs::remove_all(dir_);
  }

  // What Alertmanager has written to its stdout and stderr.
  std::string Log() const { return testing::ReadTestFile(dir_ / "alertmanager.log"); }

  std::unique_ptr<Channel> MakeChannelForTest() {
    config::Channel c;
    c.name = "am";
    c.type = config::ChannelType::kAlertmanager;
    c.url = "http://127.0.0.1:" + std::to_string(port_);
    auto channel = MakeAlertmanagerChannel(c);
    EXPECT_TRUE(channel) << channel.error().message();
    return channel ? std::move(*channel) : nullptr;
  }

  // The alerts Alertmanager reports as not yet resolved, with our dag_id.
  nlohmann::json OpenAlerts() {
    httplib::Client client("127.0.0.1", port_);
    auto res = client.Get("/api/v2/alerts");
    EXPECT_TRUE(res && res->status == 200);
    nlohmann::json out = nlohmann::json::array();
    if (!res) return out;
    for (const auto& alert : nlohmann::json::parse(res->body)) {
      if (alert["labels"].value("dag_id", "") == "orders_daily") out.push_back(alert);
    }
    return out;
  }

  fs::path dir_;
  int port_ = 0;
  pid_t pid_ = -1;
};

Timestamp Now() {
  return std::chrono::time_point_cast<Duration>(
      std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()));
}

// The example miss, declared two minutes ago for a need-by five minutes ago.
Event MissedBefore(Timestamp now) {
  Event missed = testing::ExampleMissed();
  missed.need_by = now - std::chrono::minutes(5);
  missed.event_time = now - std::chrono::minutes(2);
  return missed;
}

TEST_F(AlertmanagerServerTest, MissedIsActiveUntilRecovered) {
  auto channel = MakeChannelForTest();
  ASSERT_NE(channel, nullptr);
  Timestamp now = Now();
  Event missed = MissedBefore(now);
  missed.overdue_seconds = 180;
  DeliveryResult result = channel->Deliver(missed);
  ASSERT_TRUE(result.delivered()) << result.error;

  nlohmann::json alerts = OpenAlerts();
  ASSERT_EQ(alerts.size(), 1u) << alerts.dump(2);
  nlohmann::json alert = alerts[0];  // a copy: `alerts` is reused below
  EXPECT_EQ(alert["status"]["state"], "active");
  EXPECT_EQ(alert["labels"], nlohmann::json::parse(R"({
      "alertname": "SlayerDeadlineMissed", "airflow_instance": "prod", "rule": "orders-in-2h",
      "dag_id": "orders_daily", "run_id": "scheduled__2026-01-01T08:00:00+00:00",
      "severity": "critical", "team": "data"})"));
  EXPECT_EQ(alert["annotations"]["summary"], EventSummary(missed));
  EXPECT_EQ(alert["annotations"]["need_by"], FormatRfc3339(missed.need_by));
  EXPECT_EQ(alert["generatorURL"], missed.url);
  auto starts = ParseTimestamp(alert["startsAt"].get<std::string>());
  ASSERT_TRUE(starts);
  EXPECT_EQ(*starts, missed.event_time);

  // The refresh keeps it firing, as the same alert.
  ASSERT_TRUE(channel->Refresh(std::vector<Event>{missed}).delivered());
  alerts = OpenAlerts();
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0]["fingerprint"], alert["fingerprint"]);
  EXPECT_EQ(alerts[0]["status"]["state"], "active");

  Event recovered = testing::ExampleRecovered();
  recovered.need_by = missed.need_by;
  recovered.event_time = now - std::chrono::seconds(1);
  recovered.lateness_seconds = 299;
  result = channel->Deliver(recovered);
  ASSERT_TRUE(result.delivered()) << result.error;
  EXPECT_EQ(OpenAlerts().size(), 0u) << OpenAlerts().dump(2);
}

TEST_F(AlertmanagerServerTest, AbandonedAfterAMissResolvesIt) {
  auto channel = MakeChannelForTest();
  ASSERT_NE(channel, nullptr);
  Timestamp now = Now();
  Event missed = MissedBefore(now);
  ASSERT_TRUE(channel->Deliver(missed).delivered());
  ASSERT_EQ(OpenAlerts().size(), 1u);
  Event abandoned = testing::ExampleAbandoned(true);
  abandoned.need_by = missed.need_by;
  abandoned.event_time = now - std::chrono::seconds(1);
  ASSERT_TRUE(channel->Deliver(abandoned).delivered());
  EXPECT_EQ(OpenAlerts().size(), 0u);
}

TEST_F(AlertmanagerServerTest, AtRiskFiresUntilTheNeedBy) {
  auto channel = MakeChannelForTest();
  ASSERT_NE(channel, nullptr);
  Timestamp now = Now();
  Event at_risk = testing::ExampleAtRisk();
  at_risk.event_time = now - std::chrono::seconds(10);
  at_risk.need_by = now + std::chrono::hours(1);
  ASSERT_TRUE(channel->Deliver(at_risk).delivered());
  nlohmann::json alerts = OpenAlerts();
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0]["labels"]["alertname"], "SlayerDeadlineAtRisk");
  auto ends = ParseTimestamp(alerts[0]["endsAt"].get<std::string>());
  ASSERT_TRUE(ends);
  EXPECT_EQ(*ends, at_risk.need_by);
}

}  // namespace
}  // namespace slayer::notify

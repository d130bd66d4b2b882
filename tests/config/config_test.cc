#include "config/config.h"

#include <gtest/gtest.h>

namespace slayer::config {
namespace {

std::vector<Glob> Globs(std::initializer_list<const char*> patterns) {
  std::vector<Glob> out;
  for (const char* p : patterns) out.push_back(*Glob::Compile(p));
  return out;
}

TEST(SelectorTest, EmptySelectorMatchesEveryDag) {
  Selector s;
  EXPECT_TRUE(s.MatchesEveryDag());
  EXPECT_TRUE(s.Matches("anything", {}, ""));
}

TEST(SelectorTest, AllGivenConditionsMustHold) {
  Selector s;
  s.dag_id = Globs({"events_*", "sales"});
  s.tags = {"critical", "gold"};
  s.owner = "data-eng";
  EXPECT_FALSE(s.MatchesEveryDag());
  EXPECT_TRUE(s.Matches("events_hourly", {"x", "gold"}, "airflow, data-eng"));
  EXPECT_TRUE(s.Matches("sales", {"critical"}, "data-eng"));
  EXPECT_FALSE(s.Matches("other", {"critical"}, "data-eng"));           // dag_id
  EXPECT_FALSE(s.Matches("sales", {"bronze"}, "data-eng"));             // tags
  EXPECT_FALSE(s.Matches("sales", {"critical"}, "airflow,data-eng2"));  // owner is exact
  EXPECT_FALSE(s.Matches("sales", {}, "data-eng"));
}

TEST(SelectorTest, OwnerIsOneOfTheCommaSeparatedOwners) {
  Selector s;
  s.owner = "data-eng";
  EXPECT_TRUE(s.Matches("d", {}, "data-eng"));
  EXPECT_TRUE(s.Matches("d", {}, "airflow,data-eng"));
  EXPECT_TRUE(s.Matches("d", {}, " data-eng , ops"));
  EXPECT_FALSE(s.Matches("d", {}, "data"));
  EXPECT_FALSE(s.Matches("d", {}, ""));
}

TEST(ConfigTest, DefaultsAreTheDocumentedOnes) {
  using namespace std::chrono;
  AirflowInstance a;
  EXPECT_EQ(a.poll_interval, seconds(10));
  EXPECT_EQ(a.horizon, days(7));
  EXPECT_TRUE(a.airflow_native);
  EXPECT_EQ(a.connect_timeout, seconds(5));
  EXPECT_EQ(a.statement_timeout, seconds(10));
  EXPECT_EQ(a.health.heartbeat_timeout, seconds(60));
  Storage storage;
  EXPECT_EQ(storage.url.ToString(), "sqlite:////var/lib/slayer/slayer.db");
  EXPECT_EQ(storage.retention, days(400));
  Config config;
  EXPECT_EQ(config.display_timezone, "UTC");
  EXPECT_EQ(config.notifications.retry_initial, seconds(5));
  EXPECT_EQ(config.notifications.retry_max, minutes(10));
  EXPECT_EQ(config.notifications.give_up_after, hours(24));
  Rule rule;
  EXPECT_EQ(rule.severity, Severity::kWarning);
  EXPECT_EQ(rule.on_failure, OnFailure::kAlert);
  EXPECT_FALSE(rule.alert_when_paused);
  EXPECT_FALSE(rule.at_risk);
  Channel channel;
  EXPECT_TRUE(channel.send_resolved);
  EXPECT_EQ(channel.timeout, seconds(10));
  EXPECT_FALSE(channel.max_retries.has_value());
  WallClock at;
  EXPECT_EQ(at.timezone, "UTC");
  Silence silence;
  EXPECT_EQ(silence.timezone, "UTC");
}

TEST(ConfigTest, ReferenceClasses) {
  EXPECT_TRUE(IsTaskReference(Reference::kTaskStartDate));
  EXPECT_TRUE(IsTaskReference(Reference::kTaskQueuedAt));
  EXPECT_FALSE(IsTaskReference(Reference::kStartDate));
  EXPECT_TRUE(IsScheduleReference(Reference::kLogicalDate));
  EXPECT_TRUE(IsScheduleReference(Reference::kDataIntervalEnd));
  EXPECT_FALSE(IsScheduleReference(Reference::kRunAfter));
  EXPECT_FALSE(IsScheduleReference(Reference::kFixed));
  Deadline d;
  d.reference = Reference::kQueuedAt;
  EXPECT_FALSE(d.CountsExpectedRuns());
  d.reference = Reference::kLogicalDate;
  EXPECT_TRUE(d.CountsExpectedRuns());
  d.expected_runs = false;
  EXPECT_FALSE(d.CountsExpectedRuns());
  EXPECT_EQ(ReferenceName(Reference::kDataIntervalStart), "dagrun.data_interval_start");
}

}  // namespace
}  // namespace slayer::config

// InstancePoller records airflow_up in the store's health intervals after every poll
// (docs/health.md#uptime): up and down as read, unknown when the database cannot be read, a
// restart's gap unknown; over the fake source, a fake clock and a real SQLite store.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "app/instance_poller.h"
#include "fakes/fake_airflow_source.h"
#include "fakes/fake_clock.h"
#include "fakes/timestamps.h"
#include "insights/uptime.h"
#include "store/sqlite_store.h"
#include "store/temp_dir.h"

namespace slayer::app {
namespace {

using namespace std::chrono_literals;
using test::T;
using testing::FakeAirflowData;
using testing::FakeAirflowSource;
using testing::FakeClock;

// "up 10:00:00-10:00:30" for compact comparisons (open intervals marked).
std::string Show(const store::HealthInterval& h) {
  auto hms = [](Timestamp t) { return FormatRfc3339(t).substr(11, 8); };
  return std::string(h.up ? "up " : "down ") + hms(h.start) + "-" + hms(h.end) +
         (h.open ? " open" : "");
}

class HealthRecordingTest : public ::testing::Test {
 protected:
  HealthRecordingTest()
      : clock_(T("2026-11-23T10:00:00Z")), data_(std::make_shared<FakeAirflowData>()) {
    data_->schema.airflow_version = "2.10.3";
    instance_.name = "prod";
    instance_.database = *db::Dsn::Parse("postgresql://u:pw@db/airflow");
    instance_.poll_interval = 10s;
    instance_.health.heartbeat_timeout = 15s;
  }

  void SetUp() override {
    ASSERT_FALSE(dir_.path().empty());
    auto dsn = db::Dsn::Parse("sqlite://" + (dir_.path() / "slayer.db").string());
    ASSERT_TRUE(dsn);
    auto store = store::SqliteStore::Open(*dsn, &clock_);
    ASSERT_TRUE(store) << store.error().message();
    store_ = std::move(*store);
  }

  std::unique_ptr<InstancePoller> NewPoller() {
    return std::make_unique<InstancePoller>(
        instance_, clock_,
        [this](const config::AirflowInstance&) -> Result<std::unique_ptr<airflow::AirflowSource>> {
          return std::unique_ptr<airflow::AirflowSource>(new FakeAirflowSource(data_));
        },
        PollerOptions{}, nullptr, store_.get());
  }

  // A scheduler that heartbeats now (or stopped at `beat`).
  void Scheduler(Timestamp beat) {
    airflow::Job j;
    j.id = 1;
    j.job_type = "SchedulerJob";
    j.state = "running";
    j.hostname = "sched-0";
    j.latest_heartbeat = beat;
    data_->jobs = {j};
  }

  std::vector<std::string> Intervals() {
    auto got =
        store_->HealthIntervals("prod", T("2026-11-23T00:00:00Z"), T("2026-11-24T00:00:00Z"));
    EXPECT_TRUE(got) << got.error().message();
    std::vector<std::string> out;
    if (got) {
      for (const auto& h : *got) out.push_back(Show(h));
    }
    return out;
  }

  FakeClock clock_;
  std::shared_ptr<FakeAirflowData> data_;
  config::AirflowInstance instance_;
  slayer::testing::TempDir dir_;
  std::unique_ptr<store::SqliteStore> store_;
};

using Rows = std::vector<std::string>;

TEST_F(HealthRecordingTest, RecordsUpDownAndUnknownPollByPoll) {
  auto poller = NewPoller();
  EXPECT_EQ(poller->health_max_gap(), 30s);
  // 10:00:00 - 10:00:20: up. The scheduler stops at 10:00:20.
  for (int i = 0; i <= 2; ++i) {
    Scheduler(clock_.Now());
    ASSERT_TRUE(poller->PollOnce().ok());
    clock_.Advance(10s);
  }
  // 10:00:30: 10 s old, still alive. 10:00:40: 20 s > heartbeat_timeout: down.
  ASSERT_TRUE(poller->PollOnce().ok());
  EXPECT_TRUE(poller->state().health.airflow_up);
  clock_.Advance(10s);
  ASSERT_TRUE(poller->PollOnce().ok());
  EXPECT_FALSE(poller->state().health.airflow_up);
  EXPECT_EQ(Intervals(), Rows({"up 10:00:00-10:00:30", "down 10:00:30-10:00:40 open"}));

  // 10:00:50: the database is unreachable: unknown from the last sample on.
  clock_.Advance(10s);
  data_->fail_with = UnavailableError("connection refused");
  EXPECT_FALSE(poller->PollOnce().ok());
  EXPECT_EQ(Intervals(), Rows({"up 10:00:00-10:00:30", "down 10:00:30-10:00:40"}));

  // 10:01:00: reachable again, the scheduler restarted: up, from this poll on.
  clock_.Advance(10s);
  data_->fail_with = Status::Ok();
  Scheduler(clock_.Now());
  ASSERT_TRUE(poller->PollOnce().ok());
  clock_.Advance(10s);
  Scheduler(clock_.Now());
  ASSERT_TRUE(poller->PollOnce().ok());
  EXPECT_EQ(Intervals(),
            Rows({"up 10:00:00-10:00:30", "down 10:00:30-10:00:40", "up 10:01:00-10:01:10 open"}));

  auto intervals =
      store_->HealthIntervals("prod", T("2026-11-23T10:00:00Z"), T("2026-11-23T10:01:20Z"));
  ASSERT_TRUE(intervals);
  insights::UptimeStats u =
      insights::ComputeUptime(*intervals, T("2026-11-23T10:00:00Z"), T("2026-11-23T10:01:20Z"));
  EXPECT_EQ(u.up, 40s);
  EXPECT_EQ(u.down, 10s);
  EXPECT_EQ(u.unknown, 30s);
  EXPECT_EQ(u.outages, 1);
  EXPECT_EQ(u.longest_outage, 10s);
  EXPECT_DOUBLE_EQ(*u.uptime(), 0.8);
}

TEST_F(HealthRecordingTest, ARestartContinuesWithinTheGapAndIsUnknownAfterIt) {
  Scheduler(clock_.Now());
  {
    auto poller = NewPoller();
    ASSERT_TRUE(poller->PollOnce().ok());
    clock_.Advance(10s);
    Scheduler(clock_.Now());
    ASSERT_TRUE(poller->PollOnce().ok());
  }
  // A new poller (a reload, or SLAyer restarted) 20 s later: within max_gap, one stretch.
  clock_.Advance(20s);
  Scheduler(clock_.Now());
  {
    auto poller = NewPoller();
    ASSERT_TRUE(poller->PollOnce().ok());
  }
  EXPECT_EQ(Intervals(), Rows({"up 10:00:00-10:00:30 open"}));
  // SLAyer was down for ten minutes: that time is unknown, not up.
  clock_.Advance(10min);
  Scheduler(clock_.Now());
  auto poller = NewPoller();
  ASSERT_TRUE(poller->PollOnce().ok());
  EXPECT_EQ(Intervals(), Rows({"up 10:00:00-10:00:30", "up 10:10:30-10:10:30 open"}));
}

TEST_F(HealthRecordingTest, AFailedFirstConnectRecordsNothing) {
  data_->fail_with = UnavailableError("connection refused");
  auto poller = NewPoller();
  EXPECT_FALSE(poller->PollOnce().ok());
  EXPECT_EQ(Intervals(), Rows({}));
}

TEST_F(HealthRecordingTest, AppliesTheHealthRetention) {
  // A closed interval from long ago, past the default retention of 400 days.
  const Timestamp old = clock_.Now() - std::chrono::days(500);
  ASSERT_TRUE(store_->RecordHealthSample("prod", true, old, 30s).ok());
  ASSERT_TRUE(store_->RecordHealthSample("prod", std::nullopt, old + 10s, 30s).ok());
  Scheduler(clock_.Now());
  auto poller = NewPoller();
  ASSERT_TRUE(poller->PollOnce().ok());
  auto all = store_->HealthIntervals("", old - 1h, clock_.Now() + 1h);
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ((*all)[0].start, clock_.Now());
}

}  // namespace
}  // namespace slayer::app

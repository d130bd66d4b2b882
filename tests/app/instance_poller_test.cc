#include "app/instance_poller.h"

#include <gtest/gtest.h>

#include "fakes/fake_airflow_source.h"
#include "fakes/fake_clock.h"
#include "fakes/timestamps.h"

namespace slayer::app {
namespace {

using namespace std::chrono;
using testing::FakeAirflowData;
using testing::FakeAirflowSource;
using testing::FakeClock;

using test::T;

class InstancePollerTest : public ::testing::Test {
 protected:
  InstancePollerTest() : clock_(T("2026-11-23T10:00:00Z")), data_(std::make_shared<FakeAirflowData>()) {
    data_->schema.airflow_version = "2.10.3";
    data_->schema.alembic_revision = "5f2621c13b39";
    data_->schema.sla_miss_table = true;
    data_->dags = {Dag("etl"), Dag("report")};
    instance_.name = "prod";
    instance_.database = *db::Dsn::Parse("postgresql://u:hunter2@db/airflow");
  }

  static airflow::Dag Dag(std::string id) {
    airflow::Dag d;
    d.dag_id = std::move(id);
    return d;
  }
  static airflow::SlaMiss Miss(std::string dag, std::string task, const char* exec) {
    airflow::SlaMiss m;
    m.dag_id = std::move(dag);
    m.task_id = std::move(task);
    m.execution_date = T(exec);
    m.timestamp = T(exec) + hours(1);
    m.run_id = "scheduled__" + std::string(exec);
    return m;
  }
  static airflow::DagRun Run(std::string dag, airflow::DagRunState state) {
    airflow::DagRun r;
    r.dag_id = std::move(dag);
    r.run_id = "r1";
    r.state = state;
    return r;
  }

  std::unique_ptr<InstancePoller> NewPoller() {
    return std::make_unique<InstancePoller>(
        instance_, clock_,
        [this](const config::AirflowInstance&) -> Result<std::unique_ptr<airflow::AirflowSource>> {
          ++connects_;
          if (!connect_error_.ok()) return connect_error_;
          return std::unique_ptr<airflow::AirflowSource>(new FakeAirflowSource(data_));
        });
  }

  FakeClock clock_;
  std::shared_ptr<FakeAirflowData> data_;
  config::AirflowInstance instance_;
  Status connect_error_ = Status::Ok();
  int connects_ = 0;
};

TEST_F(InstancePollerTest, ReportsOpenSlaMissesWithNeedByFromTheTaskSla) {
  data_->open_sla_misses = {Miss("etl", "load", "2026-11-23T08:00:00Z")};
  airflow::SerializedDag sd;
  sd.dag_id = "etl";
  airflow::SerializedTask task;
  task.task_id = "load";
  task.sla = minutes(30);
  sd.tasks.push_back(task);
  data_->serialized = {sd};

  auto poller = NewPoller();
  ASSERT_TRUE(poller->PollOnce().ok());
  InstanceState s = poller->state();
  EXPECT_TRUE(s.db_up);
  ASSERT_TRUE(s.schema);
  EXPECT_EQ(s.schema->airflow_version, "2.10.3");
  ASSERT_EQ(s.violations.size(), 1u);
  const Violation& v = s.violations[0];
  EXPECT_EQ(v.rule, "airflow:sla");
  EXPECT_EQ(v.dag_id, "etl");
  EXPECT_EQ(v.task_id, "load");
  EXPECT_EQ(v.run_id, "scheduled__2026-11-23T08:00:00Z");
  EXPECT_EQ(v.execution_date, T("2026-11-23T08:00:00Z"));
  EXPECT_EQ(v.need_by, T("2026-11-23T08:30:00Z"));
  EXPECT_EQ(s.last_success, clock_.Now());
}

TEST_F(InstancePollerTest, NeedByFallsBackToDetectionTimeWithoutSerializedDag) {
  data_->open_sla_misses = {Miss("etl", "load", "2026-11-23T08:00:00Z")};
  auto poller = NewPoller();
  ASSERT_TRUE(poller->PollOnce().ok());
  ASSERT_EQ(poller->state().violations.size(), 1u);
  EXPECT_EQ(poller->state().violations[0].need_by, T("2026-11-23T09:00:00Z"));
}

TEST_F(InstancePollerTest, BetweenFullReadsOnlyActiveDagsAreReRead) {
  data_->open_sla_misses = {Miss("etl", "load", "2026-11-23T08:00:00Z"),
                            Miss("report", "send", "2026-11-23T08:00:00Z")};
  auto poller = NewPoller();
  ASSERT_TRUE(poller->PollOnce().ok());
  EXPECT_EQ(poller->state().violations.size(), 2u);

  // etl's run is active and its miss clears; report has no active run, so its miss stays until
  // the next full read (5 minutes).
  data_->runs = {Run("etl", airflow::DagRunState::kRunning)};
  data_->open_sla_misses = {};
  clock_.Advance(seconds(10));
  ASSERT_TRUE(poller->PollOnce().ok());
  ASSERT_EQ(poller->state().violations.size(), 1u);
  EXPECT_EQ(poller->state().violations[0].dag_id, "report");

  clock_.Advance(minutes(5));
  ASSERT_TRUE(poller->PollOnce().ok());
  EXPECT_TRUE(poller->state().violations.empty());
}

TEST_F(InstancePollerTest, ARunThatJustFinishedIsReReadOnce) {
  data_->runs = {Run("etl", airflow::DagRunState::kRunning)};
  data_->open_sla_misses = {Miss("etl", "load", "2026-11-23T08:00:00Z")};
  auto poller = NewPoller();
  ASSERT_TRUE(poller->PollOnce().ok());
  EXPECT_EQ(poller->state().violations.size(), 1u);
  // The run succeeded between polls: no longer active, but active at the previous poll.
  data_->runs = {Run("etl", airflow::DagRunState::kSuccess)};
  data_->open_sla_misses = {};
  clock_.Advance(seconds(10));
  ASSERT_TRUE(poller->PollOnce().ok());
  EXPECT_TRUE(poller->state().violations.empty());
}

TEST_F(InstancePollerTest, DatabaseDownKeepsLastKnownViolationsAndMarksDbDown) {
  data_->open_sla_misses = {Miss("etl", "load", "2026-11-23T08:00:00Z")};
  auto poller = NewPoller();
  ASSERT_TRUE(poller->PollOnce().ok());
  Timestamp last_success = *poller->state().last_success;

  data_->fail_with = UnavailableError("connection refused");
  data_->open_sla_misses = {};
  clock_.Advance(seconds(10));
  Status st = poller->PollOnce();
  EXPECT_EQ(st.code(), StatusCode::kUnavailable);
  InstanceState s = poller->state();
  EXPECT_FALSE(s.db_up);
  EXPECT_EQ(s.violations.size(), 1u) << "never guessed while the database is down";
  EXPECT_EQ(s.last_success, last_success);
  EXPECT_EQ(s.poll_errors_total, 1u);
  EXPECT_NE(s.last_error.find("connection refused"), std::string::npos);
}

TEST_F(InstancePollerTest, ReconnectsWithExponentialBackoff) {
  connect_error_ = UnavailableError("cannot connect to postgresql://u:***@db/airflow");
  auto poller = NewPoller();
  EXPECT_FALSE(poller->PollOnce().ok());
  EXPECT_EQ(connects_, 1);
  // Within the first backoff (1 s) no new attempt is made.
  clock_.Advance(milliseconds(500));
  EXPECT_FALSE(poller->PollOnce().ok());
  EXPECT_EQ(connects_, 1);
  clock_.Advance(milliseconds(600));
  EXPECT_FALSE(poller->PollOnce().ok());
  EXPECT_EQ(connects_, 2);
  // The second wait is 2 s.
  clock_.Advance(milliseconds(1500));
  EXPECT_FALSE(poller->PollOnce().ok());
  EXPECT_EQ(connects_, 2);
  clock_.Advance(milliseconds(600));
  connect_error_ = Status::Ok();
  EXPECT_TRUE(poller->PollOnce().ok());
  EXPECT_EQ(connects_, 3);
  EXPECT_TRUE(poller->state().db_up);
  // Two failed connects and two polls skipped while backing off.
  EXPECT_EQ(poller->state().poll_errors_total, 4u);
  EXPECT_EQ(poller->state().last_error, "");
}

TEST_F(InstancePollerTest, ConnectionErrorDropsTheSourceAndReconnects) {
  auto poller = NewPoller();
  ASSERT_TRUE(poller->PollOnce().ok());
  data_->fail_with = DeadlineExceededError("statement timed out");
  EXPECT_FALSE(poller->PollOnce().ok());
  data_->fail_with = Status::Ok();
  clock_.Advance(seconds(10));
  ASSERT_TRUE(poller->PollOnce().ok());
  EXPECT_EQ(connects_, 2);
}

TEST_F(InstancePollerTest, WithoutSlaMissTableOrAirflowNativeNoSlaReads) {
  data_->schema.sla_miss_table = false;
  auto poller = NewPoller();
  ASSERT_TRUE(poller->PollOnce().ok());
  EXPECT_EQ(data_->calls["OpenSlaMisses"], 0);

  data_->schema.sla_miss_table = true;
  instance_.airflow_native = false;
  auto native_off = NewPoller();
  ASSERT_TRUE(native_off->PollOnce().ok());
  EXPECT_EQ(data_->calls["OpenSlaMisses"], 0);
}

}  // namespace
}  // namespace slayer::app

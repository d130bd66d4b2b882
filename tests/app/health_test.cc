// HealthReader (src/app/health_reader.cc), its use by InstancePoller, and CollectHealth
// (src/app/health_collector.cc), over the fake source and a fake clock.
#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <string>

#include "app/collectors.h"
#include "app/health_reader.h"
#include "app/instance_poller.h"
#include "fakes/fake_airflow_source.h"
#include "fakes/fake_clock.h"
#include "fakes/rules_yaml.h"
#include "fakes/timestamps.h"

namespace slayer::app {
namespace {

using namespace std::chrono;
using testing::FakeAirflowData;
using testing::FakeAirflowSource;
using testing::FakeClock;

using test::T;

airflow::Job J(int64_t id, std::string type, std::string state, std::string host, Timestamp beat) {
  airflow::Job j;
  j.id = id;
  j.job_type = std::move(type);
  j.state = std::move(state);
  j.hostname = std::move(host);
  j.latest_heartbeat = beat;
  return j;
}

airflow::TaskInstanceCount C(std::optional<std::string> state, std::string pool,
                             std::optional<std::string> queue, int64_t count, int64_t slots) {
  airflow::TaskInstanceCount c;
  c.state = airflow::ParseTaskInstanceState(state);
  c.state_text = std::move(state);
  c.pool = std::move(pool);
  c.queue = std::move(queue);
  c.count = count;
  c.pool_slots = slots;
  return c;
}

airflow::Pool P(std::string name, int64_t slots, bool include_deferred = false) {
  return {std::move(name), slots, include_deferred};
}

airflow::DagRun MakeRun(std::string dag, std::string run_id, std::string run_type,
                        airflow::DagRunState state, Timestamp run_after,
                        std::optional<Timestamp> start) {
  airflow::DagRun r;
  r.dag_id = std::move(dag);
  r.run_id = std::move(run_id);
  r.run_type = std::move(run_type);
  r.state = state;
  r.run_after = run_after;
  r.start_date = start;
  return r;
}

airflow::Dag D(std::string id, bool paused, bool active = true,
               std::optional<bool> import_errors = false) {
  airflow::Dag d;
  d.dag_id = std::move(id);
  d.is_paused = paused;
  d.is_active = active;
  d.has_import_errors = import_errors;
  return d;
}

const JobHeartbeat* FindJob(const HealthState& h, std::string_view type, std::string_view host) {
  for (const auto& j : h.jobs) {
    if (j.job_type == type && j.hostname == host) return &j;
  }
  return nullptr;
}

const PoolSlots* FindPool(const HealthState& h, std::string_view pool) {
  for (const auto& p : h.pools) {
    if (p.pool == pool) return &p;
  }
  return nullptr;
}

class HealthTest : public ::testing::Test {
 protected:
  HealthTest() : clock_(T("2026-11-23T10:00:00Z")), data_(std::make_shared<FakeAirflowData>()) {
    data_->schema.airflow_version = "2.10.3";
    instance_.name = "prod";
    instance_.database = *db::Dsn::Parse("postgresql://u:pw@db/airflow");
  }

  std::unique_ptr<InstancePoller> NewPoller() {
    return std::make_unique<InstancePoller>(
        instance_, clock_,
        [this](const config::AirflowInstance&) -> Result<std::unique_ptr<airflow::AirflowSource>> {
          return std::unique_ptr<airflow::AirflowSource>(new FakeAirflowSource(data_));
        });
  }

  // One HealthReader::Read on the fake source at the fake clock's time.
  HealthState ReadOnce(HealthReader& reader) {
    FakeAirflowSource source(data_);
    HealthState out;
    std::vector<airflow::DagRun> active;
    for (const auto& r : data_->runs) {
      if (!airflow::IsFinished(r.state)) active.push_back(r);
    }
    // As the poller does: the active runs' task instances, read once.
    std::vector<airflow::DagRunKey> keys;
    for (const auto& r : active) keys.push_back(r.key());
    auto tis = source.TaskInstancesOfRuns(keys);
    EXPECT_TRUE(tis) << tis.error().ToString();
    Status st = reader.Read(source, active, tis ? *tis : std::vector<airflow::TaskInstance>{},
                            data_->dags, rules_, clock_.Now(), instance_.health, &out);
    EXPECT_TRUE(st.ok()) << st.ToString();
    return out;
  }

  // Rules from YAML (the `rules:` list), e.g. a canary.
  void SetRules(const std::string& rules_yaml) {
    ASSERT_NO_FATAL_FAILURE(test::RulesFromYaml(rules_yaml, &rules_));
  }

  FakeClock clock_;
  std::shared_ptr<FakeAirflowData> data_;
  config::AirflowInstance instance_;
  rules::RuleSet rules_;
};

TEST_F(HealthTest, SchedulerWithAStaleHeartbeatTurnsAirflowUpOffWithinOnePoll) {
  data_->jobs = {J(1, "SchedulerJob", "running", "sched-0", clock_.Now())};
  auto poller = NewPoller();
  ASSERT_TRUE(poller->PollOnce().ok());
  EXPECT_TRUE(poller->state().health.read);
  EXPECT_TRUE(poller->state().health.airflow_up);

  // 59 s later without a new heartbeat: still inside the 60 s timeout.
  clock_.Advance(seconds(59));
  ASSERT_TRUE(poller->PollOnce().ok());
  EXPECT_TRUE(poller->state().health.airflow_up);

  // The next poll past the timeout says down, and shows the age.
  clock_.Advance(seconds(2));
  ASSERT_TRUE(poller->PollOnce().ok());
  HealthState h = poller->state().health;
  EXPECT_FALSE(h.airflow_up);
  const JobHeartbeat* job = FindJob(h, "SchedulerJob", "sched-0");
  ASSERT_NE(job, nullptr);
  EXPECT_DOUBLE_EQ(job->age_seconds, 61);

  // It heartbeats again: up at the next poll.
  data_->jobs[0].latest_heartbeat = clock_.Now();
  clock_.Advance(seconds(5));
  ASSERT_TRUE(poller->PollOnce().ok());
  EXPECT_TRUE(poller->state().health.airflow_up);
  EXPECT_DOUBLE_EQ(FindJob(poller->state().health, "SchedulerJob", "sched-0")->age_seconds, 5);
}

TEST_F(HealthTest, HeartbeatTimeoutComesFromTheInstanceConfig) {
  instance_.health.heartbeat_timeout = seconds(300);
  data_->jobs = {J(1, "SchedulerJob", "running", "sched-0", clock_.Now() - seconds(120))};
  HealthReader reader;
  EXPECT_TRUE(ReadOnce(reader).airflow_up);
  instance_.health.heartbeat_timeout = seconds(60);
  EXPECT_FALSE(ReadOnce(reader).airflow_up);
  EXPECT_EQ(HealthReader::JobWindow(instance_.health), minutes(10));
  instance_.health.heartbeat_timeout = minutes(5);
  EXPECT_EQ(HealthReader::JobWindow(instance_.health), minutes(50));
}

TEST_F(HealthTest, AirflowIsDownWithoutARunningScheduler) {
  const Timestamp now = clock_.Now();
  HealthReader reader;
  // No jobs at all.
  EXPECT_FALSE(ReadOnce(reader).airflow_up);
  // A fresh triggerer and DAG processor do not make Airflow up; a scheduler that shut down
  // cleanly (state success) is not alive either, as in Airflow's Job.is_alive.
  data_->jobs = {J(1, "TriggererJob", "running", "trig-0", now),
                 J(2, "DagProcessorJob", "running", "proc-0", now),
                 J(3, "SchedulerJob", "success", "sched-0", now - seconds(10))};
  HealthState h = ReadOnce(reader);
  EXPECT_FALSE(h.airflow_up);
  ASSERT_EQ(h.jobs.size(), 3u);
  EXPECT_NE(FindJob(h, "TriggererJob", "trig-0"), nullptr);
  EXPECT_NE(FindJob(h, "DagProcessorJob", "proc-0"), nullptr);
  EXPECT_DOUBLE_EQ(FindJob(h, "SchedulerJob", "sched-0")->age_seconds, 10);
}

TEST_F(HealthTest, OneSeriesPerJobTypeAndHostWithTheLatestHeartbeat) {
  const Timestamp now = clock_.Now();
  data_->jobs = {
      // A scheduler restarted on the same host: the old row failed, the new one beats.
      J(1, "SchedulerJob", "failed", "sched-0", now - minutes(3)),
      J(2, "SchedulerJob", "running", "sched-0", now - seconds(4)),
      // A second scheduler on another host, dead but still marked running long ago: its age
      // keeps growing (RunningJobs finds it outside the RecentJobs window).
      J(3, "SchedulerJob", "running", "sched-1", now - hours(5)),
      // Not monitored: task runner jobs and jobs without a heartbeat or type.
      J(4, "LocalTaskJob", "running", "worker-0", now),
      J(5, "TriggererJob", "running", "trig-0", now + seconds(3)),  // clock skew
  };
  airflow::Job no_beat = J(6, "SchedulerJob", "running", "sched-2", now);
  no_beat.latest_heartbeat.reset();
  data_->jobs.push_back(no_beat);
  airflow::Job no_host = J(7, "DagProcessorJob", "running", "", now - seconds(1));
  no_host.hostname.reset();
  data_->jobs.push_back(no_host);

  HealthReader reader;
  HealthState h = ReadOnce(reader);
  EXPECT_TRUE(h.airflow_up);
  ASSERT_EQ(h.jobs.size(), 4u);
  EXPECT_DOUBLE_EQ(FindJob(h, "SchedulerJob", "sched-0")->age_seconds, 4);
  EXPECT_DOUBLE_EQ(FindJob(h, "SchedulerJob", "sched-1")->age_seconds, 5 * 3600);
  EXPECT_DOUBLE_EQ(FindJob(h, "TriggererJob", "trig-0")->age_seconds, 0);
  EXPECT_DOUBLE_EQ(FindJob(h, "DagProcessorJob", "")->age_seconds, 1);
  EXPECT_EQ(FindJob(h, "LocalTaskJob", "worker-0"), nullptr);
}

TEST_F(HealthTest, CountsUnfinishedTaskInstancesByStatePoolAndQueue) {
  data_->task_instance_counts = {
      C("running", "default_pool", "default", 3, 3),
      C(std::nullopt, "default_pool", std::nullopt, 2, 2),
      C("queued", "etl", "celery", 1, 1),
      C("up_for_retry", "etl", std::nullopt, 4, 4),
  };
  HealthReader reader;
  HealthState h = ReadOnce(reader);
  ASSERT_EQ(h.task_instances.size(), 4u);
  // Sorted by (state, pool, queue); NULL state is "none", NULL queue "".
  EXPECT_EQ(h.task_instances[0].state, "none");
  EXPECT_EQ(h.task_instances[0].queue, "");
  EXPECT_EQ(h.task_instances[0].count, 2);
  EXPECT_EQ(h.task_instances[1].state, "queued");
  EXPECT_EQ(h.task_instances[1].pool, "etl");
  EXPECT_EQ(h.task_instances[1].queue, "celery");
  EXPECT_EQ(h.task_instances[2].state, "running");
  EXPECT_EQ(h.task_instances[2].count, 3);
  EXPECT_EQ(h.task_instances[3].state, "up_for_retry");
  EXPECT_EQ(h.task_instances[3].count, 4);
}

TEST_F(HealthTest, PoolSlotsFollowAirflowsOpenSlotArithmetic) {
  data_->pools = {P("default_pool", 128), P("etl", 10), P("etl_deferred", 10, true),
                  P("unlimited", -1), P("empty", 4)};
  data_->task_instance_counts = {
      // A task with pool_slots 2 holds two slots.
      C("running", "etl", "default", 2, 4), C("queued", "etl", "default", 1, 1),
      C("deferred", "etl", "default", 3, 3), C("scheduled", "etl", "default", 5, 5),
      C("running", "etl_deferred", "default", 2, 4), C("queued", "etl_deferred", "default", 1, 1),
      C("deferred", "etl_deferred", "default", 3, 3), C("running", "unlimited", "default", 7, 7),
      // A pool that slot_pool does not have: counted as task instances only.
      C("running", "gone", "default", 1, 1)};
  HealthReader reader;
  HealthState h = ReadOnce(reader);
  ASSERT_EQ(h.pools.size(), 5u);
  EXPECT_EQ(FindPool(h, "gone"), nullptr);

  const PoolSlots* etl = FindPool(h, "etl");
  ASSERT_NE(etl, nullptr);
  EXPECT_EQ(etl->total, 10);
  EXPECT_EQ(etl->running, 4);
  EXPECT_EQ(etl->queued, 1);
  EXPECT_EQ(etl->deferred, 3);
  EXPECT_EQ(etl->open, 5);  // 10 - 4 - 1: deferred tasks hold no slot here; scheduled never

  const PoolSlots* with_deferred = FindPool(h, "etl_deferred");
  EXPECT_EQ(with_deferred->open, 2);  // 10 - 4 - 1 - 3

  const PoolSlots* unlimited = FindPool(h, "unlimited");
  EXPECT_TRUE(std::isinf(unlimited->total) && unlimited->total > 0);
  EXPECT_TRUE(std::isinf(unlimited->open) && unlimited->open > 0);
  EXPECT_EQ(unlimited->running, 7);

  const PoolSlots* empty = FindPool(h, "empty");
  EXPECT_EQ(empty->open, 4);
  EXPECT_EQ(empty->running, 0);

  // Over-subscribed (slots lowered below what is held): open goes negative, as in Airflow.
  data_->pools = {P("etl", 3)};
  h = ReadOnce(reader);
  EXPECT_EQ(FindPool(h, "etl")->open, -2);
}

TEST_F(HealthTest, CountsQueuedAndRunningRunsAndDags) {
  const Timestamp t = clock_.Now();
  data_->runs = {MakeRun("a", "r1", "manual", airflow::DagRunState::kQueued, t, std::nullopt),
                 MakeRun("a", "r2", "manual", airflow::DagRunState::kRunning, t, t),
                 MakeRun("b", "r1", "manual", airflow::DagRunState::kRunning, t, t)};
  data_->dags = {D("a", false), D("b", false, true, true), D("c", true, true, true), D("d", true),
                 D("stale", false, /*active=*/false, true)};
  HealthReader reader;
  HealthState h = ReadOnce(reader);
  EXPECT_EQ(h.queued_runs, 1);
  EXPECT_EQ(h.running_runs, 2);
  EXPECT_EQ(h.dags_unpaused, 2);
  EXPECT_EQ(h.dags_paused, 2);
  // Import errors count every DAG that has them, active or not.
  EXPECT_EQ(h.import_errors_unpaused, 2);
  EXPECT_EQ(h.import_errors_paused, 1);

  // Before Airflow 2.3 there is no has_import_errors column: no count, not zero.
  data_->dags = {D("a", false, true, std::nullopt)};
  h = ReadOnce(reader);
  EXPECT_FALSE(h.import_errors_unpaused.has_value());
  EXPECT_FALSE(h.import_errors_paused.has_value());
}

TEST_F(HealthTest, ScheduleDelayIsObservedOncePerScheduledRun) {
  const Timestamp due = T("2026-11-23T09:00:00Z");
  // Created, not started yet: nothing to observe.
  data_->runs = {
      MakeRun("etl", "scheduled__1", "scheduled", airflow::DagRunState::kQueued, due, std::nullopt),
      // Manual runs have no schedule to be late against.
      MakeRun("etl", "manual__1", "manual", airflow::DagRunState::kRunning, due,
              due + minutes(30))};
  HealthReader reader;
  HealthState h = ReadOnce(reader);
  EXPECT_EQ(h.schedule_delay().count, 0u);
  ASSERT_EQ(h.schedule_delay().cumulative.size(), kScheduleDelayBuckets.size() + 1);

  // It starts 45 s after it was due.
  data_->runs[0].state = airflow::DagRunState::kRunning;
  data_->runs[0].start_date = due + seconds(45);
  h = ReadOnce(reader);
  EXPECT_EQ(h.schedule_delay().count, 1u);
  EXPECT_DOUBLE_EQ(h.schedule_delay().sum, 45);
  // Buckets 1, 5, 10, 30 hold nothing; 60 and above hold it.
  EXPECT_EQ(h.schedule_delay().cumulative[3], 0u);
  EXPECT_EQ(h.schedule_delay().cumulative[4], 1u);
  EXPECT_EQ(h.schedule_delay().cumulative.back(), 1u);

  // Seen again on the next polls: not observed again. A second run adds one observation.
  clock_.Advance(minutes(1));
  ReadOnce(reader);
  data_->runs.push_back(MakeRun("etl", "scheduled__2", "scheduled", airflow::DagRunState::kRunning,
                                due + hours(1), due + hours(1) + seconds(2)));
  clock_.Advance(minutes(1));
  h = ReadOnce(reader);
  EXPECT_EQ(h.schedule_delay().count, 2u);
  EXPECT_DOUBLE_EQ(h.schedule_delay().sum, 47);
  EXPECT_EQ(h.schedule_delay().cumulative[1], 1u);  // le 5

  // Finished runs leave the active set; they are forgotten a day after they were last seen.
  data_->runs.clear();
  clock_.Advance(hours(12));
  ReadOnce(reader);
  EXPECT_EQ(reader.observed_runs_for_test(), 2u);
  clock_.Advance(hours(13));
  h = ReadOnce(reader);
  EXPECT_EQ(reader.observed_runs_for_test(), 0u);
  EXPECT_EQ(h.schedule_delay().count, 2u);  // the histogram itself keeps counting from start
}

TEST_F(HealthTest, ScheduleDelayIsSplitByTheClassOfTheDagsSchedule) {
  const Timestamp due = T("2026-11-23T09:00:00Z");
  auto scheduled = [&](std::string dag, int delay_seconds) {
    return MakeRun(std::move(dag), "scheduled__1", "scheduled", airflow::DagRunState::kRunning,
                   due, due + seconds(delay_seconds));
  };
  auto dag = [](std::string id, std::optional<std::string> schedule) {
    airflow::Dag d = D(std::move(id), false);
    d.schedule = std::move(schedule);
    return d;
  };
  data_->dags = {dag("every_5m", "*/5 * * * *"), dag("hourly", "@hourly"),
                 dag("two_hourly", "0 */2 * * *"), dag("daily", "0 6 * * *"),
                 dag("weekdays", "0 9 * * MON-FRI"), dag("weekly", "@weekly"),
                 dag("delta_3x", "0:30:00"), dag("manual", std::nullopt)};
  data_->runs = {scheduled("every_5m", 1),  scheduled("hourly", 2),   scheduled("two_hourly", 3),
                 scheduled("daily", 4),     scheduled("weekdays", 5), scheduled("weekly", 6),
                 scheduled("delta_3x", 7),  scheduled("not_listed", 8)};
  HealthReader reader;
  HealthState h = ReadOnce(reader);
  auto by = [&](DagClass c) { return h.schedule_delay_by_class[static_cast<size_t>(c)]; };
  EXPECT_EQ(by(DagClass::kSubHourly).count, 2u);  // every_5m, delta_3x
  EXPECT_DOUBLE_EQ(by(DagClass::kSubHourly).sum, 8);
  EXPECT_EQ(by(DagClass::kHourly).count, 2u);  // hourly, two_hourly
  EXPECT_DOUBLE_EQ(by(DagClass::kHourly).sum, 5);
  EXPECT_EQ(by(DagClass::kDaily).count, 2u);  // daily, weekdays
  EXPECT_DOUBLE_EQ(by(DagClass::kDaily).sum, 9);
  EXPECT_EQ(by(DagClass::kOther).count, 2u);  // weekly, a DAG missing from the DAG list
  EXPECT_DOUBLE_EQ(by(DagClass::kOther).sum, 14);
  EXPECT_EQ(h.schedule_delay().count, 8u);  // the sum of the classes
  EXPECT_DOUBLE_EQ(h.schedule_delay().sum, 36);
  for (const HealthHistogram& c : h.schedule_delay_by_class) {
    EXPECT_EQ(c.cumulative.size(), kScheduleDelayBuckets.size() + 1);
  }
}

airflow::TaskInstance TI(std::string run_id, std::string task_id, std::string state,
                         int64_t try_number, std::optional<Timestamp> queued,
                         std::optional<Timestamp> start, int64_t map_index = -1) {
  airflow::TaskInstance ti;
  ti.dag_id = "etl";
  ti.run_id = std::move(run_id);
  ti.task_id = std::move(task_id);
  ti.map_index = map_index;
  ti.state = airflow::ParseTaskInstanceState(state);
  ti.state_text = std::move(state);
  ti.try_number = try_number;
  ti.queued_dttm = queued;
  ti.start_date = start;
  return ti;
}

TEST_F(HealthTest, TaskQueueTimeIsObservedOncePerStartedTryOfActiveRuns) {
  const Timestamp t0 = T("2026-11-23T09:00:00Z");
  data_->runs = {MakeRun("etl", "scheduled__1", "scheduled", airflow::DagRunState::kRunning, t0,
                         t0 + seconds(1)),
                 MakeRun("etl", "scheduled__0", "scheduled", airflow::DagRunState::kSuccess,
                         t0 - hours(1), t0 - hours(1))};
  data_->task_instances = {
      // Queued, not started: nothing yet.
      TI("scheduled__1", "extract", "queued", 1, t0 + seconds(2), std::nullopt),
      // Started 3 s after it was queued; two map indexes are two observations.
      TI("scheduled__1", "load", "running", 1, t0 + seconds(2), t0 + seconds(5), 0),
      TI("scheduled__1", "load", "success", 1, t0 + seconds(2), t0 + milliseconds(2500), 1),
      // The start of the previous try while queued again for a retry: not this try's wait.
      TI("scheduled__1", "flaky", "queued", 2, t0 + seconds(30), t0 + seconds(3)),
      // A run that is not active is not read.
      TI("scheduled__0", "extract", "success", 1, t0 - hours(1), t0 - minutes(30))};
  HealthReader reader;
  HealthState h = ReadOnce(reader);
  EXPECT_EQ(data_->calls["TaskInstancesOfRuns"], 1);
  ASSERT_EQ(h.task_queue.cumulative.size(), kTaskQueueBuckets.size() + 1);
  EXPECT_EQ(h.task_queue.count, 2u);
  EXPECT_DOUBLE_EQ(h.task_queue.sum, 3.5);
  EXPECT_EQ(h.task_queue.cumulative[1], 1u);  // le 0.5
  EXPECT_EQ(h.task_queue.cumulative[3], 2u);  // le 5

  // Next poll: the same tries are not observed again; the queued task started (+10 s) and the
  // retry started its second try (+1 s).
  clock_.Advance(minutes(1));
  data_->task_instances[0].state = airflow::TaskInstanceState::kRunning;
  data_->task_instances[0].start_date = t0 + seconds(12);
  data_->task_instances[3].state = airflow::TaskInstanceState::kRunning;
  data_->task_instances[3].start_date = t0 + seconds(31);
  h = ReadOnce(reader);
  EXPECT_EQ(h.task_queue.count, 4u);
  EXPECT_DOUBLE_EQ(h.task_queue.sum, 14.5);
  clock_.Advance(minutes(1));
  h = ReadOnce(reader);
  EXPECT_EQ(h.task_queue.count, 4u);
  EXPECT_EQ(reader.observed_tries_for_test(), 4u);

  // A third try of the retried task is a new observation.
  data_->task_instances[3].try_number = 3;
  data_->task_instances[3].queued_dttm = t0 + minutes(5);
  data_->task_instances[3].start_date = t0 + minutes(5) + seconds(20);
  h = ReadOnce(reader);
  EXPECT_EQ(h.task_queue.count, 5u);

  // Tries are forgotten a day after they were last seen; the histogram keeps counting.
  data_->runs.clear();
  clock_.Advance(hours(25));
  h = ReadOnce(reader);
  EXPECT_EQ(reader.observed_tries_for_test(), 0u);
  EXPECT_EQ(h.task_queue.count, 5u);
}

TEST_F(HealthTest, CanaryTimingsComeFromTheLatestStartedAndSuccessfulRuns) {
  ASSERT_NO_FATAL_FAILURE(SetRules(
      "  - {name: heartbeat, match: {dag_id: \"canary*\"}, reference: "
      "dagrun.data_interval_end, interval: 10m, canary: true}\n"
      "  - {name: other, match: {}, reference: dagrun.data_interval_end, interval: 1h}\n"));
  const Timestamp t0 = T("2026-11-23T09:00:00Z");
  data_->dags = {D("canary", false), D("canary_old", false, /*active=*/false), D("etl", false),
                 D("canary_new", false)};
  auto success = [&](std::string dag, std::string run, Timestamp due, Duration delay,
                     Duration took) {
    airflow::DagRun r = MakeRun(std::move(dag), std::move(run), "scheduled",
                                airflow::DagRunState::kSuccess, due, due + delay);
    r.end_date = due + delay + took;
    return r;
  };
  data_->runs = {success("canary", "scheduled__1", t0, seconds(4), seconds(30)),
                 success("canary", "scheduled__0", t0 - minutes(5), seconds(1), seconds(20)),
                 // The latest started run is active: its delay counts, the success's e2e.
                 MakeRun("canary", "scheduled__2", "scheduled", airflow::DagRunState::kRunning,
                         t0 + minutes(5), t0 + minutes(5) + seconds(7)),
                 success("etl", "scheduled__1", t0, seconds(1), seconds(1))};
  HealthReader reader;
  HealthState h = ReadOnce(reader);
  EXPECT_EQ(data_->calls["LatestSuccessfulDagRuns"], 1);
  ASSERT_EQ(h.canaries.size(), 2u);  // canary_old is not active; etl is no canary
  EXPECT_EQ(h.canaries[0].rule, "heartbeat");
  EXPECT_EQ(h.canaries[0].dag_id, "canary");
  EXPECT_EQ(h.canaries[0].schedule_delay_seconds, 7.0);
  EXPECT_EQ(h.canaries[0].end_to_end_seconds, 34.0);
  EXPECT_EQ(h.canaries[1].dag_id, "canary_new");  // never ran: no timings yet
  EXPECT_FALSE(h.canaries[1].schedule_delay_seconds.has_value());
  EXPECT_FALSE(h.canaries[1].end_to_end_seconds.has_value());

  // The collector: timings where known, missed from the open items of the canary rule.
  InstanceState s;
  s.name = "prod";
  s.health = h;
  rules::Item miss;
  miss.key = {"prod", "heartbeat", "canary_new", "scheduled__x", "", ""};
  miss.state = rules::ItemState::kMissed;
  rules::Item other = miss;
  other.key.rule = "other";
  other.key.dag_id = "canary";  // a miss of another rule on the canary DAG does not count
  s.items = {miss, other};
  auto text = RenderExposition({s}, "1.0.0", clock_.Now());
  ASSERT_TRUE(text) << text.error().message();
  for (const char* line : {
           "# TYPE slayer_canary_missed gauge\n",
           "slayer_canary_schedule_delay_seconds{airflow_instance=\"prod\",rule=\"heartbeat\","
           "dag_id=\"canary\"} 7\n",
           "slayer_canary_end_to_end_seconds{airflow_instance=\"prod\",rule=\"heartbeat\","
           "dag_id=\"canary\"} 34\n",
           "slayer_canary_missed{airflow_instance=\"prod\",rule=\"heartbeat\",dag_id=\"canary\"} "
           "0\n",
           "slayer_canary_missed{airflow_instance=\"prod\",rule=\"heartbeat\","
           "dag_id=\"canary_new\"} 1\n",
       }) {
    EXPECT_NE(text->find(line), std::string::npos) << line << "\nin:\n" << *text;
  }
  EXPECT_EQ(text->find("slayer_canary_schedule_delay_seconds{airflow_instance=\"prod\","
                       "rule=\"heartbeat\",dag_id=\"canary_new\"}"),
            std::string::npos);
}

TEST_F(HealthTest, NoCanaryRuleReadsNoLatestSuccesses) {
  data_->dags = {D("canary", false)};
  HealthReader reader;
  HealthState h = ReadOnce(reader);
  EXPECT_TRUE(h.canaries.empty());
  EXPECT_EQ(data_->calls["LatestSuccessfulDagRuns"], 0);
}

TEST_F(HealthTest, AFailedHealthReadFailsThePollAndKeepsTheLastValues) {
  data_->jobs = {J(1, "SchedulerJob", "running", "sched-0", clock_.Now())};
  data_->pools = {P("default_pool", 128)};
  auto poller = NewPoller();
  ASSERT_TRUE(poller->PollOnce().ok());
  EXPECT_EQ(data_->calls["RecentJobs"], 1);
  EXPECT_EQ(data_->calls["RunningJobs"], 1);
  EXPECT_EQ(data_->calls["UnfinishedTaskInstanceCounts"], 1);
  EXPECT_EQ(data_->calls["Pools"], 1);

  data_->fail_with = InternalError("boom");
  clock_.Advance(minutes(5));
  EXPECT_FALSE(poller->PollOnce().ok());
  InstanceState s = poller->state();
  EXPECT_TRUE(s.health.airflow_up);
  EXPECT_EQ(s.health.pools.size(), 1u);
}

TEST_F(HealthTest, ExportsNoHealthSeriesBeforeTheFirstRead) {
  InstanceState s;
  s.name = "prod";
  std::vector<metrics::Family> families;
  ASSERT_TRUE(CollectHealth({s}, &families).ok());
  ASSERT_EQ(families.size(), 9u);
  families.clear();
  ASSERT_TRUE(CollectCanaries({s}, &families).ok());
  ASSERT_EQ(families.size(), 3u);
  auto text = RenderExposition({s}, "1.0.0", Timestamp{});
  ASSERT_TRUE(text) << text.error().message();
  EXPECT_NE(text->find("# TYPE airflow_up gauge"), std::string::npos);
  EXPECT_EQ(text->find("airflow_up{"), std::string::npos);
}

TEST_F(HealthTest, RendersTheHealthFamilies) {
  const Timestamp now = clock_.Now();
  data_->jobs = {J(1, "SchedulerJob", "running", "sched-0", now - seconds(2))};
  data_->pools = {P("etl", 4), P("unlimited", -1)};
  data_->task_instance_counts = {C("running", "etl", "default", 3, 3)};
  data_->runs = {MakeRun("a", "scheduled__1", "scheduled", airflow::DagRunState::kRunning,
                         now - seconds(20), now - seconds(17))};
  data_->dags = {D("a", false), D("b", true, true, true)};
  HealthReader reader;
  InstanceState s;
  s.name = "prod";
  s.health = ReadOnce(reader);
  auto text = RenderExposition({s}, "1.0.0", now);
  ASSERT_TRUE(text) << text.error().message();
  for (const char* line : {
           "airflow_up{airflow_instance=\"prod\"} 1\n",
           "airflow_job_heartbeat_age_seconds{airflow_instance=\"prod\",job_type=\"SchedulerJob\","
           "hostname=\"sched-0\"} 2\n",
           "airflow_task_instances{airflow_instance=\"prod\",state=\"running\",pool=\"etl\","
           "queue=\"default\"} 3\n",
           "airflow_dag_runs{airflow_instance=\"prod\",state=\"queued\"} 0\n",
           "airflow_dag_runs{airflow_instance=\"prod\",state=\"running\"} 1\n",
           "airflow_pool_slots{airflow_instance=\"prod\",pool=\"etl\",state=\"open\"} 1\n",
           "airflow_pool_slots{airflow_instance=\"prod\",pool=\"etl\",state=\"running\"} 3\n",
           "airflow_pool_slots{airflow_instance=\"prod\",pool=\"etl\",state=\"total\"} 4\n",
           "airflow_pool_slots{airflow_instance=\"prod\",pool=\"unlimited\",state=\"total\"} "
           "+Inf\n",
           "airflow_dags{airflow_instance=\"prod\",paused=\"false\"} 1\n",
           "airflow_dags{airflow_instance=\"prod\",paused=\"true\"} 1\n",
           "airflow_import_errors{airflow_instance=\"prod\",paused=\"true\"} 1\n",
           // DAG "a" has no schedule in the DAG list: class other. Every class has its series.
           "airflow_schedule_delay_seconds_bucket{airflow_instance=\"prod\",dag_class=\"other\","
           "le=\"1\"} 0\n",
           "airflow_schedule_delay_seconds_bucket{airflow_instance=\"prod\",dag_class=\"other\","
           "le=\"5\"} 1\n",
           "airflow_schedule_delay_seconds_sum{airflow_instance=\"prod\",dag_class=\"other\"} 3\n",
           "airflow_schedule_delay_seconds_count{airflow_instance=\"prod\",dag_class=\"other\"} "
           "1\n",
           "airflow_schedule_delay_seconds_count{airflow_instance=\"prod\","
           "dag_class=\"sub_hourly\"} 0\n",
           "airflow_schedule_delay_seconds_count{airflow_instance=\"prod\",dag_class=\"hourly\"} "
           "0\n",
           "airflow_schedule_delay_seconds_count{airflow_instance=\"prod\",dag_class=\"daily\"} "
           "0\n",
           "# TYPE airflow_task_queue_seconds histogram\n",
           "airflow_task_queue_seconds_count{airflow_instance=\"prod\"} 0\n",
       }) {
    EXPECT_NE(text->find(line), std::string::npos) << line << "\nin:\n" << *text;
  }
}

}  // namespace
}  // namespace slayer::app

// Airflow health metrics end to end (docs/health.md): the simulator writes an Airflow database
// (SQLite, PostgreSQL, MariaDB; Airflow 2.10 and 3.1 schema), simulated time is stepped one
// minute at a time, and an InstancePoller with the real SQL source polls it with the same
// simulated time. A scheduler outage must show as airflow_up 0 within one poll once the
// heartbeat is older than health.heartbeat_timeout, and 1 again after the scheduler restarts; a
// pool that fills must show running slots = its size; each started task try adds one task queue
// observation; a canary rule's miss during the outage shows as slayer_canary_missed 1. The
// outage also shows in the store's uptime afterwards, its length right within a poll; task
// analytics read back the simulated durations, failures and retries.
// Integration test (fixture test_servers).
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>

#include "app/collectors.h"
#include "app/instance_poller.h"
#include "app/task_analytics.h"
#include "fakes/fake_clock.h"
#include "fakes/rules_yaml.h"
#include "fakes/sim_world.h"
#include "fakes/timestamps.h"
#include "insights/health_report.h"
#include "store/sqlite_store.h"
#include "store/temp_dir.h"

namespace slayer::app {
namespace {

using namespace std::chrono_literals;
using sim::AirflowVersion;

// An hourly DAG of four independent 50-minute tasks in a pool of two slots: once its run
// starts, the pool stays full for the rest of the test.
constexpr char kDagYaml[] = R"(
pools:
  small: 2
dags:
  - dag_id: fill
    schedule: "@hourly"
    catchup: false
    start_date: 2025-03-01T00:00:00Z
    tasks:
      - {task_id: t1, duration: 50m, pool: small}
      - {task_id: t2, duration: 50m, pool: small}
      - {task_id: t3, duration: 50m, pool: small}
      - {task_id: t4, duration: 50m, pool: small}
)";

using test::T;

const JobHeartbeat* FindJob(const HealthState& h, std::string_view type) {
  for (const auto& j : h.jobs) {
    if (j.job_type == type) return &j;
  }
  return nullptr;
}

const PoolSlots* FindPool(const HealthState& h, std::string_view pool) {
  for (const auto& p : h.pools) {
    if (p.pool == pool) return &p;
  }
  return nullptr;
}

class HealthIntegrationTest : public ::testing::TestWithParam<test::SimWorldParam> {
 protected:
  HealthIntegrationTest() : clock_(T("2025-03-01T00:58:00Z")) {}

  // A world of the DAGs of `dag_yaml` on a fresh database, and a poller with the rules of
  // `rules_yaml` (the entries of `rules:`; empty for none), recording into `store` when given.
  void Start(const char* dag_yaml, const std::string& rules_yaml = "",
             store::Store* store = nullptr, std::string db_suffix = "") {
    const bool v2 = GetParam().version == AirflowVersion::kV2;
    const std::string name = "health_" + std::string(db::BackendName(GetParam().backend)) +
                             (v2 ? "_v2" : "_v31") + (rules_yaml.empty() ? "" : "_canary") +
                             db_suffix;
    ASSERT_NO_FATAL_FAILURE(
        test::StartSimWorld(GetParam(), name, dag_yaml, "health.yml", clock_.Now(), &world_));

    std::shared_ptr<const rules::RuleSet> rules;
    if (!rules_yaml.empty()) {
      rules::RuleSet set;
      ASSERT_NO_FATAL_FAILURE(test::RulesFromYaml(rules_yaml, &set));
      rules = std::make_shared<const rules::RuleSet>(std::move(set));
    }
    instance_.name = "prod";
    instance_.database = world_.dsn;
    // The tests step simulated time a minute per poll.
    instance_.poll_interval = std::chrono::minutes(1);
    poller_ = std::make_unique<InstancePoller>(instance_, clock_, SqlSourceFactory(),
                                               PollerOptions{}, rules, store);
  }

  // Advances the simulator and the clock to `t`, then polls.
  void StepTo(Timestamp t) {
    Status st = world_.sim->AdvanceTo(t);
    ASSERT_TRUE(st.ok()) << st.ToString();
    clock_.Advance(t - clock_.Now());
    st = poller_->PollOnce();
    ASSERT_TRUE(st.ok()) << st.ToString();
  }

  std::string Exposition() {
    auto text = RenderExposition({poller_->state()}, "test", clock_.Now());
    EXPECT_TRUE(text) << text.error().message();
    return text ? *text : "";
  }

  slayer::testing::FakeClock clock_;
  config::AirflowInstance instance_;
  test::SimWorld world_;
  std::unique_ptr<InstancePoller> poller_;
};

TEST_P(HealthIntegrationTest, SchedulerOutageAndAFullPool) {
  ASSERT_NO_FATAL_FAILURE(Start(kDagYaml));
  // Healthy: every minute until the run has filled the pool.
  for (Timestamp t = T("2025-03-01T00:59:00Z"); t <= T("2025-03-01T01:10:00Z"); t += 1min) {
    ASSERT_NO_FATAL_FAILURE(StepTo(t));
    HealthState h = poller_->state().health;
    ASSERT_TRUE(h.read);
    EXPECT_TRUE(h.airflow_up) << FormatRfc3339(t);
    const JobHeartbeat* scheduler = FindJob(h, "SchedulerJob");
    ASSERT_NE(scheduler, nullptr);
    EXPECT_LT(scheduler->age_seconds, 5.001);
  }
  HealthState h = poller_->state().health;
  EXPECT_NE(FindJob(h, "TriggererJob"), nullptr);
  if (GetParam().version != AirflowVersion::kV2) {
    EXPECT_NE(FindJob(h, "DagProcessorJob"), nullptr);
  }
  const PoolSlots* small = FindPool(h, "small");
  ASSERT_NE(small, nullptr);
  EXPECT_EQ(small->total, 2);
  EXPECT_EQ(small->running, 2);
  EXPECT_EQ(small->queued, 0);
  EXPECT_EQ(small->open, 0);
  ASSERT_NE(FindPool(h, "default_pool"), nullptr);
  int64_t in_pool = 0, running = 0;
  for (const auto& g : h.task_instances) {
    if (g.pool != "small") continue;
    in_pool += g.count;
    if (g.state == "running") running += g.count;
  }
  EXPECT_GE(in_pool, 4);
  EXPECT_EQ(running, 2);
  EXPECT_GE(h.running_runs, 1);
  EXPECT_EQ(h.dags_unpaused, 1);
  EXPECT_EQ(h.dags_paused, 0);
  EXPECT_EQ(h.import_errors_unpaused, 0);
  // The 01:00 run started seconds after it was due, and counts once however often polled. On
  // 3.x the simulator, as Airflow with catchup off, also creates the run of the latest trigger
  // (00:00) when scheduling begins at 00:58: a delay of ~58 minutes, observed once as well.
  const bool v2 = GetParam().version == AirflowVersion::kV2;
  EXPECT_EQ(h.schedule_delay().count, v2 ? 1u : 2u);
  EXPECT_EQ(h.schedule_delay().cumulative[4], 1u);  // le="60"
  const uint64_t observed = h.schedule_delay().count;
  // The two tasks holding the pool started once each; the other two wait in `scheduled`.
  EXPECT_EQ(h.task_queue.count, 2u);
  EXPECT_GE(h.task_queue.sum, 0);
  EXPECT_NE(Exposition().find("airflow_task_queue_seconds_count{airflow_instance=\"prod\"} 2\n"),
            std::string::npos);
  EXPECT_NE(Exposition().find("airflow_pool_slots{airflow_instance=\"prod\",pool=\"small\","
                              "state=\"running\"} 2\n"),
            std::string::npos);

  // The scheduler stops at 01:10: its heartbeat freezes. One minute later (= the default 60 s
  // heartbeat_timeout) the first poll says Airflow is down.
  world_.sim->SetSchedulerRunning(false);
  ASSERT_NO_FATAL_FAILURE(StepTo(T("2025-03-01T01:11:00Z")));
  h = poller_->state().health;
  EXPECT_FALSE(h.airflow_up);
  EXPECT_GE(FindJob(h, "SchedulerJob")->age_seconds, 60);
  EXPECT_LT(FindJob(h, "TriggererJob")->age_seconds, 5.001);  // others still beat
  EXPECT_NE(Exposition().find("airflow_up{airflow_instance=\"prod\"} 0\n"), std::string::npos);
  for (Timestamp t = T("2025-03-01T01:12:00Z"); t <= T("2025-03-01T01:15:00Z"); t += 1min) {
    ASSERT_NO_FATAL_FAILURE(StepTo(t));
    EXPECT_FALSE(poller_->state().health.airflow_up) << FormatRfc3339(t);
  }
  EXPECT_NEAR(FindJob(poller_->state().health, "SchedulerJob")->age_seconds, 300, 5);

  // A new scheduler process at 01:15 (a new job row on the same host): up at the next poll.
  world_.sim->SetSchedulerRunning(true);
  ASSERT_NO_FATAL_FAILURE(StepTo(T("2025-03-01T01:16:00Z")));
  h = poller_->state().health;
  EXPECT_TRUE(h.airflow_up);
  EXPECT_LT(FindJob(h, "SchedulerJob")->age_seconds, 5.001);
  EXPECT_NE(Exposition().find("airflow_up{airflow_instance=\"prod\"} 1\n"), std::string::npos);
  EXPECT_EQ(h.schedule_delay().count, observed);
  EXPECT_EQ(h.task_queue.count, 2u);  // the same two tries, seen at every poll, counted once
  EXPECT_EQ(FindPool(h, "small")->running, 2);
}

// A canary DAG every 5 minutes, watched by a canary rule (need-by = data interval end + 5m, runs
// never created count): while the scheduler is down runs are neither run nor created, their
// misses turn slayer_canary_missed to 1; after the scheduler resumes and catches up, it is 0
// again.
constexpr char kCanaryYaml[] = R"(
dags:
  - dag_id: canary
    schedule: "*/5 * * * *"
    catchup: true
    start_date: 2025-03-01T00:55:00Z
    tasks:
      - {task_id: ping, duration: 20s}
)";

TEST_P(HealthIntegrationTest, CanaryMissedDuringASchedulerOutage) {
  ASSERT_NO_FATAL_FAILURE(
      Start(kCanaryYaml,
            "  - {name: heartbeat, match: {dag_id: canary}, reference: dagrun.data_interval_end, "
            "interval: 5m, canary: true}\n"));
  const std::string missed =
      "slayer_canary_missed{airflow_instance=\"prod\",rule=\"heartbeat\",dag_id=\"canary\"} ";
  for (Timestamp t = T("2025-03-01T00:59:00Z"); t <= T("2025-03-01T01:10:00Z"); t += 1min) {
    ASSERT_NO_FATAL_FAILURE(StepTo(t));
    EXPECT_NE(Exposition().find(missed + "0\n"), std::string::npos) << FormatRfc3339(t);
  }
  HealthState h = poller_->state().health;
  ASSERT_EQ(h.canaries.size(), 1u);
  ASSERT_TRUE(h.canaries[0].schedule_delay_seconds.has_value());
  EXPECT_LT(*h.canaries[0].schedule_delay_seconds, 60);
  ASSERT_TRUE(h.canaries[0].end_to_end_seconds.has_value());
  EXPECT_LT(*h.canaries[0].end_to_end_seconds, 120);
  EXPECT_GE(*h.canaries[0].end_to_end_seconds, 20);
  EXPECT_NE(Exposition().find("slayer_canary_end_to_end_seconds{airflow_instance=\"prod\","
                              "rule=\"heartbeat\",dag_id=\"canary\"} "),
            std::string::npos);

  // The scheduler stops after 01:10: the run due at 01:10 is not scheduled any further and
  // misses its need-by at 01:15, declared within a second (a miss of an existing run); the run
  // due at 01:15 is never created and is missed at the first poll after 01:20.
  world_.sim->SetSchedulerRunning(false);
  for (Timestamp t = T("2025-03-01T01:11:00Z"); t < T("2025-03-01T01:15:00Z"); t += 1min) {
    ASSERT_NO_FATAL_FAILURE(StepTo(t));
    EXPECT_NE(Exposition().find(missed + "0\n"), std::string::npos) << FormatRfc3339(t);
  }
  for (Timestamp t = T("2025-03-01T01:15:00Z"); t <= T("2025-03-01T01:21:00Z"); t += 1min) {
    ASSERT_NO_FATAL_FAILURE(StepTo(t));
    EXPECT_NE(Exposition().find(missed + "1\n"), std::string::npos) << FormatRfc3339(t);
  }
  int open_misses = 0;
  for (const rules::Item& item : poller_->state().items) {
    open_misses += item.key.rule == "heartbeat" && item.state == rules::ItemState::kMissed;
  }
  EXPECT_EQ(open_misses, 2);  // the stuck 01:10 run and the 01:15 run never created
  std::string text = Exposition();
  EXPECT_NE(text.find("airflow_up{airflow_instance=\"prod\"} 0\n"), std::string::npos);

  // The scheduler resumes at 01:22 and creates the missed runs (catchup); once they succeed,
  // the canary has no open miss.
  world_.sim->SetSchedulerRunning(true);
  for (Timestamp t = T("2025-03-01T01:22:00Z"); t <= T("2025-03-01T01:32:00Z"); t += 1min) {
    ASSERT_NO_FATAL_FAILURE(StepTo(t));
  }
  text = Exposition();
  EXPECT_NE(text.find(missed + "0\n"), std::string::npos) << text;
  EXPECT_NE(text.find("airflow_up{airflow_instance=\"prod\"} 1\n"), std::string::npos);
}

// The outage of SchedulerOutageAndAFullPool, recorded by a poller with a store: afterwards the
// uptime of the window has the outage, its length right within one poll.
TEST_P(HealthIntegrationTest, AnOutageShowsInTheUptimeAfterwards) {
  slayer::testing::TempDir dir;
  auto dsn = db::Dsn::Parse("sqlite://" + (dir.path() / "slayer.db").string());
  ASSERT_TRUE(dsn);
  auto store = store::SqliteStore::Open(*dsn, &clock_);
  ASSERT_TRUE(store) << store.error().message();
  ASSERT_NO_FATAL_FAILURE(Start(kDagYaml, "", store->get(), "_uptime"));
  const Timestamp first = T("2025-03-01T00:59:00Z");
  for (Timestamp t = first; t <= T("2025-03-01T01:10:00Z"); t += 1min) {
    ASSERT_NO_FATAL_FAILURE(StepTo(t));
  }
  // The scheduler is down from 01:10 to 01:15.
  world_.sim->SetSchedulerRunning(false);
  for (Timestamp t = T("2025-03-01T01:11:00Z"); t <= T("2025-03-01T01:15:00Z"); t += 1min) {
    ASSERT_NO_FATAL_FAILURE(StepTo(t));
    EXPECT_FALSE(poller_->state().health.airflow_up) << FormatRfc3339(t);
  }
  world_.sim->SetSchedulerRunning(true);
  const Timestamp last = T("2025-03-01T01:25:00Z");
  for (Timestamp t = T("2025-03-01T01:16:00Z"); t <= last; t += 1min) {
    ASSERT_NO_FATAL_FAILURE(StepTo(t));
  }
  auto report = insights::ReadHealthReport(**store, {{"run", first, last}}, "prod");
  ASSERT_TRUE(report) << report.error().message();
  ASSERT_EQ(report->instances.size(), 1u);
  const insights::UptimeStats& u = report->instances[0].windows[0];
  EXPECT_EQ(u.outages, 1);
  EXPECT_LE(std::chrono::abs(u.longest_outage - std::chrono::minutes(5)), instance_.poll_interval)
      << FormatDuration(u.longest_outage);
  EXPECT_EQ(u.down, u.longest_outage);
  EXPECT_EQ(u.unknown, Duration::zero());
  EXPECT_EQ(u.up + u.down, last - first);
  ASSERT_TRUE(u.uptime().has_value());
  EXPECT_LT(*u.uptime(), 1.0);
  EXPECT_GT(*u.uptime(), 0.7);
}

// Task analytics on the simulated history: `extract` always takes 3 minutes and succeeds,
// `flaky` takes 40 s and fails every try (two retries, three tries), so `after` never runs
// (upstream_failed).
constexpr char kTasksYaml[] = R"(
dags:
  - dag_id: etl
    schedule: "*/30 * * * *"
    catchup: true
    start_date: 2025-03-01T00:00:00Z
    tasks:
      - {task_id: extract, duration: 3m}
      - {task_id: flaky, duration: 40s, failure_rate: 1, retries: 2, retry_delay: 1m,
         upstream: [extract]}
      - {task_id: after, duration: 20s, upstream: [flaky]}
)";

TEST_P(HealthIntegrationTest, TaskAnalyticsReadTheSimulatedDurationsAndRetries) {
  ASSERT_NO_FATAL_FAILURE(Start(kTasksYaml, "", nullptr, "_tasks"));
  for (Timestamp t = T("2025-03-01T01:00:00Z"); t <= T("2025-03-01T03:00:00Z"); t += 5min) {
    Status st = world_.sim->AdvanceTo(t);
    ASSERT_TRUE(st.ok()) << st.ToString();
  }
  TaskQuery query;
  query.since = T("2025-03-01T00:00:00Z");
  query.until = T("2025-03-01T02:00:00Z");
  const std::vector<config::AirflowInstance> instances = {instance_};
  auto report = ReadTaskReport(instances, SqlSourceFactory(), query);
  ASSERT_TRUE(report) << report.error().message();
  // Runs every 30 minutes: 4 with a logical date in [00:00, 02:00) on 2.x (the 00:00 run is
  // due at 00:30) and on 3.x (trigger timetable: logical date = the tick; the 00:00 tick was
  // before the simulation began at 00:58, and catchup brings it).
  EXPECT_EQ(report->dag_runs, 4);
  ASSERT_EQ(report->tasks.size(), 3u);
  const insights::TaskStats& after = report->tasks[0];
  EXPECT_EQ(after.task_id, "after");
  EXPECT_EQ(after.upstream_failed, 4);
  EXPECT_EQ(after.tries, 0);
  EXPECT_EQ(after.retry_rate(), std::nullopt);
  const insights::TaskStats& extract = report->tasks[1];
  EXPECT_EQ(extract.task_id, "extract");
  EXPECT_EQ(extract.success, 4);
  EXPECT_EQ(extract.success_rate(), 1.0);
  EXPECT_EQ(extract.retry_rate(), 0.0);
  EXPECT_EQ(extract.duration.count, 4);
  EXPECT_EQ(extract.duration.mean, std::chrono::minutes(3));
  EXPECT_EQ(extract.duration.p95, std::chrono::minutes(3));
  EXPECT_GT(extract.queue.mean, Duration::zero());
  EXPECT_LT(extract.queue.max, std::chrono::seconds(30));
  const insights::TaskStats& flaky = report->tasks[2];
  EXPECT_EQ(flaky.task_id, "flaky");
  EXPECT_EQ(flaky.failed, 4);
  EXPECT_EQ(flaky.tries, 12);
  EXPECT_EQ(flaky.retried, 4);
  EXPECT_EQ(flaky.retry_rate(), 1.0);
  EXPECT_EQ(flaky.success_rate(), 0.0);
  EXPECT_EQ(flaky.duration.mean, std::chrono::seconds(40));  // the last try's run time
}

INSTANTIATE_TEST_SUITE_P(Backends, HealthIntegrationTest, test::AllSimWorlds(),
                         test::SimWorldParamName);

}  // namespace
}  // namespace slayer::app

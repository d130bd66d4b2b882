#include "sim/simulator.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <zlib.h>

#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "sim/dag_file.h"
#include "sim_test_db.h"
#include "fakes/timestamps.h"

namespace slayer::sim {
namespace {

using testing::Count;
using ::testing::HasSubstr;
using testing::OpenTempSqlite;
using testing::Rows;

using test::T;

DagFile Parse(const char* yaml) {
  auto f = ParseDagFile(yaml, "test.yml");
  EXPECT_TRUE(f) << f.status().ToString();
  return f ? *f : DagFile{};
}

// Creates a schema and a simulator on a fresh SQLite file, Init()ed at `start`.
struct Fixture {
  std::unique_ptr<db::Connection> conn;
  std::unique_ptr<Simulator> sim;
};

Fixture Make(const std::string& name, const char* yaml, AirflowVersion version, Timestamp start,
             uint64_t seed = 1, bool compress = false) {
  Fixture f;
  f.conn = OpenTempSqlite(name);
  SimulatorOptions o;
  o.version = version;
  o.seed = seed;
  o.init_schema = true;
  o.compress_serialized = compress;
  auto sim = Simulator::Create(*f.conn, Parse(yaml), o);
  EXPECT_TRUE(sim) << sim.status().ToString();
  if (!sim) return f;
  f.sim = std::move(*sim);
  Status st = f.sim->Init(start);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return f;
}

// Advances in steps of `step` (a live loop's ticks) up to `end`.
void Step(Simulator& sim, Timestamp end, Duration step = std::chrono::seconds(37)) {
  for (Timestamp t = sim.now(); t < end;) {
    t = std::min(end, t + step);
    Status st = sim.AdvanceTo(t);
    ASSERT_TRUE(st.ok()) << st.ToString();
  }
}

std::vector<std::string> RunRows(db::Connection& c, const std::string& logical) {
  return Rows(c, "SELECT id, dag_id, run_id, state, queued_at, start_date, end_date, " + logical +
                     ", data_interval_start, data_interval_end, run_type, updated_at FROM dag_run "
                     "ORDER BY id");
}

std::vector<std::string> TiRows(db::Connection& c) {
  return Rows(c,
              "SELECT dag_id, run_id, task_id, state, try_number, start_date, end_date, "
              "duration, queued_dttm, hostname, pid, updated_at FROM task_instance "
              "ORDER BY dag_id, run_id, task_id");
}

constexpr char kSchedules[] = R"(
dags:
  - dag_id: berlin_daily
    schedule: "30 2 * * *"
    timezone: Europe/Berlin
    tasks: [{task_id: t, duration: 1m}]
  - dag_id: every_40m
    schedule: 40m
    tasks: [{task_id: t, duration: 1m}]
)";

TEST(SimulatorTest, CreatesRunsAtTheScheduleTicksAcrossDst) {
  auto f = Make("ticks", kSchedules, AirflowVersion::kV2, T("2025-03-27T12:00:00Z"));
  Step(*f.sim, T("2025-04-01T12:00:00Z"), std::chrono::minutes(7));
  // Data-interval timetable: run for [L, next) created at next; Berlin 02:30 local, which on
  // 2025-03-30 does not exist and becomes 03:30 CEST.
  auto berlin = Rows(*f.conn,
                     "SELECT execution_date, data_interval_end FROM dag_run "
                     "WHERE dag_id = 'berlin_daily' ORDER BY execution_date");
  EXPECT_EQ(berlin, (std::vector<std::string>{
                        "2025-03-26 01:30:00.000000|2025-03-27 01:30:00.000000",
                        "2025-03-27 01:30:00.000000|2025-03-28 01:30:00.000000",
                        "2025-03-28 01:30:00.000000|2025-03-29 01:30:00.000000",
                        "2025-03-29 01:30:00.000000|2025-03-30 01:30:00.000000",
                        "2025-03-30 01:30:00.000000|2025-03-31 00:30:00.000000",
                        "2025-03-31 00:30:00.000000|2025-04-01 00:30:00.000000",
                    }));
  // Each run is queued within seconds after its interval ends (the first at startup).
  for (const auto& row : Rows(*f.conn,
                              "SELECT queued_at, data_interval_end FROM dag_run WHERE "
                              "run_type = 'scheduled' AND data_interval_end > '2025-03-28'")) {
    Timestamp queued = T(row.substr(0, row.find('|')).c_str());
    Timestamp due = T(row.substr(row.find('|') + 1).c_str());
    EXPECT_GE(queued, due) << row;
    EXPECT_LT(queued - due, std::chrono::seconds(3)) << row;
  }
  // The timedelta DAG: epoch-aligned 40 minute intervals, back to back.
  auto delta = Rows(*f.conn,
                    "SELECT data_interval_start, data_interval_end FROM dag_run WHERE dag_id = "
                    "'every_40m' ORDER BY id");
  ASSERT_GT(delta.size(), 100u);
  for (size_t i = 1; i < delta.size(); ++i) {
    EXPECT_EQ(delta[i].substr(0, 26), delta[i - 1].substr(27)) << i;
  }
  EXPECT_EQ(delta[0], "2025-03-27 11:20:00.000000|2025-03-27 12:00:00.000000");
}

constexpr char kEtl[] = R"(
pools: {etl: 2}
dags:
  - dag_id: etl
    schedule: "*/15 * * * *"
    lateness: {rate: 0.3, factor: 4}
    tasks:
      - {task_id: a, pool: etl, duration: {mean: 3m, stddev: 1m}}
      - {task_id: b, pool: etl, duration: {min: 1m, max: 5m}, failure_rate: 0.2, retries: 1,
         retry_delay: 2m}
      - {task_id: c, upstream: [a, b], duration: 2m, skip_rate: 0.1}
      - {task_id: d, upstream: [c], failure_rate: 0.1}
  - dag_id: adhoc
    schedule: none
    manual_triggers: {per_hour: 3}
    tasks: [{task_id: x, pool: etl, failure_rate: 0.3}]
)";

TEST(SimulatorTest, StatesAndTimestampsAreConsistent) {
  auto f = Make("consistent", kEtl, AirflowVersion::kV2, T("2025-01-01T00:00:00Z"));
  Step(*f.sim, T("2025-01-01T12:00:00Z"));
  db::Connection& c = *f.conn;
  EXPECT_GT(Count(c, "SELECT COUNT(*) FROM dag_run"), 40);
  EXPECT_GT(Count(c,
                  "SELECT COUNT(*) FROM dag_run WHERE run_type = 'manual' AND "
                  "external_trigger = 1"),
            5);
  EXPECT_EQ(Count(c, "SELECT COUNT(*) FROM task_instance WHERE start_date > end_date"), 0);
  EXPECT_EQ(Count(c, "SELECT COUNT(*) FROM task_instance WHERE queued_dttm > start_date"), 0);
  EXPECT_EQ(Count(c,
                  "SELECT COUNT(*) FROM dag_run WHERE start_date > end_date OR "
                  "queued_at > start_date"),
            0);
  // Finished task instances have end_date and duration; running ones a start but no end.
  EXPECT_EQ(Count(c,
                  "SELECT COUNT(*) FROM task_instance WHERE state IN ('success', 'failed', "
                  "'skipped', 'upstream_failed') AND (end_date IS NULL OR duration IS NULL)"),
            0);
  EXPECT_EQ(Count(c,
                  "SELECT COUNT(*) FROM task_instance WHERE state = 'running' AND "
                  "(start_date IS NULL OR end_date IS NOT NULL OR hostname IS NULL)"),
            0);
  // A successful run has only success/skipped task instances; a failed one has a failure.
  EXPECT_EQ(Count(c,
                  "SELECT COUNT(*) FROM task_instance ti JOIN dag_run r ON r.dag_id = "
                  "ti.dag_id AND r.run_id = ti.run_id WHERE r.state = 'success' AND "
                  "ti.state NOT IN ('success', 'skipped')"),
            0);
  EXPECT_EQ(Count(c,
                  "SELECT COUNT(*) FROM dag_run r WHERE r.state = 'failed' AND NOT EXISTS "
                  "(SELECT 1 FROM task_instance ti WHERE ti.dag_id = r.dag_id AND ti.run_id "
                  "= r.run_id AND ti.state IN ('failed', 'upstream_failed'))"),
            0);
  EXPECT_GT(Count(c, "SELECT COUNT(*) FROM dag_run WHERE state = 'failed'"), 0);
  EXPECT_GT(Count(c, "SELECT COUNT(*) FROM task_instance WHERE try_number = 2"), 0);
  EXPECT_GT(Count(c, "SELECT COUNT(*) FROM task_instance WHERE state = 'upstream_failed'"), 0);
  // Dependencies: c starts after a and b ended; d after c.
  EXPECT_EQ(Count(c,
                  "SELECT COUNT(*) FROM task_instance dn JOIN task_instance up ON "
                  "up.dag_id = dn.dag_id AND up.run_id = dn.run_id WHERE dn.dag_id = 'etl' AND "
                  "((dn.task_id = 'c' AND up.task_id IN ('a', 'b')) OR (dn.task_id = 'd' AND "
                  "up.task_id = 'c')) AND dn.start_date IS NOT NULL AND "
                  "(up.end_date IS NULL OR dn.start_date < up.end_date)"),
            0);
  // Pool etl has 2 slots: never more than 2 of its task instances running at once.
  auto intervals = Rows(c,
                        "SELECT start_date, end_date FROM task_instance WHERE pool = 'etl' "
                        "AND end_date IS NOT NULL AND duration > 0");
  std::vector<std::pair<std::string, int>> edges;
  for (const auto& r : intervals) {
    edges.push_back({r.substr(0, r.find('|')), 1});
    edges.push_back({r.substr(r.find('|') + 1), -1});
  }
  std::sort(edges.begin(), edges.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first < b.first : a.second < b.second;
  });
  int running = 0, peak = 0;
  for (const auto& e : edges) peak = std::max(peak, running += e.second);
  EXPECT_LE(peak, 2);
  EXPECT_EQ(peak, 2);
}

TEST(SimulatorTest, SameSeedSameRowsWhateverTheSteps) {
  const Timestamp start = T("2025-01-01T00:00:00Z"), end = T("2025-01-01T06:00:00Z");
  auto a = Make("seed_a", kEtl, AirflowVersion::kV3_1, start, 7);
  auto b = Make("seed_b", kEtl, AirflowVersion::kV3_1, start, 7);
  auto c = Make("seed_c", kEtl, AirflowVersion::kV3_1, start, 8);
  Step(*a.sim, end, std::chrono::seconds(1));
  Step(*b.sim, end, std::chrono::minutes(13));
  Step(*c.sim, end, std::chrono::minutes(13));
  auto runs_a = RunRows(*a.conn, "logical_date");
  EXPECT_EQ(runs_a, RunRows(*b.conn, "logical_date"));
  EXPECT_EQ(TiRows(*a.conn), TiRows(*b.conn));
  EXPECT_EQ(Rows(*a.conn, "SELECT id FROM task_instance ORDER BY id"),
            Rows(*b.conn, "SELECT id FROM task_instance ORDER BY id"));
  EXPECT_NE(TiRows(*a.conn), TiRows(*c.conn));
}

TEST(SimulatorTest, BulkHistoryWritesTheSameRowsAsLive) {
  const Timestamp start = T("2025-01-01T00:00:00Z"), end = T("2025-01-02T00:00:00Z");
  auto live = Make("live", kEtl, AirflowVersion::kV2, start, 3);
  auto bulk = Make("bulk", kEtl, AirflowVersion::kV2, start, 3);
  Step(*live.sim, end, std::chrono::minutes(5));
  ASSERT_TRUE(bulk.sim->RunHistory(end).ok());
  EXPECT_EQ(RunRows(*live.conn, "execution_date"), RunRows(*bulk.conn, "execution_date"));
  EXPECT_EQ(TiRows(*live.conn), TiRows(*bulk.conn));
  EXPECT_EQ(bulk.sim->counts().task_instances,
            Count(*bulk.conn, "SELECT COUNT(*) FROM task_instance"));
  EXPECT_EQ(bulk.sim->stats().task_instances_created,
            Count(*bulk.conn, "SELECT COUNT(*) FROM task_instance"));
  // Live continues after history.
  ASSERT_TRUE(bulk.sim->AdvanceTo(end + std::chrono::hours(1)).ok());
  EXPECT_GT(Count(*bulk.conn, "SELECT COUNT(*) FROM dag_run WHERE queued_at > ?", {end}), 0);
}

TEST(SimulatorTest, ActiveRunsLeaveWorkAtTheEndOfHistory) {
  SimulatorOptions o;
  o.version = AirflowVersion::kV2;
  o.active_runs = 1;
  o.stall_window = std::chrono::hours(2);
  auto conn = OpenTempSqlite("active2");
  o.init_schema = true;
  auto sim = Simulator::Create(*conn, Parse(kEtl), o);
  ASSERT_TRUE(sim);
  ASSERT_TRUE((*sim)->Init(T("2025-01-01T00:00:00Z")).ok());
  ASSERT_TRUE((*sim)->RunHistory(T("2025-01-02T00:00:00Z")).ok());
  EXPECT_EQ((*sim)->stats().stalled_runs, 1);
  EXPECT_GE(Count(*conn,
                  "SELECT COUNT(*) FROM dag_run WHERE state = 'running' AND queued_at < "
                  "'2025-01-01 23:00'"),
            1);
}

// Hourly DAGs with a 10 minute SLA on their one task: `fast` finishes in 5 minutes, `slow`
// takes 90 minutes, so from its second interval on every run is late.
constexpr char kSla[] = R"(
dags:
  - dag_id: fast
    schedule: "@hourly"
    tasks: [{task_id: t, duration: 5m, sla: 10m}]
  - dag_id: slow
    schedule: "@hourly"
    tasks: [{task_id: t, duration: 90m, sla: 10m}]
  - dag_id: manual_only
    schedule: none
    manual_triggers: {per_hour: 2}
    tasks: [{task_id: t, duration: 90m, sla: 1m}]
)";

TEST(SimulatorTest, SlaMissesOnlyWhereAirflow2WritesThem) {
  auto f = Make("sla", kSla, AirflowVersion::kV2, T("2025-01-01T00:00:00Z"));
  Step(*f.sim, T("2025-01-01T10:00:00Z"), std::chrono::minutes(1));
  db::Connection& c = *f.conn;
  EXPECT_EQ(Count(c, "SELECT COUNT(*) FROM sla_miss WHERE dag_id <> 'slow'"), 0);
  auto misses = Rows(c,
                     "SELECT execution_date, timestamp, email_sent, notification_sent, "
                     "description FROM sla_miss WHERE dag_id = 'slow' AND task_id = 't' "
                     "ORDER BY execution_date");
  ASSERT_GE(misses.size(), 6u);
  // Anchored on the first success (the 23:00 run, done at ~01:30): the first logical date
  // checked is two intervals later, 01:00; then every hour, each detected ~10 min after it.
  EXPECT_EQ(misses[0].substr(0, 26), "2025-01-01 01:00:00.000000");
  for (size_t i = 0; i < misses.size(); ++i) {
    Timestamp l = T(misses[i].substr(0, 26).c_str());
    Timestamp ts = T(misses[i].substr(27, 26).c_str());
    EXPECT_EQ(l, T("2025-01-01T01:00:00Z") + std::chrono::hours(i)) << misses[i];
    EXPECT_GT(ts, l + std::chrono::minutes(10)) << misses[i];
    if (i > 0) {
      EXPECT_LT(ts, l + std::chrono::minutes(10) + std::chrono::seconds(10));
    }
    EXPECT_EQ(misses[i].substr(54), "0|0|NULL") << misses[i];
  }
}

TEST(SimulatorTest, SerializedDagCarriesSlasOn2x) {
  auto f = Make("serialized", kSla, AirflowVersion::kV2, T("2025-01-01T00:00:00Z"), 1, true);
  auto rows = Rows(*f.conn,
                   "SELECT data IS NULL, fileloc_hash > 0 FROM serialized_dag WHERE "
                   "dag_id = 'fast'");
  EXPECT_EQ(rows, std::vector<std::string>{"1|1"});
  auto rs = f.conn->Query("SELECT data_compressed FROM serialized_dag WHERE dag_id = 'fast'");
  ASSERT_TRUE(rs);
  std::string z(*rs->row(0).Raw(0));
  std::string out(1 << 16, '\0');
  uLongf size = out.size();
  ASSERT_EQ(uncompress(reinterpret_cast<Bytef*>(out.data()), &size,
                       reinterpret_cast<const Bytef*>(z.data()), z.size()),
            Z_OK);
  out.resize(size);
  auto json = nlohmann::json::parse(out);
  EXPECT_EQ(json["__version"], 1);
  EXPECT_EQ(json["dag"]["_dag_id"], "fast");
  EXPECT_EQ(json["dag"]["timetable"]["__type"],
            "airflow.timetables.interval.CronDataIntervalTimetable");
  EXPECT_EQ(json["dag"]["tasks"][0]["__type"], "operator");
  EXPECT_EQ(json["dag"]["tasks"][0]["__var"]["sla"], 600.0);
  EXPECT_EQ(Rows(*f.conn, "SELECT schedule_interval, is_active FROM dag WHERE dag_id = 'fast'"),
            std::vector<std::string>{"\"@hourly\"|1"});
}

// Deadlines (3.1): `quick` succeeds long before queued_at + 10m, `late` takes 30 minutes,
// `broken` fails fast (its deadline stays and fires).
constexpr char kDeadlines[] = R"(
dags:
  - dag_id: quick
    schedule: "@hourly"
    deadline: {reference: dagrun.queued_at, interval: 10m}
    tasks: [{task_id: t, duration: 1m}]
  - dag_id: late
    schedule: "@hourly"
    deadline: {reference: dagrun.logical_date, interval: 10m, callback: my.mod.alert}
    tasks: [{task_id: t, duration: 30m}]
  - dag_id: broken
    schedule: "@hourly"
    deadline: {reference: dagrun.queued_at, interval: 10m}
    tasks: [{task_id: t, duration: 1m, failure_rate: 1}]
)";

TEST(SimulatorTest, DeadlinesAreCreatedPrunedAndFiredAs31Does) {
  auto f = Make("deadline", kDeadlines, AirflowVersion::kV3_1, T("2025-01-01T00:00:30Z"));
  db::Connection& c = *f.conn;
  // Right after start every DAG has a run with a pending deadline, need-by fixed at creation.
  Step(*f.sim, T("2025-01-01T00:00:45Z"), std::chrono::seconds(5));
  auto pending = Rows(c,
                      "SELECT r.dag_id, d.callback_state, d.trigger_id FROM deadline d JOIN "
                      "dag_run r ON r.id = d.dagrun_id ORDER BY r.dag_id");
  EXPECT_EQ(pending,
            (std::vector<std::string>{"broken|NULL|NULL", "late|NULL|NULL", "quick|NULL|NULL"}));
  EXPECT_EQ(Count(c,
                  "SELECT COUNT(*) FROM deadline d JOIN dag_run r ON r.id = d.dagrun_id "
                  "WHERE r.dag_id = 'late' AND d.deadline_time = '2025-01-01 00:10:00.000000'"),
            1);
  Step(*f.sim, T("2025-01-01T05:00:00Z"), std::chrono::seconds(20));
  // quick: every row pruned when its run succeeded.
  EXPECT_EQ(Count(c,
                  "SELECT COUNT(*) FROM deadline d JOIN dag_run r ON r.id = d.dagrun_id "
                  "WHERE r.dag_id = 'quick'"),
            0);
  // late and broken: every run past its need-by has a fired deadline.
  for (const char* dag : {"late", "broken"}) {
    auto rows = Rows(c,
                     "SELECT d.callback_state, d.trigger_id FROM deadline d JOIN dag_run r ON "
                     "r.id = d.dagrun_id WHERE r.dag_id = ? AND d.deadline_time < ?",
                     {dag, T("2025-01-01T04:59:00Z")});
    EXPECT_GE(rows.size(), 4u) << dag;
    for (const auto& r : rows) EXPECT_EQ(r, "success|NULL") << dag;
  }
  EXPECT_EQ(Count(c, "SELECT COUNT(*) FROM \"trigger\""), 0);  // finished triggers are deleted
  auto cb = Rows(c,
                 "SELECT d.callback FROM deadline d JOIN dag_run r ON r.id = d.dagrun_id "
                 "WHERE r.dag_id = 'late' LIMIT 1");
  ASSERT_EQ(cb.size(), 1u);
  auto json = nlohmann::json::parse(cb[0]);
  EXPECT_EQ(json["__classname__"], "airflow.sdk.definitions.deadline.AsyncCallback");
  EXPECT_EQ(json["__data__"]["path"], "my.mod.alert");
  auto dag_deadline = Rows(c, "SELECT deadline FROM dag WHERE dag_id = 'late'");
  EXPECT_THAT(dag_deadline[0], HasSubstr("DagRunLogicalDateDeadline"));
}

TEST(SimulatorTest, Airflow3RowShapes) {
  auto f = Make("shapes3", kEtl, AirflowVersion::kV3_0, T("2025-01-01T00:00:00Z"));
  Step(*f.sim, T("2025-01-01T03:00:00Z"));
  db::Connection& c = *f.conn;
  EXPECT_EQ(Count(c,
                  "SELECT COUNT(*) FROM task_instance WHERE length(id) <> 36 OR "
                  "length(dag_version_id) <> 32"),
            0);
  EXPECT_EQ(Count(c,
                  "SELECT COUNT(*) FROM dag_run WHERE run_type = 'manual' AND "
                  "(logical_date IS NOT NULL OR triggered_by <> 'rest_api')"),
            0);
  EXPECT_GT(Count(c, "SELECT COUNT(*) FROM dag_run WHERE run_type = 'manual'"), 0);
  EXPECT_EQ(Count(c,
                  "SELECT COUNT(*) FROM dag_run WHERE run_type = 'scheduled' AND "
                  "(logical_date <> run_after OR triggered_by <> 'timetable')"),
            0);
  EXPECT_EQ(Rows(c,
                 "SELECT is_stale, bundle_name, timetable_summary FROM dag WHERE dag_id = "
                 "'etl'"),
            std::vector<std::string>{"0|dags-folder|*/15 * * * *"});
  EXPECT_EQ(Count(c,
                  "SELECT COUNT(*) FROM serialized_dag s JOIN dag_version v ON v.id = "
                  "s.dag_version_id"),
            2);
  EXPECT_EQ(Rows(c, "SELECT job_type FROM job ORDER BY id"),
            (std::vector<std::string>{"SchedulerJob", "TriggererJob", "DagProcessorJob"}));
}

TEST(SimulatorTest, HeartbeatsAdvanceAndStopDuringAnOutage) {
  auto f = Make("heartbeat", kEtl, AirflowVersion::kV2, T("2025-01-01T00:00:00Z"));
  db::Connection& c = *f.conn;
  Step(*f.sim, T("2025-01-01T00:10:02Z"));
  EXPECT_EQ(Rows(c, "SELECT job_type, latest_heartbeat FROM job ORDER BY id"),
            (std::vector<std::string>{"SchedulerJob|2025-01-01 00:10:00.000000",
                                      "TriggererJob|2025-01-01 00:10:00.000000"}));
  f.sim->SetSchedulerRunning(false);
  int64_t runs = Count(c, "SELECT COUNT(*) FROM dag_run WHERE run_type = 'scheduled'");
  Step(*f.sim, T("2025-01-01T01:00:00Z"));
  EXPECT_EQ(Rows(c, "SELECT latest_heartbeat, state FROM job WHERE id = 1"),
            std::vector<std::string>{"2025-01-01 00:10:00.000000|running"});
  EXPECT_EQ(Rows(c, "SELECT latest_heartbeat FROM job WHERE id = 2"),
            std::vector<std::string>{"2025-01-01 01:00:00.000000"});
  EXPECT_EQ(Count(c, "SELECT COUNT(*) FROM dag_run WHERE run_type = 'scheduled'"), runs);
  f.sim->SetSchedulerRunning(true);
  Step(*f.sim, T("2025-01-01T01:05:00Z"));
  EXPECT_EQ(Rows(c,
                 "SELECT id, state, latest_heartbeat FROM job WHERE job_type = "
                 "'SchedulerJob' ORDER BY id"),
            (std::vector<std::string>{"1|failed|2025-01-01 00:10:00.000000",
                                      "3|running|2025-01-01 01:05:00.000000"}));
  EXPECT_GT(Count(c, "SELECT COUNT(*) FROM dag_run WHERE run_type = 'scheduled'"), runs);
}

TEST(SimulatorTest, ResumesAnExistingDatabase) {
  const Timestamp start = T("2025-01-01T00:00:00Z");
  auto f = Make("resume", kEtl, AirflowVersion::kV2, start);
  Step(*f.sim, start + std::chrono::hours(2));
  f.sim.reset();
  SimulatorOptions o;
  o.version = AirflowVersion::kV2;
  auto again = Simulator::Create(*f.conn, Parse(kEtl), o);
  ASSERT_TRUE(again);
  ASSERT_TRUE((*again)->Init(start + std::chrono::hours(3)).ok());
  Step(**again, start + std::chrono::hours(4));
  // No duplicate runs, nothing left open from the first simulator, new runs after the gap.
  EXPECT_EQ(Count(*f.conn,
                  "SELECT COUNT(*) FROM dag_run WHERE state IN ('queued', 'running') "
                  "AND queued_at < ?",
                  {start + std::chrono::hours(3)}),
            0);
  EXPECT_GT(Count(*f.conn, "SELECT COUNT(*) FROM dag_run WHERE queued_at > ?",
                  {start + std::chrono::hours(3)}),
            3);
  // The wrong version is refused.
  o.version = AirflowVersion::kV3_1;
  auto wrong = Simulator::Create(*f.conn, Parse(kEtl), o);
  ASSERT_TRUE(wrong);
  Status st = (*wrong)->Init(start + std::chrono::hours(5));
  EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(st.message(), HasSubstr("--reset"));
}

TEST(SimulatorTest, LocalTaskJobsOn2x) {
  auto conn = OpenTempSqlite("ltj");
  SimulatorOptions o;
  o.version = AirflowVersion::kV2;
  o.init_schema = true;
  o.local_task_jobs = true;
  auto sim = Simulator::Create(*conn, Parse(kEtl), o);
  ASSERT_TRUE(sim);
  ASSERT_TRUE((*sim)->Init(T("2025-01-01T00:00:00Z")).ok());
  Step(**sim, T("2025-01-01T02:00:00Z"));
  EXPECT_GT(Count(*conn,
                  "SELECT COUNT(*) FROM job WHERE job_type = 'LocalTaskJob' AND state = "
                  "'success' AND end_date IS NOT NULL AND dag_id IS NOT NULL"),
            10);
  EXPECT_EQ(Count(*conn,
                  "SELECT COUNT(*) FROM task_instance ti WHERE ti.state = 'success' AND "
                  "NOT EXISTS (SELECT 1 FROM job j WHERE j.id = ti.job_id AND j.job_type "
                  "= 'LocalTaskJob')"),
            0);
}

TEST(SimulatorTest, RefusesTimeTravel) {
  auto f = Make("backwards", kEtl, AirflowVersion::kV2, T("2025-01-01T00:00:00Z"));
  EXPECT_EQ(f.sim->AdvanceTo(T("2024-12-31T00:00:00Z")).code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace slayer::sim

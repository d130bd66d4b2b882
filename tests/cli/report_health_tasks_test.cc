// `slayer report --health` and `slayer report --tasks` as a user runs them: the built binary on
// a store filled here (health) and on a SQLite Airflow database the simulator wrote (tasks),
// compared with what GET /api/v1/health and GET /api/v1/tasks answer on the same data (the two
// must agree byte for byte), plus their tables, CSV and errors.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "cli/slayer_report_runner.h"
#include "config/load.h"
#include "db/connect.h"
#include "fakes/timestamps.h"
#include "insights/temp_store.h"
#include "sim/dag_file.h"
#include "sim/simulator.h"

namespace slayer::cli {
namespace {

using namespace std::chrono_literals;
using test::T;

using test::HttpGet;
using test::Outcome;

// An hourly DAG: `extract` always takes exactly 2 minutes; `flaky` fails every try, retries
// once a minute later, and ends failed (two tries).
constexpr char kDags[] = R"(
dags:
  - dag_id: etl
    schedule: "@hourly"
    catchup: true
    start_date: 2025-03-01T00:00:00Z
    tasks:
      - {task_id: extract, duration: 2m}
      - {task_id: flaky, duration: 30s, failure_rate: 1, retries: 1, retry_delay: 1m,
         upstream: [extract]}
  - dag_id: other
    schedule: "@daily"
    catchup: true
    start_date: 2025-03-01T00:00:00Z
    tasks:
      - {task_id: only, duration: 10s}
)";

class ReportHealthTasksTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(dir_.path().empty());
    store_path_ = dir_.path() / "slayer.db";
    airflow_path_ = dir_.path() / "airflow.db";
    config_path_ = dir_.path() / "slayer.yml";
    std::ofstream(config_path_) << "airflow:\n  - name: prod\n    database: sqlite://"
                                << airflow_path_.string() << "\nstorage: sqlite://"
                                << store_path_.string() << "\n";
    // The Airflow database: six simulated hours of 2025-03-01, Airflow 2.10.
    auto dsn = db::Dsn::Parse("sqlite://" + airflow_path_.string());
    ASSERT_TRUE(dsn);
    auto conn = db::Connect(*dsn, {.read_only = false});
    ASSERT_TRUE(conn) << conn.error().message();
    auto dags = sim::ParseDagFile(kDags, "dags.yml");
    ASSERT_TRUE(dags) << dags.error().message();
    sim::SimulatorOptions so;
    so.init_schema = true;
    auto sim = sim::Simulator::Create(**conn, std::move(*dags), so);
    ASSERT_TRUE(sim) << sim.error().message();
    ASSERT_TRUE((*sim)->Init(T("2025-03-01T00:00:00Z")).ok());
    ASSERT_TRUE((*sim)->RunHistory(T("2025-03-01T06:30:00Z")).ok());
    ASSERT_TRUE((*sim)->Finish().ok());
    // The store: prod up from 10:00 to 11:00 on 2025-03-01 but for a 5 minute outage.
    auto store = insights::test::OpenSqliteStore(store_path_);
    ASSERT_TRUE(store) << store.error().message();
    store_ = std::move(*store);
    const Timestamp start = T("2025-03-01T10:00:00Z");
    for (Timestamp t = start; t <= start + 1h; t += 10s) {
      const bool down = t > start + 20min && t <= start + 25min;
      ASSERT_TRUE(store_->RecordHealthSample("prod", !down, t, 30s).ok());
    }
  }

  Outcome Slayer(const std::vector<std::string>& args) {
    return test::RunReport(SLAYER_EXE, config_path_, args, dir_.path());
  }

  slayer::testing::TempDir dir_;
  std::filesystem::path store_path_;
  std::filesystem::path airflow_path_;
  std::filesystem::path config_path_;
  std::unique_ptr<store::Store> store_;
};

TEST_F(ReportHealthTasksTest, JsonIsTheApiDocumentByteForByte) {
  auto config = config::LoadConfigFile(config_path_.string());
  ASSERT_TRUE(config) << config.error().message();
  const std::vector<config::AirflowInstance> instances = (*config)->airflow;
  // As `slayer serve` wires it (docs/health.md): the store, and the config's instances.
  auto server = test::ServeApi::Start(config_path_, {.store = [this] { return store_.get(); }},
                                      {.instances = [instances] { return instances; }});
  ASSERT_TRUE(server) << server.error().message();

  struct Case {
    std::vector<std::string> flags;
    std::string path;
  };
  for (const Case& c : std::vector<Case>{
           {{"--health", "--until", "2025-03-02T00:00:00Z"},
            "/api/v1/health?until=2025-03-02T00:00:00Z"},
           {{"--health", "--since", "2025-03-01T10:00:00Z", "--until", "2025-03-01T10:30:00Z"},
            "/api/v1/health?since=2025-03-01T10:00:00Z&until=2025-03-01T10:30:00Z"},
           {{"--health", "--instance", "nothing", "--until", "2025-03-02T00:00:00Z"},
            "/api/v1/health?instance=nothing&until=2025-03-02T00:00:00Z"},
           {{"--tasks", "--since", "2025-03-01T00:00:00Z", "--until", "2025-03-01T06:00:00Z"},
            "/api/v1/tasks?since=2025-03-01T00:00:00Z&until=2025-03-01T06:00:00Z"},
           {{"--tasks", "--dag", "et?", "--instance", "prod", "--since", "2025-03-01T00:00:00Z",
             "--until", "2025-03-01T03:00:00Z"},
            "/api/v1/tasks?dag_id=et%3F&instance=prod&since=2025-03-01T00:00:00Z&"
            "until=2025-03-01T03:00:00Z"},
       }) {
    std::vector<std::string> flags = c.flags;
    flags.insert(flags.end(), {"--format", "json"});
    Outcome cli = Slayer(flags);
    ASSERT_EQ(cli.rc, 0) << cli.err;
    long status = 0;
    std::string api = HttpGet((*server)->port(), c.path, &status);
    ASSERT_EQ(status, 200) << api;
    EXPECT_EQ(cli.out, api + "\n") << ::testing::PrintToString(flags);
  }
}

TEST_F(ReportHealthTasksTest, HealthShowsTheOutage) {
  Outcome run = Slayer({"--health", "--since", "2025-03-01T10:00:00Z", "--until",
                        "2025-03-01T11:00:00Z", "--format", "json"});
  ASSERT_EQ(run.rc, 0) << run.err;
  nlohmann::json doc = nlohmann::json::parse(run.out);
  const nlohmann::json& w = doc["instances"][0]["windows"][0];
  EXPECT_EQ(w["window"], "2025-03-01T10:00:00Z");
  EXPECT_EQ(w["down_seconds"], 300.0);
  EXPECT_EQ(w["up_seconds"], 3300.0);
  EXPECT_EQ(w["unknown_seconds"], 0.0);
  EXPECT_EQ(w["outages"], 1);
  EXPECT_EQ(w["longest_outage_seconds"], 300.0);

  run = Slayer({"--health", "--until", "2025-03-02T00:00:00Z"});
  ASSERT_EQ(run.rc, 0) << run.err;
  EXPECT_NE(run.out.find("INSTANCE  WINDOW  UPTIME   UP  DOWN  UNKNOWN  OUTAGES  LONGEST_OUTAGE\n"
                         "prod      7d      91.66%  55m    5m    6d23h        1              5m\n"),
            std::string::npos)
      << run.out;
  run = Slayer({"--health", "--until", "2025-03-02T00:00:00Z", "--format", "csv"});
  ASSERT_EQ(run.rc, 0) << run.err;
  EXPECT_NE(run.out.find("\nprod,90d,2024-12-02T00:00:00Z,2025-03-02T00:00:00Z,"
                         "0.9166666666666666,3300,300,7772400,1,300\n"),
            std::string::npos)
      << run.out;
}

TEST_F(ReportHealthTasksTest, TasksMatchWhatTheSimulatorDid) {
  Outcome run = Slayer({"--tasks", "--since", "2025-03-01T00:00:00Z", "--until",
                        "2025-03-01T06:00:00Z", "--format", "json"});
  ASSERT_EQ(run.rc, 0) << run.err;
  nlohmann::json doc = nlohmann::json::parse(run.out);
  // etl's runs with a logical date 00:00 .. 05:00 (the 05:00 run ran at 06:00), other's 00:00
  // run does not exist before 2025-03-02 with a data interval timetable.
  EXPECT_EQ(doc["dag_runs"], 6);
  ASSERT_EQ(doc["tasks"].size(), 2u) << run.out;
  const nlohmann::json& extract = doc["tasks"][0];
  EXPECT_EQ(extract["task_id"], "extract");
  EXPECT_EQ(extract["success"], 6);
  EXPECT_EQ(extract["success_rate"], 1.0);
  EXPECT_EQ(extract["retry_rate"], 0.0);
  EXPECT_EQ(extract["duration_seconds"]["mean"], 120.0);  // the simulated 2 minutes
  EXPECT_EQ(extract["duration_seconds"]["p95"], 120.0);
  EXPECT_GT(extract["queue_seconds"]["mean"].get<double>(), 0.0);
  const nlohmann::json& flaky = doc["tasks"][1];
  EXPECT_EQ(flaky["task_id"], "flaky");
  EXPECT_EQ(flaky["failed"], 6);
  EXPECT_EQ(flaky["tries"], 12);
  EXPECT_EQ(flaky["retried"], 6);
  EXPECT_EQ(flaky["success_rate"], 0.0);
  EXPECT_EQ(flaky["retry_rate"], 1.0);
  EXPECT_EQ(flaky["duration_seconds"]["mean"], 30.0);

  run = Slayer({"--tasks", "--since", "2025-03-01T00:00:00Z", "--until", "2025-03-01T06:00:00Z"});
  ASSERT_EQ(run.rc, 0) << run.err;
  EXPECT_NE(run.out.find("(6 runs)\n\nDAG  TASK     TIS  SUCCESS  FAILED"), std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find("\netl  extract    6        6       0"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("100.0%        0.0%             2m            2m"), std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find("0.0%      100.0%          30.0s         30.0s"), std::string::npos)
      << run.out;
  run = Slayer({"--tasks", "--since", "2025-03-01T00:00:00Z", "--until", "2025-03-01T06:00:00Z",
                "--format", "csv"});
  ASSERT_EQ(run.rc, 0) << run.err;
  EXPECT_NE(run.out.find("\nprod,etl,flaky,6,0,6,0,0,12,6,0,1,30,30,30,30,"), std::string::npos)
      << run.out;
}

TEST_F(ReportHealthTasksTest, BadFlagsExit2WithTheFlagNamed) {
  struct Case {
    std::vector<std::string> flags;
    std::string err;
  };
  for (const Case& c : std::vector<Case>{
           {{"--health", "--tasks"}, "--health, --tasks: choose one"},
           {{"--health", "--dag", "etl"}, "--dag: does not apply to --health"},
           {{"--health", "--group-by", "rule"}, "--group-by: does not apply to --health"},
           {{"--tasks", "--rule", "r"}, "--rule: does not apply to --tasks"},
           {{"--tasks", "--hours"}, "--hours: does not apply to --tasks"},
           {{"--tasks", "--storage.path", "sqlite:///x.db"},
            "--storage.path: does not apply to --tasks"},
           {{"--instance", "prod"}, "--instance: only with --health or --tasks"},
           {{"--health", "--since", "later"}, "--since: 'later' is neither a duration"},
           {{"--health", "--since", "1d", "--until", "2d"}, "is not before --until"},
           {{"--tasks", "--since", "31d"}, "--since: the window from "},
           {{"--tasks", "--since", "1d", "--until", "2d"}, "--since: "},
           {{"--tasks", "--dag", "etl_[ab"}, "--dag: glob 'etl_[ab': unclosed '['"},
           {{"--tasks", "--instance", "qa"},
            "--instance: no airflow instance named 'qa' in the config (known: prod)"},
       }) {
    Outcome run = Slayer(c.flags);
    EXPECT_EQ(run.rc, 2) << ::testing::PrintToString(c.flags);
    EXPECT_NE(run.err.find(c.err), std::string::npos) << run.err;
    EXPECT_EQ(run.out, "");
  }
  // An Airflow database that cannot be read: the instance is named.
  std::filesystem::remove(airflow_path_);
  Outcome run = Slayer({"--tasks"});
  EXPECT_EQ(run.rc, 2);
  EXPECT_EQ(run.err.rfind("instance prod: ", 0), 0u) << run.err;
  // No store: a clear error, and none is created.
  std::filesystem::remove(store_path_);
  run = Slayer({"--health"});
  EXPECT_EQ(run.rc, 2);
  EXPECT_NE(run.err.find("no history at " + store_path_.string()), std::string::npos) << run.err;
  EXPECT_FALSE(std::filesystem::exists(store_path_));
}

}  // namespace
}  // namespace slayer::cli

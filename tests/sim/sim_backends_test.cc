// slayer-sim against real PostgreSQL and MariaDB (CTest fixture test_servers): schema creation,
// the same rows as on SQLite, and the bulk-load benchmark (1M+ task instances via COPY).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>

#include "db/connect.h"
#include "integration/test_servers.h"
#include "sim/dag_file.h"
#include "sim/dag_scaling.h"
#include "sim/simulator.h"
#include "sim_test_db.h"
#include "fakes/timestamps.h"

namespace slayer::sim {
namespace {

using testing::Count;
using testing::Rows;

using test::T;

std::unique_ptr<db::Connection> Open(db::Backend backend, const std::string& name) {
  auto dsn = slayer::testing::CreateTestDatabase(backend, name);
  EXPECT_TRUE(dsn) << dsn.status().ToString();
  if (!dsn) return nullptr;
  db::ConnectOptions o;
  o.read_only = false;
  o.statement_timeout = std::chrono::minutes(10);
  auto conn = db::Connect(*dsn, o);
  EXPECT_TRUE(conn) << conn.status().ToString();
  return conn ? std::move(*conn) : nullptr;
}

DagFile Demo() {
  auto f = LoadDagFile(std::string(SLAYER_SOURCE_DIR) + "/examples/sim/demo.yml");
  EXPECT_TRUE(f) << f.status().ToString();
  return *f;
}

// Simulates three hours of the demo DAGs and returns the dag_run and task_instance rows.
std::vector<std::string> Simulate(db::Connection& conn, AirflowVersion v) {
  SimulatorOptions o;
  o.version = v;
  o.reset = true;
  auto sim = Simulator::Create(conn, Demo(), o);
  EXPECT_TRUE(sim) << sim.status().ToString();
  if (!sim) return {};
  const Timestamp start = T("2025-03-30T00:00:00Z");
  Status st = (*sim)->Init(start);
  EXPECT_TRUE(st.ok()) << st.ToString();
  for (int m = 1; m <= 180; ++m) {
    st = (*sim)->AdvanceTo(start + std::chrono::minutes(m));
    EXPECT_TRUE(st.ok()) << st.ToString();
    if (!st.ok()) return {};
  }
  EXPECT_TRUE((*sim)->Finish().ok());
  const std::string logical = IsAirflow3(v) ? "logical_date" : "execution_date";
  // Timestamps through the backends' text forms back to one spelling.
  auto norm = [](const std::string& row) {
    std::string out;
    size_t pos = 0;
    while (pos <= row.size()) {
      size_t bar = row.find('|', pos);
      if (bar == std::string::npos) bar = row.size();
      std::string cell = row.substr(pos, bar - pos);
      if (auto t = ParseTimestamp(cell); t && cell.size() >= 19) cell = FormatRfc3339(*t);
      out += (pos ? "|" : "") + cell;
      pos = bar + 1;
    }
    return out;
  };
  std::vector<std::string> out;
  for (const auto& r : Rows(conn,
                            "SELECT id, dag_id, run_id, state, queued_at, start_date, "
                            "end_date, " +
                                logical + " FROM dag_run ORDER BY id")) {
    out.push_back(norm(r));
  }
  for (const auto& r : Rows(conn,
                            "SELECT dag_id, run_id, task_id, state, try_number, "
                            "start_date, end_date, queued_dttm FROM task_instance "
                            "ORDER BY dag_id, run_id, task_id")) {
    out.push_back(norm(r));
  }
  if (v == AirflowVersion::kV3_1) {
    for (const auto& r : Rows(conn,
                              "SELECT dagrun_id, deadline_time, callback_state FROM "
                              "deadline ORDER BY dagrun_id, deadline_time")) {
      out.push_back(norm(r));
    }
  } else if (v == AirflowVersion::kV2) {
    for (const auto& r : Rows(conn,
                              "SELECT dag_id, task_id, execution_date, timestamp FROM "
                              "sla_miss ORDER BY dag_id, task_id, execution_date")) {
      out.push_back(norm(r));
    }
  }
  return out;
}

class SimBackendsTest : public ::testing::TestWithParam<std::tuple<db::Backend, AirflowVersion>> {};

TEST_P(SimBackendsTest, WritesTheSameRowsAsOnSqlite) {
  auto [backend, version] = GetParam();
  std::string name = "sim_" + std::string(db::BackendName(backend)) + "_" +
                     std::to_string(static_cast<int>(version));
  auto server = Open(backend, name);
  ASSERT_TRUE(server);
  auto sqlite = testing::OpenTempSqlite(name);
  ASSERT_TRUE(sqlite);
  auto expected = Simulate(*sqlite, version);
  ASSERT_GT(expected.size(), 100u);
  EXPECT_EQ(Simulate(*server, version), expected);
  // Resetting again works on a populated database.
  SimulatorOptions o;
  o.version = version;
  o.reset = true;
  auto sim = Simulator::Create(*server, Demo(), o);
  ASSERT_TRUE(sim);
  ASSERT_TRUE((*sim)->Init(T("2025-01-01T00:00:00Z")).ok());
  EXPECT_EQ(Count(*server, "SELECT COUNT(*) FROM dag"), 5);
}

INSTANTIATE_TEST_SUITE_P(
    All, SimBackendsTest,
    ::testing::Values(std::make_tuple(db::Backend::kPostgres, AirflowVersion::kV2),
                      std::make_tuple(db::Backend::kPostgres, AirflowVersion::kV3_0),
                      std::make_tuple(db::Backend::kPostgres, AirflowVersion::kV3_1),
                      std::make_tuple(db::Backend::kMysql, AirflowVersion::kV2),
                      std::make_tuple(db::Backend::kMysql, AirflowVersion::kV3_1)));

TEST(SimBackendsTest, RefusesAirflow30OnMariadb) {
  auto server = Open(db::Backend::kMysql, "sim_mysql_30");
  ASSERT_TRUE(server);
  SimulatorOptions o;
  o.version = AirflowVersion::kV3_0;
  o.reset = true;
  auto sim = Simulator::Create(*server, Demo(), o);
  ASSERT_FALSE(sim);
  EXPECT_THAT(sim.error().message(), ::testing::HasSubstr("not supported"));
}

// The benchmark load: 10000 generated DAGs x 4 tasks x 30 daily runs = 1.2M task instances.
TEST(SimBackendsTest, BulkLoadsAMillionTaskInstancesOnPostgres) {
  auto server = Open(db::Backend::kPostgres, "sim_bulk");
  ASSERT_TRUE(server);
  SimulatorOptions o;
  o.version = AirflowVersion::kV3_1;
  o.reset = true;
  o.active_runs = 100;
  auto sim = Simulator::Create(*server, GenerateDags(10000, 4), o);
  ASSERT_TRUE(sim);
  const Timestamp end = T("2025-04-01T00:00:00Z");
  auto t0 = std::chrono::steady_clock::now();
  ASSERT_TRUE((*sim)->Init(end - std::chrono::days(30)).ok());
  Status st = (*sim)->RunHistory(end);
  ASSERT_TRUE(st.ok()) << st.ToString();
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  int64_t tis = Count(*server, "SELECT COUNT(*) FROM task_instance");
  std::printf("bulk history: %lld task instances in %.1f s (simulate %.1f s, write %.1f s)\n",
              static_cast<long long>(tis), secs, (*sim)->simulate_seconds(),
              (*sim)->write_seconds());
  EXPECT_GE(tis, 1000000);
  EXPECT_EQ(tis, (*sim)->stats().task_instances_created);
  EXPECT_GE(Count(*server, "SELECT COUNT(*) FROM dag_run WHERE state = 'running'"), 100);
}

}  // namespace
}  // namespace slayer::sim

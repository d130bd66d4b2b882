// Test helper for the integration tests that poll a simulated Airflow (tests/app/
// health_integration_test.cc, tests/engine/scenario_test.cc): a fresh database on one of the
// test servers (the CTest fixture test_servers) that the simulator writes, and the
// backend x Airflow version parameters those tests run under. Not thread-safe.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>

#include "common/time.h"
#include "db/connect.h"
#include "integration/test_servers.h"
#include "sim/dag_file.h"
#include "sim/simulator.h"

namespace slayer::test {

struct SimWorldParam {
  db::Backend backend;
  sim::AirflowVersion version;
};

inline void PrintTo(const SimWorldParam& p, std::ostream* os) {
  *os << db::BackendName(p.backend) << "/" << sim::AirflowVersionName(p.version);
}

// "sqlite_Airflow2", "postgres_Airflow31", ...: the test name suffix.
inline std::string SimWorldParamName(const ::testing::TestParamInfo<SimWorldParam>& info) {
  return std::string(db::BackendName(info.param.backend)) +
         (info.param.version == sim::AirflowVersion::kV2 ? "_Airflow2" : "_Airflow31");
}

// SQLite, PostgreSQL and MariaDB, each with the Airflow 2.10 and 3.1 schema.
inline auto AllSimWorlds() {
  using db::Backend;
  using sim::AirflowVersion;
  return ::testing::Values(SimWorldParam{Backend::kSqlite, AirflowVersion::kV2},
                           SimWorldParam{Backend::kSqlite, AirflowVersion::kV3_1},
                           SimWorldParam{Backend::kPostgres, AirflowVersion::kV2},
                           SimWorldParam{Backend::kPostgres, AirflowVersion::kV3_1},
                           SimWorldParam{Backend::kMysql, AirflowVersion::kV2},
                           SimWorldParam{Backend::kMysql, AirflowVersion::kV3_1});
}

struct SimWorld {
  db::Dsn dsn;                             // the database (read it with a read-only connection)
  std::unique_ptr<db::Connection> writer;  // the simulator's read-write connection
  // Writes through `writer`: declared after it, so it is destroyed first.
  std::unique_ptr<sim::Simulator> sim;
};

// Creates database `name` (CreateTestDatabase: [a-z0-9_]{1,60}) on `param.backend`, installs
// the Airflow schema of `param.version` with the DAGs of `dag_yaml` (`file_name` names it in
// errors) and initialises the simulator at `start`, into `*out`. Fails the current test on
// error: call under ASSERT_NO_FATAL_FAILURE.
inline void StartSimWorld(const SimWorldParam& param, const std::string& name, const char* dag_yaml,
                          std::string_view file_name, Timestamp start, SimWorld* out) {
  auto dsn = slayer::testing::CreateTestDatabase(param.backend, name);
  ASSERT_TRUE(dsn) << dsn.status().ToString();
  out->dsn = *dsn;
  db::ConnectOptions wo;
  wo.read_only = false;
  wo.statement_timeout = std::chrono::minutes(2);
  auto writer = db::Connect(out->dsn, wo);
  ASSERT_TRUE(writer) << writer.status().ToString();
  out->writer = std::move(*writer);
  auto dags = sim::ParseDagFile(dag_yaml, std::string(file_name));
  ASSERT_TRUE(dags) << dags.status().ToString();
  sim::SimulatorOptions so;
  so.version = param.version;
  so.init_schema = true;
  auto simulator = sim::Simulator::Create(*out->writer, std::move(*dags), so);
  ASSERT_TRUE(simulator) << simulator.status().ToString();
  out->sim = std::move(*simulator);
  Status st = out->sim->Init(start);
  ASSERT_TRUE(st.ok()) << st.ToString();
}

}  // namespace slayer::test

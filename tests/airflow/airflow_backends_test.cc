// Every reference DDL file in a real PostgreSQL / MariaDB database: detection, and every reader
// on the empty database and with the sample rows (label integration; fixture test_servers).
#include <gtest/gtest.h>

#include "airflow/schema.h"
#include "airflow/sql_source.h"
#include "airflow_test_db.h"
#include "db/connect.h"
#include "integration/test_servers.h"

namespace slayer::airflow {
namespace {

struct BackendCase {
  const char* name;  // test and database name
  db::Backend backend;
  const char* file;
  const char* insert_revision;  // dumps without an alembic_version row
  const char* version;
  int major;
  DeadlineFlavor deadline;
  bool state_indexes;
};

void PrintTo(const BackendCase& c, std::ostream* os) { *os << c.file; }

class AirflowBackendTest : public ::testing::TestWithParam<BackendCase> {
 protected:
  std::unique_ptr<db::Connection> Open(const db::Dsn& dsn, bool read_only) {
    db::ConnectOptions options;
    options.read_only = read_only;
    auto c = db::Connect(dsn, options);
    EXPECT_TRUE(c) << c.error().message();
    return c ? std::move(*c) : nullptr;
  }
};

TEST_P(AirflowBackendTest, DetectsTheSchemaAndReadsEverything) {
  const BackendCase& c = GetParam();
  auto dsn = slayer::testing::CreateTestDatabase(c.backend, std::string("af_") + c.name);
  ASSERT_TRUE(dsn) << dsn.error().message();
  auto writer = Open(*dsn, false);
  ASSERT_TRUE(writer);
  Status st = testing::LoadSchemaFile(*writer, c.file);
  ASSERT_TRUE(st.ok()) << st.message();
  if (c.insert_revision != nullptr) {
    auto n = writer->Execute("INSERT INTO alembic_version (version_num) VALUES (?)",
                             {c.insert_revision});
    ASSERT_TRUE(n) << n.error().message();
  }

  auto source = SqlAirflowSource::Open(Open(*dsn, true));
  ASSERT_TRUE(source) << source.error().message();
  const SchemaInfo& info = (*source)->schema();
  EXPECT_EQ(info.backend, c.backend);
  EXPECT_EQ(info.airflow_version, c.version);
  EXPECT_EQ(info.major, c.major);
  EXPECT_EQ(info.detected_by, DetectionMethod::kRevisionMap);
  EXPECT_EQ(info.deadline, c.deadline) << DeadlineFlavorName(info.deadline);
  EXPECT_EQ(info.dag_run_state_indexes, c.state_indexes);
  const bool v3 = c.major == 3;
  EXPECT_EQ(info.dag_run_logical_date, v3);
  EXPECT_EQ(info.dag_run_run_after, v3);
  EXPECT_EQ(info.task_instance_id, v3);
  EXPECT_EQ(info.dag_is_stale, v3);
  EXPECT_EQ(info.dag_timetable_summary, v3);
  EXPECT_EQ(info.sla_miss_table, !v3);
  EXPECT_EQ(info.serialized_dag_versioned, v3);
  EXPECT_TRUE(info.task_instance_map_index);
  EXPECT_TRUE(info.dag_run_updated_at);
  EXPECT_TRUE(info.task_instance_updated_at);
  EXPECT_TRUE(info.serialized_dag_data_compressed);
  EXPECT_TRUE(info.slot_pool_include_deferred);
  EXPECT_TRUE(info.dag_owners);

  testing::ExpectEmpty(**source);
  st = testing::InsertSampleRows(*writer, info);
  ASSERT_TRUE(st.ok()) << st.message();
  testing::ExpectSampleRows(**source);
}

TEST(AirflowBackendErrorTest, EmptyServerDatabasesAreNotAirflow) {
  for (db::Backend backend : {db::Backend::kPostgres, db::Backend::kMysql}) {
    auto dsn = slayer::testing::CreateTestDatabase(backend, "af_not_airflow");
    ASSERT_TRUE(dsn) << dsn.error().message();
    auto c = db::Connect(*dsn, {});
    ASSERT_TRUE(c) << c.error().message();
    auto info = DetectSchema(**c);
    ASSERT_FALSE(info);
    EXPECT_EQ(info.error().code(), StatusCode::kFailedPrecondition);
    EXPECT_EQ(info.error().message(),
              "not an Airflow metadata database: table alembic_version is missing (check that "
              "the database URL points at Airflow's database)");
  }
}

INSTANTIATE_TEST_SUITE_P(
    Ddl, AirflowBackendTest,
    ::testing::Values(BackendCase{"pg_2", db::Backend::kPostgres, "airflow-2-postgres.sql", nullptr,
                                  "2.10.3", 2, DeadlineFlavor::kNone, true},
                      BackendCase{"pg_2_10_3_dump", db::Backend::kPostgres,
                                  "generated/airflow-2.10.3-postgres.monitored-tables.pg_dump.sql",
                                  "5f2621c13b39", "2.10.3", 2, DeadlineFlavor::kNone, true},
                      BackendCase{"pg_3_0", db::Backend::kPostgres, "airflow-3.0-postgres.sql",
                                  nullptr, "3.0.0", 3, DeadlineFlavor::kV30, false},
                      BackendCase{"pg_3_1", db::Backend::kPostgres, "airflow-3-postgres.sql",
                                  nullptr, "3.1.0", 3, DeadlineFlavor::kV31, false},
                      BackendCase{"mysql_2", db::Backend::kMysql, "airflow-2-mysql.sql", nullptr,
                                  "2.10.3", 2, DeadlineFlavor::kNone, true},
                      BackendCase{"mysql_3_1", db::Backend::kMysql, "airflow-3-mysql.sql", nullptr,
                                  "3.1.0", 3, DeadlineFlavor::kV31, false}),
    [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace slayer::airflow

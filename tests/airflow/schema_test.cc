#include "airflow/schema.h"

#include <gtest/gtest.h>

#include "airflow_test_db.h"

namespace slayer::airflow {
namespace {

using testing::LoadSchemaFile;
using testing::TempSqliteDb;

struct SchemaCase {
  const char* file;
  const char* insert_revision;  // for dumps without an alembic_version row, else nullptr
  const char* revision;
  const char* version;
  int major;
  DeadlineFlavor deadline;
};

void PrintTo(const SchemaCase& c, std::ostream* os) { *os << c.file; }

class SchemaFileTest : public ::testing::TestWithParam<SchemaCase> {};

TEST_P(SchemaFileTest, DetectsVersionAndFeatures) {
  const SchemaCase& c = GetParam();
  TempSqliteDb db;
  {
    auto w = db.Writer();
    ASSERT_TRUE(w);
    Status st = LoadSchemaFile(*w, c.file);
    ASSERT_TRUE(st.ok()) << st.message();
    if (c.insert_revision != nullptr) {
      auto n =
          w->Execute("INSERT INTO alembic_version (version_num) VALUES (?)", {c.insert_revision});
      ASSERT_TRUE(n) << n.error().message();
    }
  }
  auto r = db.Reader();  // detection needs nothing but reads
  ASSERT_TRUE(r);
  auto info = DetectSchema(*r);
  ASSERT_TRUE(info) << info.error().message();
  EXPECT_EQ(info->backend, db::Backend::kSqlite);
  EXPECT_EQ(info->alembic_revision, c.revision);
  EXPECT_EQ(info->airflow_version, c.version);
  EXPECT_EQ(info->major, c.major);
  EXPECT_EQ(info->detected_by, DetectionMethod::kRevisionMap);
  EXPECT_EQ(info->deadline, c.deadline) << DeadlineFlavorName(info->deadline);
  const bool v3 = c.major == 3;
  EXPECT_EQ(info->dag_run_logical_date, v3);
  EXPECT_EQ(info->LogicalDateColumn(), v3 ? "logical_date" : "execution_date");
  EXPECT_EQ(info->dag_run_run_after, v3);
  EXPECT_EQ(info->dag_run_external_trigger, !v3);
  EXPECT_EQ(info->dag_run_triggered_by, v3);
  EXPECT_TRUE(info->dag_run_updated_at);
  EXPECT_EQ(info->dag_run_state_indexes, !v3);  // not in the 3.x reference DDL
  EXPECT_TRUE(info->task_instance_map_index);
  EXPECT_EQ(info->task_instance_id, v3);
  EXPECT_TRUE(info->task_instance_updated_at);
  EXPECT_EQ(info->dag_is_stale, v3);
  EXPECT_EQ(info->dag_timetable_summary, v3);
  EXPECT_TRUE(info->dag_timetable_description);
  EXPECT_TRUE(info->dag_owners);
  EXPECT_TRUE(info->dag_has_import_errors);
  EXPECT_EQ(info->dag_deadline, c.deadline == DeadlineFlavor::kV31);
  EXPECT_EQ(info->sla_miss_table, !v3);
  EXPECT_TRUE(info->serialized_dag_table);
  EXPECT_TRUE(info->serialized_dag_data_compressed);
  EXPECT_EQ(info->serialized_dag_versioned, v3);
  EXPECT_TRUE(info->slot_pool_include_deferred);
  EXPECT_TRUE(info->job_table);
  EXPECT_TRUE(info->dag_tag_table);
}

INSTANTIATE_TEST_SUITE_P(
    SqliteDdl, SchemaFileTest,
    ::testing::Values(SchemaCase{"airflow-2-sqlite.sql", nullptr, "5f2621c13b39", "2.10.3", 2,
                                 DeadlineFlavor::kNone},
                      SchemaCase{"generated/airflow-2.10.3-sqlite.full.schema.sql", "5f2621c13b39",
                                 "5f2621c13b39", "2.10.3", 2, DeadlineFlavor::kNone},
                      SchemaCase{"airflow-3.0-sqlite.sql", nullptr, "29ce7909c52b", "3.0.0", 3,
                                 DeadlineFlavor::kV30},
                      SchemaCase{"airflow-3-sqlite.sql", nullptr, "cc92b33c6709", "3.1.0", 3,
                                 DeadlineFlavor::kV31}),
    [](const auto& info) {
      std::string name = info.param.file;
      name = name.substr(name.rfind('/') + 1);
      std::string out;
      for (char ch : name.substr(0, name.find(".sql"))) out += std::isalnum(ch) ? ch : '_';
      return out;
    });

class SchemaDetectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    writer_ = db_.Writer();
    ASSERT_TRUE(writer_);
  }
  void Run(std::string_view sql) {
    Status st = writer_->ExecuteScript(sql);
    ASSERT_TRUE(st.ok()) << st.message();
  }
  void Load(std::string_view file) {
    Status st = LoadSchemaFile(*writer_, file);
    ASSERT_TRUE(st.ok()) << st.message();
  }
  void SetRevision(std::string_view revision) {
    Run("DELETE FROM alembic_version");
    auto n = writer_->Execute("INSERT INTO alembic_version (version_num) VALUES (?)",
                              {std::string(revision)});
    ASSERT_TRUE(n) << n.error().message();
  }
  Result<SchemaInfo> Detect() { return DetectSchema(*db_.Reader()); }

  TempSqliteDb db_;
  std::unique_ptr<db::Connection> writer_;
};

constexpr std::string_view kNotAirflow =
    "not an Airflow metadata database: table alembic_version is missing (check that the "
    "database URL points at Airflow's database)";

TEST_F(SchemaDetectionTest, DatabaseWithoutTablesIsNotAirflow) {
  auto info = Detect();
  ASSERT_FALSE(info);
  EXPECT_EQ(info.error().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(info.error().message(), kNotAirflow);
}

TEST_F(SchemaDetectionTest, OtherApplicationsDatabaseIsNotAirflow) {
  Run("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT); CREATE TABLE dag (x INTEGER)");
  auto info = Detect();
  ASSERT_FALSE(info);
  EXPECT_EQ(info.error().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(info.error().message(), kNotAirflow);
}

TEST_F(SchemaDetectionTest, EmptyAlembicVersionIsAClearError) {
  Load("airflow-2-sqlite.sql");
  Run("DELETE FROM alembic_version");
  auto info = Detect();
  ASSERT_FALSE(info);
  EXPECT_EQ(info.error().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(info.error().message().find("table alembic_version is empty"), std::string::npos)
      << info.error().message();
  EXPECT_NE(info.error().message().find("airflow db migrate"), std::string::npos);
}

TEST_F(SchemaDetectionTest, UnknownRevisionOnA3xSchemaIsProbed) {
  Load("airflow-3-sqlite.sql");
  SetRevision("0123456789ab");
  auto info = Detect();
  ASSERT_TRUE(info) << info.error().message();
  EXPECT_EQ(info->alembic_revision, "0123456789ab");
  EXPECT_EQ(info->airflow_version, "unknown (3.x)");
  EXPECT_EQ(info->major, 3);
  EXPECT_EQ(info->detected_by, DetectionMethod::kProbing);
  EXPECT_TRUE(info->dag_run_logical_date);
  EXPECT_EQ(info->deadline, DeadlineFlavor::kV31);
}

TEST_F(SchemaDetectionTest, UnknownRevisionOnA2xSchemaIsProbed) {
  Load("airflow-2-sqlite.sql");
  SetRevision("b12d4f98a91e");  // an interim head of main, never released
  auto info = Detect();
  ASSERT_TRUE(info) << info.error().message();
  EXPECT_EQ(info->airflow_version, "unknown (2.x)");
  EXPECT_EQ(info->major, 2);
  EXPECT_EQ(info->detected_by, DetectionMethod::kProbing);
  EXPECT_FALSE(info->dag_run_logical_date);
  EXPECT_TRUE(info->sla_miss_table);
}

TEST_F(SchemaDetectionTest, ReleasesBefore22AreRefused) {
  Load("airflow-2-sqlite.sql");
  SetRevision("ccde3e26fe78");
  auto info = Detect();
  ASSERT_FALSE(info);
  EXPECT_EQ(info.error().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(info.error().message(), "Airflow 2.1.4 is not supported (2.2 or later needed)");
  SetRevision("e959f08ac86c");
  info = Detect();
  ASSERT_FALSE(info);
  EXPECT_EQ(info.error().message(), "Airflow 2.0.0 is not supported (2.2 or later needed)");
}

TEST_F(SchemaDetectionTest, UnknownRevisionWithAPre22TaskInstanceIsRefused) {
  Run("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL);"
      "INSERT INTO alembic_version VALUES ('000000000000');"
      "CREATE TABLE dag (dag_id VARCHAR(250) PRIMARY KEY, is_paused BOOLEAN);"
      "CREATE TABLE dag_run (id INTEGER PRIMARY KEY, dag_id VARCHAR(250), run_id VARCHAR(250),"
      " execution_date TIMESTAMP, state VARCHAR(50));"
      "CREATE TABLE task_instance (task_id VARCHAR(250), dag_id VARCHAR(250),"
      " execution_date TIMESTAMP, state VARCHAR(20))");
  auto info = Detect();
  ASSERT_FALSE(info);
  EXPECT_EQ(info.error().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(info.error().message().find("2.2 or later needed"), std::string::npos)
      << info.error().message();
}

TEST_F(SchemaDetectionTest, MissingRequiredTablesAreNamed) {
  Run("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL);"
      "INSERT INTO alembic_version VALUES ('5f2621c13b39');"
      "CREATE TABLE dag (dag_id VARCHAR(250) PRIMARY KEY)");
  auto info = Detect();
  ASSERT_FALSE(info);
  EXPECT_EQ(info.error().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(info.error().message(),
            "not a complete Airflow metadata database (alembic revision 5f2621c13b39): missing "
            "tables dag_run, task_instance");
}

TEST_F(SchemaDetectionTest, Airflow32DeadlineTableIsRecognised) {
  Load("airflow-3-sqlite.sql");
  Run("DROP INDEX deadline_callback_state_time_idx; DROP TABLE deadline;"
      "CREATE TABLE deadline (id CHAR(32) NOT NULL PRIMARY KEY, dagrun_id INTEGER,"
      " deadline_time TIMESTAMP NOT NULL, missed BOOLEAN NOT NULL, created_at TIMESTAMP,"
      " last_updated_at TIMESTAMP, callback_id CHAR(32), deadline_alert_id CHAR(32));"
      "CREATE INDEX deadline_missed_deadline_time_idx ON deadline (missed, deadline_time)");
  SetRevision("6222ce48e289");
  auto info = Detect();
  ASSERT_TRUE(info) << info.error().message();
  EXPECT_EQ(info->airflow_version, "3.2.0");
  EXPECT_EQ(info->deadline, DeadlineFlavor::kV32);
  EXPECT_EQ(DeadlineFlavorName(info->deadline), "3.2");
}

TEST_F(SchemaDetectionTest, ThirtyOneEightAndUpgraded3xWithSlaMissTable) {
  Load("airflow-3-sqlite.sql");
  SetRevision("509b94a1042d");
  // A database upgraded from 2.x keeps its (now unused) sla_miss table.
  Run("CREATE TABLE sla_miss (task_id VARCHAR(250) NOT NULL, dag_id VARCHAR(250) NOT NULL,"
      " execution_date TIMESTAMP NOT NULL, email_sent BOOLEAN, timestamp TIMESTAMP,"
      " description TEXT, notification_sent BOOLEAN)");
  auto info = Detect();
  ASSERT_TRUE(info) << info.error().message();
  EXPECT_EQ(info->airflow_version, "3.1.8");
  EXPECT_EQ(info->major, 3);
  EXPECT_TRUE(info->sla_miss_table);
  EXPECT_TRUE(info->dag_run_logical_date);
}

TEST_F(SchemaDetectionTest, MinimalAirflow22Schema) {
  // What 2.2 lacks compared to 2.10 (README section 4): map_index, updated_at,
  // data_compressed, include_deferred, timetable_description, has_import_errors.
  Run(testing::kMinimalAirflow22Ddl);
  auto info = Detect();
  ASSERT_TRUE(info) << info.error().message();
  EXPECT_EQ(info->airflow_version, "2.2.0");
  EXPECT_FALSE(info->task_instance_map_index);
  EXPECT_FALSE(info->task_instance_updated_at);
  EXPECT_FALSE(info->dag_run_updated_at);
  EXPECT_FALSE(info->serialized_dag_data_compressed);
  EXPECT_FALSE(info->slot_pool_include_deferred);
  EXPECT_FALSE(info->dag_timetable_description);
  EXPECT_FALSE(info->dag_has_import_errors);
  EXPECT_FALSE(info->job_table);
  EXPECT_FALSE(info->dag_tag_table);
  EXPECT_FALSE(info->sla_miss_table);
}

}  // namespace
}  // namespace slayer::airflow

// Test support for src/airflow: loads the reference Airflow DDL files of
// ../shared/airflow-schema into a database, writes a small, fixed set of rows the way Airflow
// would (for the 2.x or 3.x schema at hand), and checks that an AirflowSource reads exactly
// those values back. Shared by the unit (SQLite) and integration (PostgreSQL, MariaDB) tests.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "airflow/schema.h"
#include "airflow/source.h"
#include "common/result.h"
#include "common/time.h"
#include "db/connection.h"

namespace slayer::airflow::testing {

// <SLAYER_SHARED_DIR>/airflow-schema/<relative>, read whole. Empty when missing (and a test
// failure is recorded).
std::string ReadSchemaFile(std::string_view relative);

// A DDL file made loadable with db::Connection::ExecuteScript: drops psql meta-commands
// (lines starting with a backslash, e.g. `\restrict`), `SET ...;` lines and
// `SELECT pg_catalog.set_config(...)` lines, which pg_dump writes and our drivers do not need.
std::string LoadableDdl(std::string_view ddl);

// ReadSchemaFile + LoadableDdl + ExecuteScript. REQUIRES: a writable connection.
Status LoadSchemaFile(db::Connection& writer, std::string_view relative);

// A hand-made SQLite schema with only what Airflow 2.2 has (no map_index, updated_at,
// data_compressed, include_deferred, timetable_description, has_import_errors, job, dag_tag),
// at revision 7b2661a43ba3.
inline constexpr std::string_view kMinimalAirflow22Ddl = R"(
    CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL);
    INSERT INTO alembic_version VALUES ('7b2661a43ba3');
    CREATE TABLE dag (dag_id VARCHAR(250) PRIMARY KEY, is_paused BOOLEAN, is_active BOOLEAN,
      fileloc VARCHAR(2000), owners VARCHAR(2000), schedule_interval TEXT,
      next_dagrun TIMESTAMP, next_dagrun_data_interval_start TIMESTAMP,
      next_dagrun_data_interval_end TIMESTAMP, next_dagrun_create_after TIMESTAMP);
    CREATE TABLE dag_run (id INTEGER PRIMARY KEY, dag_id VARCHAR(250) NOT NULL,
      queued_at TIMESTAMP, execution_date TIMESTAMP NOT NULL, start_date TIMESTAMP,
      end_date TIMESTAMP, state VARCHAR(50), run_id VARCHAR(250) NOT NULL,
      external_trigger BOOLEAN, run_type VARCHAR(50) NOT NULL, data_interval_start TIMESTAMP,
      data_interval_end TIMESTAMP);
    CREATE TABLE task_instance (task_id VARCHAR(250) NOT NULL, dag_id VARCHAR(250) NOT NULL,
      run_id VARCHAR(250) NOT NULL, start_date TIMESTAMP, end_date TIMESTAMP, duration FLOAT,
      state VARCHAR(20), try_number INTEGER, max_tries INTEGER, hostname VARCHAR(1000),
      pool VARCHAR(256) NOT NULL, pool_slots INTEGER NOT NULL, queue VARCHAR(256),
      priority_weight INTEGER, operator VARCHAR(1000), queued_dttm TIMESTAMP,
      PRIMARY KEY (dag_id, task_id, run_id));
    CREATE TABLE slot_pool (id INTEGER PRIMARY KEY, pool VARCHAR(256), slots INTEGER);
    CREATE TABLE serialized_dag (dag_id VARCHAR(250) PRIMARY KEY, fileloc VARCHAR(2000),
      fileloc_hash BIGINT, data JSON, last_updated TIMESTAMP, dag_hash VARCHAR(32));
)";

// "2024-05-01 10:00:00" UTC plus `seconds`: the fixed clock of the sample rows.
Timestamp T(int64_t seconds_after_ten = 0);

// Writes the sample rows (3 DAGs, 5 runs, task instances, sla_miss on 2.x, deadline rows on
// 3.1/3.2, jobs, pools, serialized DAGs) through `writer`, using the columns `schema` says the
// database has. REQUIRES: the tables are empty.
Status InsertSampleRows(db::Connection& writer, const SchemaInfo& schema);

// Checks with gtest assertions that every reader of `source` returns the sample rows exactly.
void ExpectSampleRows(AirflowSource& source);

// Checks that every reader succeeds on a database without rows and returns nothing.
void ExpectEmpty(AirflowSource& source);

// A SQLite database file in a fresh temporary directory, removed with the object.
class TempSqliteDb {
 public:
  TempSqliteDb();
  ~TempSqliteDb();
  TempSqliteDb(const TempSqliteDb&) = delete;
  TempSqliteDb& operator=(const TempSqliteDb&) = delete;

  // A read-write connection (as the simulator or Airflow would have); nullptr on error
  // (recorded as a test failure).
  std::unique_ptr<db::Connection> Writer();
  // A read-only connection, as SLAyer opens it.
  std::unique_ptr<db::Connection> Reader();

 private:
  std::unique_ptr<db::Connection> Open(bool read_only);
  std::filesystem::path dir_;
};

}  // namespace slayer::airflow::testing

// SchemaInfo: what one Airflow metadata database is (release, alembic revision) and which of the
// columns that differ between Airflow 2.2 and 3.x it has. Detected once per connection by
// DetectSchema(); a plain value afterwards (thread-compatible). Facts:
// ../shared/airflow-schema/README.md sections 1 and 4; queries built from it: docs/queries.md.
#pragma once

#include <string>

#include "common/result.h"
#include "db/connection.h"
#include "db/dsn.h"

namespace slayer::airflow {

// Which shape the `deadline` table has, if any.
enum class DeadlineFlavor {
  kNone,  // no table (2.x)
  kV30,   // 3.0: naive `deadline` column, `dag_id`; nothing in Airflow writes it
  kV31,   // 3.1: `deadline_time`, `callback_state` (NULL = pending)
  kV32,   // 3.2: `missed` flag; callback state moved to the `callback` table
};

// "none", "3.0", "3.1", "3.2".
std::string_view DeadlineFlavorName(DeadlineFlavor flavor);

enum class DetectionMethod {
  kRevisionMap,  // alembic revision found in the release map (version.h)
  kProbing,      // unknown revision: family inferred from the columns present
};

struct SchemaInfo {
  db::Backend backend = db::Backend::kSqlite;
  std::string alembic_revision;  // as stored in alembic_version.version_num
  std::string airflow_version;   // "2.10.3" (lowest release with this head), or "unknown (3.x)"
  int major = 2;                 // 2 or 3
  DetectionMethod detected_by = DetectionMethod::kRevisionMap;

  // Feature flags, all from one column probe at connect. Queries use these, never the version,
  // so a fork or an upgraded database with an odd column set still reads correctly.
  bool dag_run_logical_date = false;  // 3.x name; else `execution_date` (2.x, NOT NULL)
  bool dag_run_run_after = false;     // 3.0+
  bool dag_run_updated_at = false;    // 2.5+
  // Indexes idx_dag_run_running_dags and idx_dag_run_queued_dags ((state, dag_id), partial on
  // PostgreSQL and SQLite) are both present. Airflow 2.x creates them; the 3.x reference DDL
  // has neither, so active runs are then found per DAG through dag_id_state.
  bool dag_run_state_indexes = false;
  bool dag_run_external_trigger = false;   // 2.x only
  bool dag_run_triggered_by = false;       // 3.0+
  bool task_instance_map_index = false;    // 2.3+
  bool task_instance_id = false;           // 3.0+ (UUID primary key)
  bool task_instance_updated_at = false;   // 2.5+
  bool dag_is_stale = false;               // 3.0+ (= NOT is_active); else `is_active`
  bool dag_timetable_summary = false;      // 3.0+; else `schedule_interval` (JSON text)
  bool dag_timetable_description = false;  // 2.3+
  bool dag_owners = false;
  bool dag_has_import_errors = false;  // 2.3+
  bool dag_deadline = false;           // 3.1+ (DeadlineAlert JSON on the dag row)
  bool sla_miss_table = false;         // 2.x (kept, unused, by a DB upgraded to 3.x)
  DeadlineFlavor deadline = DeadlineFlavor::kNone;
  bool serialized_dag_table = false;
  bool serialized_dag_data_compressed = false;  // 2.3+
  bool serialized_dag_versioned = false;        // 3.x: one row per dag_version (dag_version_id)
  bool slot_pool_include_deferred = false;      // 2.7+
  bool job_table = false;
  bool dag_tag_table = false;

  // The name of dag_run's logical date column: "logical_date" or "execution_date".
  std::string_view LogicalDateColumn() const {
    return dag_run_logical_date ? "logical_date" : "execution_date";
  }
};

// Reads `alembic_version`, probes the columns of the monitored tables with one query
// (information_schema.columns on PostgreSQL and MySQL, pragma_table_info on SQLite) and their
// indexes with another (pg_indexes, information_schema.statistics, sqlite_master). Errors:
//  - kFailedPrecondition "not an Airflow metadata database: table alembic_version is missing
//    (check that the database URL points at Airflow's database)", also when it is empty;
//  - kFailedPrecondition "Airflow 2.1.4 is not supported (2.2 or later needed)" for a listed
//    revision older than 2.2.0, or an unknown one without task_instance.run_id;
//  - kFailedPrecondition naming the missing tables when dag, dag_run or task_instance is absent;
//  - the connection's error (kUnavailable, kDeadlineExceeded, ...) with context.
// An unknown revision is not an error: the family comes from the columns ("unknown (3.x)").
Result<SchemaInfo> DetectSchema(db::Connection& connection);

}  // namespace slayer::airflow

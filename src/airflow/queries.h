// Every SQL statement SLAyer runs against an Airflow metadata database, one per concept: named
// constants, and small builders where a 2.x/3.x column name or an IN-list size varies. All are
// read-only, use `?` placeholders, and are portable across PostgreSQL, MySQL 8 / MariaDB and
// SQLite unless they take a db::Backend. Each touches an indexed, bounded set of rows; what each
// reads, its bound and its index are in docs/queries.md. Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "airflow/schema.h"
#include "db/dsn.h"

namespace slayer::airflow::queries {

// The most keys (ids, dag_ids, (dag_id, run_id) pairs) one statement binds; callers batch.
inline constexpr size_t kMaxKeysPerStatement = 500;

// --- Schema detection (schema.cc) ---

// Columns: version_num. One row.
inline constexpr std::string_view kAlembicRevision = "SELECT version_num FROM alembic_version";

// Columns: table_name, column_name, for the tables SLAyer reads. No parameters. PostgreSQL:
// information_schema of current_schema(); MySQL: of DATABASE(); SQLite: pragma_table_info.
std::string_view ProbeColumns(db::Backend backend);

// Columns: table_name, index_name, for the tables SLAyer reads. No parameters.
std::string_view ProbeIndexes(db::Backend backend);

// --- DAGs ---

// Every DAG, one row each (bounded by the number of DAGs; PK dag_pkey).
// Columns: dag_id, is_paused, is_active | is_stale, owners, schedule, timetable_description,
// next_dagrun, next_dagrun_data_interval_start, next_dagrun_data_interval_end,
// next_dagrun_create_after, fileloc, has_import_errors.
std::string Dags(const SchemaInfo& schema);

// Every dag_id (PK). Columns: dag_id.
inline constexpr std::string_view kDagIds = "SELECT d.dag_id FROM dag d";

// Every tag. Columns: dag_id, name.
inline constexpr std::string_view kDagTags = "SELECT t.dag_id, t.name FROM dag_tag t";

// --- DAG runs --- Columns of all: id, dag_id, run_id, logical_date, run_after,
// data_interval_start, data_interval_end, queued_at, start_date, end_date, state, run_type,
// external_trigger, triggered_by, updated_at (NULL where the version lacks the column).

// Runs in state running or queued (partial indexes idx_dag_run_running_dags /
// idx_dag_run_queued_dags; (state, dag_id) on MySQL). No parameters.
// REQUIRES: schema.dag_run_state_indexes.
std::string ActiveDagRuns(const SchemaInfo& schema);

// The same for a schema without those indexes: the running or queued runs of `n` DAGs
// (dag_id parameters) through dag_id_state (dag_id, state).
std::string ActiveDagRunsOfDags(const SchemaInfo& schema, size_t n);

// Runs by id: `n` id parameters (PK).
std::string DagRunsById(const SchemaInfo& schema, size_t n);

// Runs by key: `n` (dag_id, run_id) parameter pairs (unique dag_run_dag_id_run_id_key).
std::string DagRunsByKey(const SchemaInfo& schema, size_t n);

// Runs of `n` DAGs whose logical date is in [from, to), by DAG then oldest first. Parameters:
// n dag_ids, from, to (unique index on (dag_id, execution_date | logical_date): one range per
// DAG).
std::string DagRunsInWindow(const SchemaInfo& schema, size_t n);

// The id of the latest successful run of each of `n` DAGs (by execution_date on 2.x, run_after
// on 3.x; NULL when a DAG has none), one correlated LIMIT 1 sub-select per dag row (2.x: a
// backward scan of the unique (dag_id, execution_date) index that stops at the first success;
// 3.x: the successful runs of that one DAG, dag_id_state). Read the runs with DagRunsById.
// Columns: dag_id, id. Parameters: `n` dag_ids (PK of dag).
std::string LatestSuccessfulDagRunIds(const SchemaInfo& schema, size_t n);

// The keys of the runs of `n` DAGs whose logical date is in [from, to), at most `limit` rows, in
// no particular order (task analytics read the task instances of these runs). Columns: dag_id,
// run_id. Parameters: n dag_ids, from, to (unique index on (dag_id, execution_date |
// logical_date): one range per DAG). 3.x runs without a logical date are not included.
std::string DagRunKeysInWindow(const SchemaInfo& schema, size_t n, size_t limit);

// --- Task instances --- Columns: dag_id, task_id, run_id, map_index, id, state, try_number,
// max_tries, pool, queue, priority_weight, operator_name, queued_dttm, start_date, end_date,
// duration, hostname, updated_at.

// Every task instance of `n` runs: (dag_id, run_id) parameter pairs (index ti_dag_run).
std::string TaskInstancesOfRuns(const SchemaInfo& schema, size_t n);

// The unfinished (NULL or non-terminal state) task instances of `n` DAGs: dag_id parameters
// (index ti_dag_state).
std::string UnfinishedTaskInstances(const SchemaInfo& schema, size_t n);

// The finished task instances (success, failed, skipped, upstream_failed) of `n` runs: (dag_id,
// run_id) parameter pairs (index ti_dag_run). Columns: dag_id, task_id, run_id, map_index,
// state, try_number, queued_dttm, start_date, end_date.
std::string FinishedTaskInstanceTimings(const SchemaInfo& schema, size_t n);

// Unfinished task instances counted by state, pool and queue: an aggregate over index ti_state.
// Columns: state, pool, queue, n, pool_slots. No parameters.
std::string UnfinishedTaskInstanceCounts();

// --- Airflow 2.x SLA misses --- Columns: task_id, dag_id, execution_date, timestamp,
// email_sent, notification_sent, run_id. REQUIRES: schema.sla_miss_table.

// sla_miss rows of `n` DAGs with execution_date >= since. Parameters: `n` dag_ids, since
// (index sm_dag).
std::string SlaMisses(size_t n);

// The original SLAyer "open miss": sla_miss rows of `n` DAGs whose run exists and is not
// success and whose task has an instance in that run that is not success/skipped.
// Parameters: `n` dag_ids (sm_dag, then unique (dag_id, execution_date) and ti_state_lkp).
// REQUIRES: !schema.dag_run_logical_date (the 2.x join column).
std::string OpenSlaMisses(size_t n);

// --- Airflow 3.1+ deadlines --- Columns: id, dagrun_id, dag_id, run_id, deadline_time,
// callback_state, missed. REQUIRES: schema.deadline is kV31 or kV32.

// Rows Airflow has not acted on (3.1 callback_state IS NULL; 3.2 missed = false) with
// deadline_time in [from, to). Parameters: 3.1: from, to; 3.2: false, from, to
// (deadline_callback_state_time_idx / deadline_missed_deadline_time_idx).
std::string PendingDeadlines(const SchemaInfo& schema);

// Rows of `n` runs: dagrun_id parameters. deadline has no index on dagrun_id: this reads the
// deadline table, which Airflow keeps small by deleting the rows of runs that succeed.
std::string DeadlinesOfRuns(const SchemaInfo& schema, size_t n);

// Rows by id: `n` id parameters (PK; cast to uuid on PostgreSQL).
std::string DeadlinesById(const SchemaInfo& schema, size_t n);

// --- Jobs --- Columns: id, job_type, state, hostname, latest_heartbeat, start_date, end_date.

// Jobs in state running (index idx_job_state_heartbeat). No parameters.
inline constexpr std::string_view kRunningJobs =
    "SELECT j.id, j.job_type, j.state, j.hostname, j.latest_heartbeat, j.start_date, "
    "j.end_date FROM job j WHERE j.state = 'running'";

// Jobs of `n` job types with a heartbeat at or after `since`, whatever their state. Parameters:
// `n` job types, since (index job_type_heart).
std::string RecentJobs(size_t n);

// --- Pools and serialized DAGs ---

// Every pool (a handful of rows). Columns: name, slots, include_deferred.
std::string Pools(const SchemaInfo& schema);

// The serialized DAG of each of `n` DAGs: 2.x its row (PK dag_id); 3.x the row of its highest
// dag_version (unique (dag_id, version_number), then serialized_dag's unique dag_version_id).
// Columns: dag_id, data, data_compressed, last_updated, dag_hash, version_number.
// Parameters: `n` dag_ids. REQUIRES: schema.serialized_dag_table.
std::string SerializedDags(const SchemaInfo& schema, size_t n);

// --- Building blocks (exposed for tests) ---

// "?, ?, ?" for n = 3; "" for 0.
std::string Placeholders(size_t n);

}  // namespace slayer::airflow::queries

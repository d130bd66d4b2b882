#include "airflow/queries.h"

#include <cassert>

#include "airflow/task_instance_state.h"

namespace slayer::airflow::queries {
namespace {

// The tables SLAyer reads; the column probe covers exactly these.
#define SLAYER_PROBED_TABLES                                                                   \
  "('alembic_version', 'dag', 'dag_tag', 'dag_run', 'task_instance', 'sla_miss', 'deadline', " \
  "'job', 'slot_pool', 'serialized_dag', 'dag_version')"

constexpr std::string_view kProbePostgres =
    "SELECT table_name, column_name FROM information_schema.columns "
    "WHERE table_schema = current_schema() AND table_name IN " SLAYER_PROBED_TABLES;
constexpr std::string_view kProbeMysql =
    "SELECT table_name, column_name FROM information_schema.columns "
    "WHERE table_schema = DATABASE() AND table_name IN " SLAYER_PROBED_TABLES;
constexpr std::string_view kProbeSqlite =
    "SELECT m.name AS table_name, p.name AS column_name "
    "FROM sqlite_master AS m JOIN pragma_table_info(m.name) AS p "
    "WHERE m.type = 'table' AND m.name IN " SLAYER_PROBED_TABLES;
constexpr std::string_view kProbeIndexesPostgres =
    "SELECT tablename AS table_name, indexname AS index_name FROM pg_indexes "
    "WHERE schemaname = current_schema() AND tablename IN " SLAYER_PROBED_TABLES;
constexpr std::string_view kProbeIndexesMysql =
    "SELECT DISTINCT table_name, index_name FROM information_schema.statistics "
    "WHERE table_schema = DATABASE() AND table_name IN " SLAYER_PROBED_TABLES;
constexpr std::string_view kProbeIndexesSqlite =
    "SELECT tbl_name AS table_name, name AS index_name FROM sqlite_master "
    "WHERE type = 'index' AND tbl_name IN " SLAYER_PROBED_TABLES;
#undef SLAYER_PROBED_TABLES

std::string Column(bool present, std::string_view expr, std::string_view alias) {
  return std::string(present ? expr : "NULL") + " AS " + std::string(alias);
}

std::string DagRunColumns(const SchemaInfo& s) {
  return "SELECT dr.id, dr.dag_id, dr.run_id, dr." + std::string(s.LogicalDateColumn()) +
         " AS logical_date, " + Column(s.dag_run_run_after, "dr.run_after", "run_after") +
         ", dr.data_interval_start, dr.data_interval_end, dr.queued_at, dr.start_date, "
         "dr.end_date, dr.state, dr.run_type, " +
         Column(s.dag_run_external_trigger, "dr.external_trigger", "external_trigger") + ", " +
         Column(s.dag_run_triggered_by, "dr.triggered_by", "triggered_by") + ", " +
         Column(s.dag_run_updated_at, "dr.updated_at", "updated_at") + " FROM dag_run dr";
}

std::string TaskInstanceColumns(const SchemaInfo& s) {
  return "SELECT ti.dag_id, ti.task_id, ti.run_id, " +
         std::string(s.task_instance_map_index ? "ti.map_index" : "-1") + " AS map_index, " +
         Column(s.task_instance_id, "ti.id", "id") +
         ", ti.state, ti.try_number, ti.max_tries, ti.pool, ti.queue, ti.priority_weight, "
         "ti.operator AS operator_name, ti.queued_dttm, ti.start_date, ti.end_date, ti.duration, "
         "ti.hostname, " +
         Column(s.task_instance_updated_at, "ti.updated_at", "updated_at") +
         " FROM task_instance ti";
}

std::string DeadlineColumns(const SchemaInfo& s) {
  bool v32 = s.deadline == DeadlineFlavor::kV32;
  return "SELECT d.id, d.dagrun_id, dr.dag_id, dr.run_id, d.deadline_time, " +
         Column(!v32, "d.callback_state", "callback_state") + ", " +
         Column(v32, "d.missed", "missed") +
         " FROM deadline d LEFT JOIN dag_run dr ON dr.id = d.dagrun_id";
}

// "(a = ? AND b = ?) OR (a = ? AND b = ?)": portable, and each arm is an index equality
// lookup on every backend (row-value IN lists are not optimised by older MySQL).
std::string KeyPairs(std::string_view a, std::string_view b, size_t n) {
  assert(n > 0);
  std::string arm = "(" + std::string(a) + " = ? AND " + std::string(b) + " = ?)";
  std::string out;
  out.reserve(n * (arm.size() + 4));
  for (size_t i = 0; i < n; ++i) {
    if (i > 0) out += " OR ";
    out += arm;
  }
  return out;
}

std::string UnfinishedStateList() {
  std::string out = "(";
  bool first = true;
  for (std::string_view name : UnfinishedStateNames()) {
    out += first ? "'" : ", '";
    out += name;
    out += "'";
    first = false;
  }
  return out + ")";
}

}  // namespace

std::string Placeholders(size_t n) {
  std::string out;
  out.reserve(n * 3);
  for (size_t i = 0; i < n; ++i) out += i == 0 ? "?" : ", ?";
  return out;
}

std::string_view ProbeColumns(db::Backend backend) {
  switch (backend) {
    case db::Backend::kPostgres:
      return kProbePostgres;
    case db::Backend::kMysql:
      return kProbeMysql;
    case db::Backend::kSqlite:
      return kProbeSqlite;
  }
  return kProbeSqlite;
}

std::string_view ProbeIndexes(db::Backend backend) {
  switch (backend) {
    case db::Backend::kPostgres:
      return kProbeIndexesPostgres;
    case db::Backend::kMysql:
      return kProbeIndexesMysql;
    case db::Backend::kSqlite:
      return kProbeIndexesSqlite;
  }
  return kProbeIndexesSqlite;
}

std::string Dags(const SchemaInfo& s) {
  return "SELECT d.dag_id, d.is_paused, " +
         std::string(s.dag_is_stale ? "d.is_stale" : "d.is_active AS is_active") + ", " +
         Column(s.dag_owners, "d.owners", "owners") + ", " +
         std::string(s.dag_timetable_summary ? "d.timetable_summary" : "d.schedule_interval") +
         " AS schedule, " +
         Column(s.dag_timetable_description, "d.timetable_description", "timetable_description") +
         ", d.next_dagrun, d.next_dagrun_data_interval_start, d.next_dagrun_data_interval_end, "
         "d.next_dagrun_create_after, d.fileloc, " +
         Column(s.dag_has_import_errors, "d.has_import_errors", "has_import_errors") +
         " FROM dag d";
}

std::string ActiveDagRuns(const SchemaInfo& s) {
  // Two arms rather than `state IN (...)`: each arm's predicate matches a partial index
  // exactly, which PostgreSQL and SQLite need to use it.
  std::string cols = DagRunColumns(s);
  return cols + " WHERE dr.state = 'running' UNION ALL " + cols + " WHERE dr.state = 'queued'";
}

std::string ActiveDagRunsOfDags(const SchemaInfo& s, size_t n) {
  assert(n > 0);
  return DagRunColumns(s) + " WHERE dr.dag_id IN (" + Placeholders(n) +
         ") AND dr.state IN ('running', 'queued')";
}

std::string DagRunsById(const SchemaInfo& s, size_t n) {
  assert(n > 0);
  return DagRunColumns(s) + " WHERE dr.id IN (" + Placeholders(n) + ")";
}

std::string DagRunsByKey(const SchemaInfo& s, size_t n) {
  return DagRunColumns(s) + " WHERE " + KeyPairs("dr.dag_id", "dr.run_id", n);
}

std::string DagRunsInWindow(const SchemaInfo& s, size_t n) {
  assert(n > 0);
  std::string ld = "dr." + std::string(s.LogicalDateColumn());
  return DagRunColumns(s) + " WHERE dr.dag_id IN (" + Placeholders(n) + ") AND " + ld +
         " >= ? AND " + ld + " < ? ORDER BY dr.dag_id, " + ld;
}

std::string DagRunKeysInWindow(const SchemaInfo& s, size_t n, size_t limit) {
  assert(n > 0 && limit > 0);
  // No ORDER BY: the caller only needs the set, and sorting would read every run of the window
  // before the LIMIT could stop the scan. The limit is a literal: MySQL takes no placeholder
  // there in every client mode.
  std::string ld = "dr." + std::string(s.LogicalDateColumn());
  return "SELECT dr.dag_id, dr.run_id FROM dag_run dr WHERE dr.dag_id IN (" + Placeholders(n) +
         ") AND " + ld + " >= ? AND " + ld + " < ? LIMIT " + std::to_string(limit);
}

std::string LatestSuccessfulDagRunIds(const SchemaInfo& s, size_t n) {
  assert(n > 0);
  // A scalar sub-select runs once per dag row on every backend, so each DAG costs one short
  // index scan; a join or window function could be planned over all of dag_run. 3.x orders by
  // run_after: logical_date may be NULL, and NULLs sort first in descending order on PostgreSQL.
  std::string order =
      s.dag_run_run_after ? "x.run_after" : "x." + std::string(s.LogicalDateColumn());
  return "SELECT d.dag_id, (SELECT x.id FROM dag_run x WHERE x.dag_id = d.dag_id AND "
         "x.state = 'success' ORDER BY " +
         order + " DESC LIMIT 1) AS id FROM dag d WHERE d.dag_id IN (" + Placeholders(n) + ")";
}

std::string TaskInstancesOfRuns(const SchemaInfo& s, size_t n) {
  return TaskInstanceColumns(s) + " WHERE " + KeyPairs("ti.dag_id", "ti.run_id", n);
}

std::string UnfinishedTaskInstances(const SchemaInfo& s, size_t n) {
  assert(n > 0);
  return TaskInstanceColumns(s) + " WHERE ti.dag_id IN (" + Placeholders(n) +
         ") AND (ti.state IN " + UnfinishedStateList() + " OR ti.state IS NULL)";
}

std::string FinishedTaskInstanceTimings(const SchemaInfo& s, size_t n) {
  // `removed` is finished too, but a task that left the DAG has no outcome to count.
  return "SELECT ti.dag_id, ti.task_id, ti.run_id, " +
         std::string(s.task_instance_map_index ? "ti.map_index" : "-1") +
         " AS map_index, ti.state, ti.try_number, ti.queued_dttm, ti.start_date, ti.end_date "
         "FROM task_instance ti WHERE (" +
         KeyPairs("ti.dag_id", "ti.run_id", n) +
         ") AND ti.state IN ('success', 'failed', 'skipped', 'upstream_failed')";
}

std::string UnfinishedTaskInstanceCounts() {
  return "SELECT ti.state, ti.pool, ti.queue, COUNT(*) AS n, SUM(ti.pool_slots) AS pool_slots "
         "FROM task_instance ti WHERE ti.state IN " +
         UnfinishedStateList() + " OR ti.state IS NULL GROUP BY ti.state, ti.pool, ti.queue";
}

std::string SlaMisses(size_t n) {
  assert(n > 0);
  return "SELECT sm.task_id, sm.dag_id, sm.execution_date, sm.timestamp, sm.email_sent, "
         "sm.notification_sent, NULL AS run_id FROM sla_miss sm WHERE sm.dag_id IN (" +
         Placeholders(n) + ") AND sm.execution_date >= ?";
}

std::string OpenSlaMisses(size_t n) {
  assert(n > 0);
  // Correlated scalar sub-selects rather than joins: every backend runs them as one unique-index
  // probe per sla_miss row (dag_run by (dag_id, execution_date), task_instance by ti_state_lkp),
  // where a join may be planned as a hash join over a full scan of dag_run. COUNT(*) > 0, not a
  // join: a mapped task has one instance per map index, and a miss must still appear once.
  return "SELECT m.task_id, m.dag_id, m.execution_date, m.timestamp, m.email_sent, "
         "m.notification_sent, m.run_id FROM (SELECT sm.task_id, sm.dag_id, sm.execution_date, "
         "sm.timestamp, sm.email_sent, sm.notification_sent, (SELECT dr.run_id FROM dag_run dr "
         "WHERE dr.dag_id = sm.dag_id AND dr.execution_date = sm.execution_date AND "
         "dr.state <> 'success') AS run_id FROM sla_miss sm WHERE sm.dag_id IN (" +
         Placeholders(n) +
         ")) m WHERE m.run_id IS NOT NULL AND (SELECT COUNT(*) FROM task_instance ti "
         "WHERE ti.dag_id = m.dag_id AND ti.task_id = m.task_id AND ti.run_id = m.run_id AND "
         "(ti.state IS NULL OR ti.state NOT IN ('success', 'skipped'))) > 0";
}

std::string PendingDeadlines(const SchemaInfo& s) {
  std::string pending =
      s.deadline == DeadlineFlavor::kV32 ? "d.missed = ?" : "d.callback_state IS NULL";
  return DeadlineColumns(s) + " WHERE " + pending +
         " AND d.deadline_time >= ? AND d.deadline_time < ?";
}

std::string DeadlinesOfRuns(const SchemaInfo& s, size_t n) {
  assert(n > 0);
  return DeadlineColumns(s) + " WHERE d.dagrun_id IN (" + Placeholders(n) + ")";
}

std::string DeadlinesById(const SchemaInfo& s, size_t n) {
  assert(n > 0);
  std::string marks;
  if (s.backend == db::Backend::kPostgres) {
    // A uuid column: text parameters must not be compared as text.
    for (size_t i = 0; i < n; ++i) marks += i == 0 ? "CAST(? AS uuid)" : ", CAST(? AS uuid)";
  } else {
    marks = Placeholders(n);
  }
  return DeadlineColumns(s) + " WHERE d.id IN (" + marks + ")";
}

std::string RecentJobs(size_t n) {
  assert(n > 0);
  return "SELECT j.id, j.job_type, j.state, j.hostname, j.latest_heartbeat, j.start_date, "
         "j.end_date FROM job j WHERE j.job_type IN (" +
         Placeholders(n) + ") AND j.latest_heartbeat >= ?";
}

std::string Pools(const SchemaInfo& s) {
  return "SELECT p.pool AS name, p.slots, " +
         Column(s.slot_pool_include_deferred, "p.include_deferred", "include_deferred") +
         " FROM slot_pool p";
}

std::string SerializedDags(const SchemaInfo& s, size_t n) {
  assert(n > 0);
  std::string compressed =
      Column(s.serialized_dag_data_compressed, "sd.data_compressed", "data_compressed");
  if (!s.serialized_dag_versioned) {
    return "SELECT sd.dag_id, sd.data, " + compressed +
           ", sd.last_updated, sd.dag_hash, NULL AS version_number FROM serialized_dag sd "
           "WHERE sd.dag_id IN (" +
           Placeholders(n) + ")";
  }
  return "SELECT sd.dag_id, sd.data, " + compressed +
         ", sd.last_updated, sd.dag_hash, dv.version_number FROM dag_version dv "
         "JOIN serialized_dag sd ON sd.dag_version_id = dv.id WHERE dv.dag_id IN (" +
         Placeholders(n) +
         ") AND dv.version_number = (SELECT MAX(v2.version_number) FROM dag_version v2 "
         "WHERE v2.dag_id = dv.dag_id)";
}

}  // namespace slayer::airflow::queries

#include "airflow/schema.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <vector>

#include "airflow/queries.h"
#include "airflow/version.h"

namespace slayer::airflow {
namespace {

using ColumnMap = std::map<std::string, std::set<std::string>, std::less<>>;

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

Result<ColumnMap> ProbeColumns(db::Connection& connection) {
  auto rs = connection.Query(queries::ProbeColumns(connection.backend()));
  if (!rs) return rs.error().WithContext("cannot list the columns of Airflow's tables");
  ColumnMap columns;
  for (size_t i = 0; i < rs->num_rows(); ++i) {
    auto table = rs->row(i).Require<std::string>(0);
    if (!table) return table.error();
    auto column = rs->row(i).Require<std::string>(1);
    if (!column) return column.error();
    columns[Lower(std::move(*table))].insert(Lower(std::move(*column)));
  }
  return columns;
}

Result<std::set<std::string>> ProbeIndexes(db::Connection& connection) {
  auto rs = connection.Query(queries::ProbeIndexes(connection.backend()));
  if (!rs) return rs.error().WithContext("cannot list the indexes of Airflow's tables");
  std::set<std::string> indexes;
  for (size_t i = 0; i < rs->num_rows(); ++i) {
    auto table = rs->row(i).Require<std::string>(0);
    if (!table) return table.error();
    auto index = rs->row(i).Require<std::string>(1);
    if (!index) return index.error();
    indexes.insert(Lower(std::move(*table)) + "." + Lower(std::move(*index)));
  }
  return indexes;
}

bool Has(const ColumnMap& columns, std::string_view table, std::string_view column) {
  auto it = columns.find(table);
  return it != columns.end() && it->second.count(std::string(column)) > 0;
}

bool HasTable(const ColumnMap& columns, std::string_view table) {
  return columns.find(table) != columns.end();
}

}  // namespace

std::string_view DeadlineFlavorName(DeadlineFlavor flavor) {
  switch (flavor) {
    case DeadlineFlavor::kNone:
      return "none";
    case DeadlineFlavor::kV30:
      return "3.0";
    case DeadlineFlavor::kV31:
      return "3.1";
    case DeadlineFlavor::kV32:
      return "3.2";
  }
  return "none";
}

Result<SchemaInfo> DetectSchema(db::Connection& connection) {
  SchemaInfo info;
  info.backend = connection.backend();
  auto probed = ProbeColumns(connection);
  if (!probed) return probed.error();
  const ColumnMap& columns = *probed;

  if (!HasTable(columns, "alembic_version")) {
    return FailedPreconditionError(
        "not an Airflow metadata database: table alembic_version is missing (check that the "
        "database URL points at Airflow's database)");
  }
  auto rs = connection.Query(queries::kAlembicRevision);
  if (!rs) return rs.error().WithContext("cannot read alembic_version");
  std::vector<std::string> revisions;
  for (size_t i = 0; i < rs->num_rows(); ++i) {
    auto r = rs->row(i).Get<std::string>(0);
    if (!r) return r.error();
    if (r->has_value() && !(*r)->empty()) revisions.push_back(**r);
  }
  if (revisions.empty()) {
    return FailedPreconditionError(
        "not an Airflow metadata database: table alembic_version is empty (Airflow's "
        "migrations never completed; check that the database URL points at Airflow's "
        "database, or run `airflow db migrate`)");
  }
  // Airflow keeps one row; should there be more (branches), prefer one we know.
  info.alembic_revision = revisions.front();
  for (const std::string& r : revisions) {
    if (VersionForRevision(r)) {
      info.alembic_revision = r;
      break;
    }
  }
  std::optional<AirflowVersion> version = VersionForRevision(info.alembic_revision);
  if (version && *version < kMinimumSupportedVersion) {
    return FailedPreconditionError("Airflow " + version->ToString() +
                                   " is not supported (2.2 or later needed)");
  }

  std::string missing;
  for (std::string_view table : {"dag", "dag_run", "task_instance"}) {
    if (HasTable(columns, table)) continue;
    missing += (missing.empty() ? "" : ", ") + std::string(table);
  }
  if (!missing.empty()) {
    return FailedPreconditionError("not a complete Airflow metadata database (alembic revision " +
                                   info.alembic_revision + "): missing tables " + missing);
  }
  if (!Has(columns, "task_instance", "run_id")) {
    return FailedPreconditionError(
        "Airflow older than 2.2 is not supported (2.2 or later needed): task_instance has no "
        "run_id column (alembic revision " +
        info.alembic_revision + ")");
  }

  info.dag_run_logical_date = Has(columns, "dag_run", "logical_date");
  if (!info.dag_run_logical_date && !Has(columns, "dag_run", "execution_date")) {
    return FailedPreconditionError("unsupported Airflow schema (alembic revision " +
                                   info.alembic_revision +
                                   "): dag_run has neither logical_date nor execution_date");
  }
  auto indexes = ProbeIndexes(connection);
  if (!indexes) return indexes.error();
  info.dag_run_state_indexes = indexes->count("dag_run.idx_dag_run_running_dags") > 0 &&
                               indexes->count("dag_run.idx_dag_run_queued_dags") > 0;
  info.dag_run_run_after = Has(columns, "dag_run", "run_after");
  info.dag_run_updated_at = Has(columns, "dag_run", "updated_at");
  info.dag_run_external_trigger = Has(columns, "dag_run", "external_trigger");
  info.dag_run_triggered_by = Has(columns, "dag_run", "triggered_by");
  info.task_instance_map_index = Has(columns, "task_instance", "map_index");
  info.task_instance_id = Has(columns, "task_instance", "id");
  info.task_instance_updated_at = Has(columns, "task_instance", "updated_at");
  info.dag_is_stale = Has(columns, "dag", "is_stale");
  info.dag_timetable_summary = Has(columns, "dag", "timetable_summary");
  info.dag_timetable_description = Has(columns, "dag", "timetable_description");
  info.dag_owners = Has(columns, "dag", "owners");
  info.dag_has_import_errors = Has(columns, "dag", "has_import_errors");
  info.dag_deadline = Has(columns, "dag", "deadline");
  info.sla_miss_table = HasTable(columns, "sla_miss");
  if (Has(columns, "deadline", "missed")) {
    info.deadline = DeadlineFlavor::kV32;
  } else if (Has(columns, "deadline", "deadline_time")) {
    info.deadline = DeadlineFlavor::kV31;
  } else if (HasTable(columns, "deadline")) {
    info.deadline = DeadlineFlavor::kV30;
  }
  info.serialized_dag_table = HasTable(columns, "serialized_dag");
  info.serialized_dag_data_compressed = Has(columns, "serialized_dag", "data_compressed");
  info.serialized_dag_versioned =
      Has(columns, "serialized_dag", "dag_version_id") && HasTable(columns, "dag_version");
  info.slot_pool_include_deferred = Has(columns, "slot_pool", "include_deferred");
  info.job_table = HasTable(columns, "job");
  info.dag_tag_table = HasTable(columns, "dag_tag");

  if (version) {
    info.detected_by = DetectionMethod::kRevisionMap;
    info.major = version->major;
    info.airflow_version = version->ToString();
  } else {
    info.detected_by = DetectionMethod::kProbing;
    info.major = info.dag_run_logical_date ? 3 : 2;
    info.airflow_version = "unknown (" + std::to_string(info.major) + ".x)";
  }
  return info;
}

}  // namespace slayer::airflow

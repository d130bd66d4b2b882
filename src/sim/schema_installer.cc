#include "sim/schema_installer.h"

#include <algorithm>

#include "common/time.h"
#include "sim/schema_ddl.h"

namespace slayer::sim {
namespace {

// The text Airflow 2.10 / 3.x puts into log_template at `airflow db migrate`
// (airflow.utils.db.synchronize_log_template with the default [logging] settings).
constexpr char kLogFilenameTemplate[] =
    "dag_id={{ ti.dag_id }}/run_id={{ ti.run_id }}/task_id={{ ti.task_id }}/"
    "{% if ti.map_index >= 0 %}map_index={{ ti.map_index }}/{% endif %}"
    "attempt={{ try_number|default(ti.try_number) }}.log";
constexpr char kElasticsearchIdTemplate[] = "{dag_id}-{task_id}-{run_id}-{map_index}-{try_number}";

std::string QuoteIdent(db::Backend backend, const std::string& name) {
  if (backend == db::Backend::kMysql) return "`" + name + "`";
  return "\"" + name + "\"";
}

}  // namespace

const std::vector<std::string>& AirflowTableNames() {
  static const auto* names = new std::vector<std::string>{
      "deadline", "task_instance", "sla_miss",   "serialized_dag", "dag_run", "dag_version",
      "dag_tag",  "dag",           "dag_bundle", "slot_pool",      "team",    "job",
      "trigger",  "log_template",  "backfill",   "alembic_version"};
  return *names;
}

Result<std::vector<std::string>> ExistingAirflowTables(db::Connection& conn) {
  std::string sql;
  switch (conn.backend()) {
    case db::Backend::kPostgres:
      sql =
          "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()";
      break;
    case db::Backend::kMysql:
      sql = "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()";
      break;
    case db::Backend::kSqlite:
      sql = "SELECT name FROM sqlite_master WHERE type = 'table'";
      break;
  }
  auto rs = conn.Query(sql);
  if (!rs) return rs.error().WithContext("list tables");
  std::vector<std::string> found;
  const auto& known = AirflowTableNames();
  for (size_t i = 0; i < rs->num_rows(); ++i) {
    auto name = rs->row(i).Get<std::string>(0);
    if (!name || !name->has_value()) continue;
    std::string n = **name;
    std::transform(n.begin(), n.end(), n.begin(), [](unsigned char c) { return std::tolower(c); });
    if (std::find(known.begin(), known.end(), n) != known.end()) found.push_back(n);
  }
  std::sort(found.begin(), found.end());
  return found;
}

Status InstallSchema(db::Connection& conn, AirflowVersion version, bool reset, Timestamp now) {
  auto ddl = SchemaDdl(version, conn.backend());
  if (!ddl) return ddl.error();
  auto existing = ExistingAirflowTables(conn);
  if (!existing) return existing.error();
  if (!existing->empty()) {
    if (!reset) {
      std::string list;
      for (const auto& t : *existing) list += (list.empty() ? "" : ", ") + t;
      return FailedPreconditionError("the database already holds Airflow tables (" + list +
                                     "); use --reset to drop them first");
    }
    const db::Backend b = conn.backend();
    if (b == db::Backend::kMysql) {
      SLAYER_RETURN_IF_ERROR(conn.Execute("SET FOREIGN_KEY_CHECKS = 0").status());
    } else if (b == db::Backend::kSqlite) {
      SLAYER_RETURN_IF_ERROR(conn.Execute("PRAGMA foreign_keys = OFF").status());
    }
    for (const auto& t : *existing) {
      std::string sql = "DROP TABLE IF EXISTS " + QuoteIdent(b, t);
      if (b == db::Backend::kPostgres) sql += " CASCADE";
      Status st = conn.Execute(sql).status();
      if (!st.ok()) return st.WithContext("drop table " + t);
    }
    if (b == db::Backend::kMysql) {
      SLAYER_RETURN_IF_ERROR(conn.Execute("SET FOREIGN_KEY_CHECKS = 1").status());
    } else if (b == db::Backend::kSqlite) {
      SLAYER_RETURN_IF_ERROR(conn.Execute("PRAGMA foreign_keys = ON").status());
    }
  }
  for (const std::string& stmt : SplitSqlStatements(*ddl)) {
    Status st = conn.Execute(stmt).status();
    if (!st.ok())
      return st.WithContext("create Airflow " + std::string(AirflowVersionName(version)) +
                            " schema");
  }
  // What `airflow db migrate` adds to a fresh database besides the tables.
  Status st = conn.Execute(
                      "INSERT INTO log_template (id, filename, elasticsearch_id, created_at) "
                      "VALUES (?, ?, ?, ?)",
                      {1, kLogFilenameTemplate, kElasticsearchIdTemplate, now})
                  .status();
  if (!st.ok()) return st.WithContext("insert log_template");
  std::string pool_sql =
      "INSERT INTO slot_pool (id, pool, slots, description, include_deferred) VALUES (?, ?, ?, ?, "
      "?)";
  st = conn.Execute(pool_sql, {1, "default_pool", 128, "Default pool", false}).status();
  if (!st.ok()) return st.WithContext("insert default_pool");
  return SyncIdSequences(conn);
}

Status SyncIdSequences(db::Connection& conn) {
  if (conn.backend() != db::Backend::kPostgres) return Status::Ok();
  for (const char* table : {"dag_run", "job", "log_template", "slot_pool", "trigger", "backfill"}) {
    auto exists = conn.Query("SELECT to_regclass(?)::text", {table});
    if (!exists) return exists.error();
    if (exists->num_rows() == 0 || exists->row(0).IsNull(0)) continue;
    std::string t = table;
    auto rs = conn.Query("SELECT setval(pg_get_serial_sequence('" + t + "', 'id'), " +
                         "COALESCE((SELECT MAX(id) FROM \"" + t + "\"), 0) + 1, false)");
    if (!rs) return rs.error().WithContext("sync the id sequence of " + t);
  }
  return Status::Ok();
}

}  // namespace slayer::sim

#include "sim/airflow_version.h"

namespace slayer::sim {

Result<AirflowVersion> ParseAirflowVersion(std::string_view text) {
  if (text == "2" || text == "2.10" || text == "2.11") return AirflowVersion::kV2;
  if (text == "3.0") return AirflowVersion::kV3_0;
  if (text == "3" || text == "3.1") return AirflowVersion::kV3_1;
  return InvalidArgumentError("unknown Airflow version '" + std::string(text) +
                              "' (expected 2, 3.0 or 3.1)");
}

std::string_view AirflowVersionName(AirflowVersion v) {
  switch (v) {
    case AirflowVersion::kV2:
      return "2.10";
    case AirflowVersion::kV3_0:
      return "3.0";
    case AirflowVersion::kV3_1:
      return "3.1";
  }
  return "?";
}

Result<std::string> SchemaFileName(AirflowVersion v, db::Backend backend) {
  std::string suffix;
  switch (backend) {
    case db::Backend::kPostgres:
      suffix = "postgres";
      break;
    case db::Backend::kMysql:
      suffix = "mysql";
      break;
    case db::Backend::kSqlite:
      suffix = "sqlite";
      break;
  }
  switch (v) {
    case AirflowVersion::kV2:
      return "airflow-2-" + suffix + ".sql";
    case AirflowVersion::kV3_1:
      return "airflow-3-" + suffix + ".sql";
    case AirflowVersion::kV3_0:
      if (backend == db::Backend::kMysql) {
        return InvalidArgumentError(
            "Airflow 3.0 on MySQL/MariaDB is not supported: there is no 3.0 MySQL schema; use "
            "--airflow 3.1 or another database");
      }
      return "airflow-3.0-" + suffix + ".sql";
  }
  return InternalError("unknown Airflow version");
}

}  // namespace slayer::sim

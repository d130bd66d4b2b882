// AirflowVersion: the Airflow schema the simulator writes (2.10, 3.0 or 3.1), and the facts that
// follow from it: schema family, alembic head, which DDL file to run. Pure functions.
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"
#include "db/dsn.h"

namespace slayer::sim {

enum class AirflowVersion {
  kV2,    // 2.10.3 .. 2.11.x (alembic head 5f2621c13b39): execution_date, sla_miss
  kV3_0,  // 3.0.x: logical_date, run_after, dag_version; deadline table unused
  kV3_1,  // 3.1.0 .. 3.1.7: as 3.0 plus dag.deadline and deadline rows
};

// Parses "2", "2.10", "2.11", "3.0", "3.1"; anything else is kInvalidArgument.
Result<AirflowVersion> ParseAirflowVersion(std::string_view text);

// "2.10", "3.0", "3.1".
std::string_view AirflowVersionName(AirflowVersion v);

// True for 3.0 and 3.1 (the 3.x schema family).
inline bool IsAirflow3(AirflowVersion v) { return v != AirflowVersion::kV2; }

// The name of the embedded DDL file for this version and backend ("airflow-2-postgres.sql"), or
// kInvalidArgument for a combination that has none (3.0 on MySQL/MariaDB).
Result<std::string> SchemaFileName(AirflowVersion v, db::Backend backend);

}  // namespace slayer::sim

// Creates Airflow's metadata schema in a database, as `airflow db migrate` leaves a fresh one:
// the tables of the embedded DDL, the alembic_version row, a log_template row and default_pool.
// Not thread-safe (uses one connection).
#pragma once

#include <string>
#include <vector>

#include "common/result.h"
#include "common/time.h"
#include "db/connection.h"
#include "sim/airflow_version.h"

namespace slayer::sim {

// Every table the embedded DDL files create, in an order that drops cleanly.
const std::vector<std::string>& AirflowTableNames();

// The Airflow tables that exist in the connected database (any of AirflowTableNames()).
Result<std::vector<std::string>> ExistingAirflowTables(db::Connection& conn);

// Creates the schema. When Airflow tables already exist: kFailedPrecondition naming them, unless
// `reset`, which drops them first (all of them: every Airflow table of any version).
// `now` stamps the log_template row. REQUIRES: a connection opened with read_only = false.
Status InstallSchema(db::Connection& conn, AirflowVersion version, bool reset, Timestamp now);

// PostgreSQL only (a no-op elsewhere): moves each serial id sequence of the Airflow tables past
// the largest id in its table, since the simulator writes explicit ids.
Status SyncIdSequences(db::Connection& conn);

}  // namespace slayer::sim

#include "db/postgres_connection.h"

namespace slayer::db {

// Being written (issue #2); replaced by the real driver before this lands.
Result<std::unique_ptr<Connection>> OpenPostgres(const Dsn& dsn, const ConnectOptions&) {
  return FailedPreconditionError("driver not built: " + dsn.ToString());
}

}  // namespace slayer::db

#include "db/connect.h"

#include "db/mysql_connection.h"
#include "db/postgres_connection.h"
#include "db/sqlite_connection.h"

namespace slayer::db {

Result<std::unique_ptr<Connection>> Connect(const Dsn& dsn, const ConnectOptions& options) {
  switch (dsn.backend) {
    case Backend::kPostgres: return OpenPostgres(dsn, options);
    case Backend::kMysql: return OpenMysql(dsn, options);
    case Backend::kSqlite: return OpenSqlite(dsn, options);
  }
  return InternalError("unknown backend");
}

}  // namespace slayer::db

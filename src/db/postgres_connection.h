// The Postgres driver of Connection (db/connection.h), on libpq. Internal to db/: use Connect().
#pragma once

#include <memory>

#include "common/result.h"
#include "db/connection.h"

namespace slayer::db {

Result<std::unique_ptr<Connection>> OpenPostgres(const Dsn& dsn, const ConnectOptions& options);

}  // namespace slayer::db

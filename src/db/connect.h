// Opens a Connection to the database a Dsn names, with the right driver. Thread-safe.
#pragma once

#include <memory>

#include "common/result.h"
#include "db/connection.h"
#include "db/dsn.h"

namespace slayer::db {

// Errors are one line that names the redacted DSN, what failed and what to do:
// kUnavailable (unreachable, refused, timeout), kPermissionDenied (wrong password),
// kNotFound (no such database or file).
Result<std::unique_ptr<Connection>> Connect(const Dsn& dsn, const ConnectOptions& options);

}  // namespace slayer::db

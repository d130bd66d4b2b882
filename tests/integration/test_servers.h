// Test helpers for the real database servers that scripts/test-servers.sh starts (the CTest
// fixture `test_servers`): where they are, and fresh empty databases on them. Thread-safe.
// Tests that use them FAIL when the servers are not running: CI must never skip silently.
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"
#include "db/dsn.h"

namespace slayer::testing {

// The directory the servers run from: $SLAYER_TEST_SERVERS_DIR, else the build's test-servers/.
std::string TestServersDir();

// The administrator DSN of the running server (user slayer, a superuser / ALL PRIVILEGES),
// read from <TestServersDir()>/postgres.dsn or mariadb.dsn. For kSqlite: a fresh empty database
// file, as CreateTestDatabase(kSqlite, "slayer_test"). Error (kUnavailable) naming the file and
// the command to start the servers when they are not running.
Result<db::Dsn> TestServerDsn(db::Backend backend);

// (Re)creates an empty database `name` on the server (DROP IF EXISTS + CREATE; MariaDB with
// utf8mb4) and returns a DSN for it as user slayer. For kSqlite: a new empty file in a
// per-process temp directory. `name` must match [a-z0-9_]{1,60}; give each test its own name so
// tests can run in parallel.
Result<db::Dsn> CreateTestDatabase(db::Backend backend, std::string_view name);

}  // namespace slayer::testing

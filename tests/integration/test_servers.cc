#include "integration/test_servers.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "db/connect.h"

#ifndef SLAYER_TEST_SERVERS_DIR_DEFAULT
#error "SLAYER_TEST_SERVERS_DIR_DEFAULT must be defined by the build (tests/CMakeLists.txt)"
#endif

namespace slayer::testing {
namespace {

bool ValidName(std::string_view name) {
  if (name.empty() || name.size() > 60) return false;
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

Result<db::Dsn> FreshSqliteDatabase(std::string_view name) {
  std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("slayer-test-" + std::to_string(::getpid()));
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return UnavailableError("cannot create " + dir.string() + ": " + ec.message());
  std::filesystem::path file = dir / (std::string(name) + ".db");
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
    std::filesystem::remove(file.string() + suffix, ec);
  }
  SLAYER_ASSIGN_OR_RETURN(db::Dsn dsn, db::Dsn::Parse("sqlite://" + file.string()));
  // Creates the file, so that read-only connections can open it too.
  db::ConnectOptions options;
  options.read_only = false;
  SLAYER_ASSIGN_OR_RETURN(auto conn, db::Connect(dsn, options));
  return dsn;
}

}  // namespace

std::string TestServersDir() {
  const char* env = std::getenv("SLAYER_TEST_SERVERS_DIR");
  return env != nullptr && *env != '\0' ? std::string(env)
                                        : std::string(SLAYER_TEST_SERVERS_DIR_DEFAULT);
}

Result<db::Dsn> TestServerDsn(db::Backend backend) {
  if (backend == db::Backend::kSqlite) return FreshSqliteDatabase("slayer_test");
  const std::string dir = TestServersDir();
  const std::string file =
      dir + (backend == db::Backend::kPostgres ? "/postgres.dsn" : "/mariadb.dsn");
  std::ifstream in(file);
  std::string line;
  if (!in || !std::getline(in, line) || line.empty()) {
    return UnavailableError("test database servers are not running (no " + file +
                            "): run `scripts/test-servers.sh start " + dir +
                            "`, or run the tests through ctest, whose test_servers fixture "
                            "starts them");
  }
  auto dsn = db::Dsn::Parse(line);
  if (!dsn) return dsn.error().WithContext(file);
  return dsn;
}

Result<db::Dsn> CreateTestDatabase(db::Backend backend, std::string_view name) {
  if (!ValidName(name)) {
    return InvalidArgumentError("test database name '" + std::string(name) +
                                "' must match [a-z0-9_]{1,60}");
  }
  if (backend == db::Backend::kSqlite) return FreshSqliteDatabase(name);
  SLAYER_ASSIGN_OR_RETURN(db::Dsn admin, TestServerDsn(backend));
  db::ConnectOptions options;
  options.read_only = false;
  options.statement_timeout = std::chrono::seconds(60);
  SLAYER_ASSIGN_OR_RETURN(auto conn, db::Connect(admin, options));
  const std::string n(name);
  if (backend == db::Backend::kPostgres) {
    // FORCE: a connection left over from an earlier, crashed run must not block the drop.
    SLAYER_RETURN_IF_ERROR(conn->ExecuteScript("DROP DATABASE IF EXISTS " + n + " WITH (FORCE)"));
    SLAYER_RETURN_IF_ERROR(conn->ExecuteScript("CREATE DATABASE " + n + " ENCODING 'UTF8'"));
  } else {
    SLAYER_RETURN_IF_ERROR(conn->ExecuteScript("DROP DATABASE IF EXISTS " + n));
    SLAYER_RETURN_IF_ERROR(conn->ExecuteScript(
        "CREATE DATABASE " + n + " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"));
  }
  db::Dsn dsn = admin;
  dsn.database = n;
  return dsn;
}

}  // namespace slayer::testing

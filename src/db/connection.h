// Connection: one session with an Airflow metadata database (PostgreSQL, MySQL/MariaDB or
// SQLite), read-only unless opened for writing by the simulator. Not thread-safe: use one
// connection per thread. Drivers: postgres_connection.cc, mysql_connection.cc,
// sqlite_connection.cc; open one with Connect() (db/connect.h).
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "db/dsn.h"
#include "db/param.h"
#include "db/result_set.h"

namespace slayer::db {

struct ConnectOptions {
  // How long to wait for the server to accept us. Default 5 s.
  std::chrono::milliseconds connect_timeout{5000};
  // Server-side limit for one statement (PostgreSQL statement_timeout, MariaDB
  // max_statement_time, MySQL max_execution_time, SQLite progress handler). 0 = none. Default 10 s.
  std::chrono::milliseconds statement_timeout{10000};
  // A read-only session (PostgreSQL default_transaction_read_only, MySQL SESSION TRANSACTION
  // READ ONLY, SQLite SQLITE_OPEN_READONLY). Only the simulator and test fixtures set false.
  bool read_only = true;
};

class Connection {
 public:
  virtual ~Connection() = default;
  Connection() = default;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  virtual Backend backend() const = 0;

  // Runs one statement. `sql` uses `?` placeholders (never inside string literals), bound in
  // order to `params`. Timestamps come back in UTC. Errors: kDeadlineExceeded on statement
  // timeout, kUnavailable when the connection is lost (reconnect by opening a new one),
  // kNotFound for a missing table or column, kInvalidArgument for other SQL errors.
  virtual Result<ResultSet> Query(std::string_view sql, const std::vector<Param>& params = {}) = 0;

  // Runs a statement that returns no rows; returns the number of rows affected.
  virtual Result<int64_t> Execute(std::string_view sql, const std::vector<Param>& params = {}) = 0;

  // Inserts many rows fast (PostgreSQL COPY, multi-row INSERT on MySQL, one prepared statement
  // on SQLite), inside the caller's transaction if one is open. Every row has columns.size()
  // values. REQUIRES: a connection opened with read_only = false.
  virtual Status InsertRows(std::string_view table, const std::vector<std::string>& columns,
                            const std::vector<std::vector<Param>>& rows) = 0;

  // Runs a script of several statements separated by ';' (DDL files). Writers only.
  virtual Status ExecuteScript(std::string_view sql) = 0;
};

}  // namespace slayer::db

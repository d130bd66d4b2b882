// Dsn: where a database is and how to log in, parsed from a URL. The password is kept for the
// driver but never printed: ToString() redacts it. A value type; thread-compatible.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "common/result.h"

namespace slayer::db {

enum class Backend { kPostgres, kMysql, kSqlite };

// "postgresql", "mysql", "sqlite".
std::string_view BackendName(Backend backend);

struct Dsn {
  Backend backend = Backend::kSqlite;
  std::string user;      // percent-decoded; empty = driver default
  std::string password;  // percent-decoded; never logged
  std::string host;      // empty = driver default (local socket)
  int port = 0;          // 0 = driver default (5432, 3306)
  std::string database;  // database name; for SQLite the absolute file path
  // Query parameters, e.g. sslmode=require, connect_timeout=5, socket=/run/mysqld/mysqld.sock.
  std::map<std::string, std::string> params;

  // Accepts:
  //   postgresql://user:pass@host:5432/db?sslmode=require   (also postgres://)
  //   mysql://user:pass@host:3306/db                         (also mariadb://, mysql+mysqldb://)
  //   sqlite:////abs/path/airflow.db  or  sqlite:///abs/path/airflow.db  (SQLAlchemy style)
  // Errors say what is wrong and show the DSN with its password redacted.
  static Result<Dsn> Parse(std::string_view text);

  // The DSN as a URL with the password replaced by "***"; safe for logs and errors.
  std::string ToString() const;
};

}  // namespace slayer::db

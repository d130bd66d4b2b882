// The schema of the SQLite store as an ordered list of migrations (docs/store.md). Migration N
// turns a version N-1 store into a version N store; SqliteStore applies the ones a file lacks
// and records each in schema_migrations. Constant data; thread-safe.
#pragma once

#include <span>
#include <string_view>

namespace slayer::store {

struct Migration {
  int version;                   // 1, 2, ...: consecutive, never reused
  std::string_view description;  // what it changes, for logs
  std::string_view sql;          // a script of ';'-separated statements
};

// Every migration this SLAyer knows, oldest first. Never edit a released migration: append one.
std::span<const Migration> SqliteMigrations();

// The version a store has after every known migration.
int LatestSqliteSchemaVersion();

}  // namespace slayer::store

// Test helpers for src/sim: fresh writable SQLite databases in a per-process temp directory,
// and queries returning rows as text for easy comparison. Not thread-safe.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "db/connect.h"

namespace slayer::sim::testing {

inline std::unique_ptr<db::Connection> OpenTempSqlite(const std::string& name) {
  std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("slayer-sim-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::filesystem::path file = dir / (name + ".db");
  std::filesystem::remove(file);
  auto dsn = db::Dsn::Parse("sqlite:///" + file.string());
  EXPECT_TRUE(dsn) << dsn.status().ToString();
  db::ConnectOptions options;
  options.read_only = false;
  auto conn = db::Connect(*dsn, options);
  EXPECT_TRUE(conn) << conn.status().ToString();
  return conn ? std::move(*conn) : nullptr;
}

// Every row of `sql`, each as its cells joined by '|' (NULL as "NULL").
inline std::vector<std::string> Rows(db::Connection& conn, const std::string& sql,
                                     const std::vector<db::Param>& params = {}) {
  auto rs = conn.Query(sql, params);
  EXPECT_TRUE(rs) << sql << ": " << rs.status().ToString();
  std::vector<std::string> out;
  if (!rs) return out;
  for (size_t i = 0; i < rs->num_rows(); ++i) {
    std::string line;
    for (size_t c = 0; c < rs->num_columns(); ++c) {
      auto v = rs->row(i).Raw(c);
      line += (c ? "|" : "") + (v ? std::string(*v) : std::string("NULL"));
    }
    out.push_back(line);
  }
  return out;
}

inline int64_t Count(db::Connection& conn, const std::string& sql,
                     const std::vector<db::Param>& params = {}) {
  auto rows = Rows(conn, sql, params);
  return rows.empty() ? -1 : std::stoll(rows[0]);
}

}  // namespace slayer::sim::testing

#include "db/postgres_connection.h"

#include <gtest/gtest.h>

#include <cctype>
#include <chrono>
#include <string>

#include "db/connect.h"
#include "integration/silent_listener.h"
#include "integration/test_servers.h"

// Integration tests against the real PostgreSQL that the `test_servers` fixture starts.
namespace slayer::db {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

class PostgresConnectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string name = "slayer_pg_";
    for (char c : std::string(::testing::UnitTest::GetInstance()->current_test_info()->name())) {
      name.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    }
    auto dsn = testing::CreateTestDatabase(Backend::kPostgres, name.substr(0, 60));
    ASSERT_TRUE(dsn) << dsn.error().message();
    dsn_ = *dsn;
  }

  std::unique_ptr<Connection> Open(bool read_only,
                                   milliseconds statement_timeout = milliseconds(10000)) {
    ConnectOptions o;
    o.read_only = read_only;
    o.statement_timeout = statement_timeout;
    auto c = Connect(dsn_, o);
    EXPECT_TRUE(c) << c.error().message();
    return c ? std::move(*c) : nullptr;
  }

  Dsn dsn_;
};

TEST_F(PostgresConnectionTest, WritesAndReadsTypedValuesWithNulls) {
  auto w = Open(false);
  ASSERT_TRUE(w);
  ASSERT_TRUE(w->ExecuteScript("CREATE TABLE t (id INTEGER, name VARCHAR(50), at TIMESTAMPTZ, "
                               "ok BOOLEAN, d DOUBLE PRECISION, b BYTEA, big BIGINT)")
                  .ok());
  Timestamp at = *ParseTimestamp("2024-01-02 02:04:05.123456");
  const std::string odd = "tab\there\nnew line \\ back'slash \"q\" ? é";
  ASSERT_TRUE(
      w->InsertRows(
           "t", {"id", "name", "at", "ok", "d", "b", "big"},
           {{1, odd, at, true, 1.5, Param::Blob(std::string("\0x", 2)), int64_t{1} << 40},
            {2, std::nullopt, std::nullopt, false, std::nullopt, std::nullopt, std::nullopt}})
          .ok());
  // Execute binds the same types through parameters.
  auto n = w->Execute("INSERT INTO t (id, name, at, ok, d, b, big) VALUES (?, ?, ?, ?, ?, ?, ?)",
                      {3, odd, at, true, 0.1, Param::Blob("\xff\\"), int64_t{-7}});
  ASSERT_TRUE(n) << n.error().message();
  EXPECT_EQ(*n, 1);

  auto r = Open(true);
  ASSERT_TRUE(r);
  auto rs = r->Query("SELECT id, name, at, ok, d, b, big FROM t WHERE id >= ? ORDER BY id", {1});
  ASSERT_TRUE(rs) << rs.error().message();
  ASSERT_EQ(rs->num_rows(), 3u);
  EXPECT_EQ(rs->columns()[2], "at");
  EXPECT_EQ(*rs->row(0).Require<int64_t>(0), 1);
  EXPECT_EQ(*rs->row(0).Require<std::string>(1), odd);
  EXPECT_EQ(*rs->row(0).Require<Timestamp>(2), at);
  EXPECT_TRUE(*rs->row(0).Require<bool>(3));
  EXPECT_EQ(*rs->row(0).Require<double>(4), 1.5);
  EXPECT_EQ(*rs->row(0).Raw(5), std::string_view("\0x", 2));
  EXPECT_EQ(*rs->row(0).Require<int64_t>(6), int64_t{1} << 40);
  for (size_t c = 1; c < 7; ++c) {
    if (c == 3) continue;
    EXPECT_TRUE(rs->row(1).IsNull(c)) << c;
  }
  EXPECT_FALSE(*rs->row(1).Require<bool>(3));
  EXPECT_EQ(*rs->row(2).Require<std::string>(1), odd);
  EXPECT_EQ(*rs->row(2).Require<double>(4), 0.1);
  EXPECT_EQ(*rs->row(2).Raw(5), "\xff\\");
  EXPECT_EQ(*rs->row(2).Require<int64_t>(6), -7);

  // A timestamp parameter compares with timestamptz values as UTC.
  auto later = r->Query("SELECT count(*) AS n FROM t WHERE at >= ?", {at});
  ASSERT_TRUE(later) << later.error().message();
  EXPECT_EQ(*later->row(0).Require<int64_t>(0), 2);
  // Placeholders inside quoted text and comments are not parameters.
  auto quoted =
      r->Query("SELECT '?' AS a, \"id\" AS \"b?\", ? AS c -- ?\nFROM t WHERE id = 1", {"x"});
  ASSERT_TRUE(quoted) << quoted.error().message();
  EXPECT_EQ(*quoted->row(0).Require<std::string>(0), "?");
  EXPECT_EQ(*quoted->row(0).Require<std::string>(2), "x");
  EXPECT_EQ(quoted->columns()[1], "b?");
}

TEST_F(PostgresConnectionTest, BlobsRoundTripEveryByte) {
  auto w = Open(false);
  ASSERT_TRUE(w);
  ASSERT_TRUE(w->ExecuteScript("CREATE TABLE blobs (id INTEGER, b BYTEA)").ok());
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  std::string big(1 << 20, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>((i * 7919) >> 3);
  ASSERT_TRUE(w->InsertRows("blobs", {"id", "b"},
                            {{1, Param::Blob(all)}, {2, Param::Blob("")}, {3, Param::Blob(big)}})
                  .ok());
  ASSERT_TRUE(w->Execute("INSERT INTO blobs VALUES (?, ?)", {4, Param::Blob(all)}));
  auto rs = Open(true)->Query("SELECT id, b FROM blobs ORDER BY id");
  ASSERT_TRUE(rs) << rs.error().message();
  ASSERT_EQ(rs->num_rows(), 4u);
  EXPECT_EQ(*rs->row(0).Raw(1), all);
  EXPECT_EQ(*rs->row(1).Raw(1), "");
  EXPECT_FALSE(rs->row(1).IsNull(1));
  EXPECT_EQ(*rs->row(2).Raw(1), big);
  EXPECT_EQ(*rs->row(3).Raw(1), all);
}

TEST_F(PostgresConnectionTest, InsertRowsCopiesThousandsOfRows) {
  auto w = Open(false);
  ASSERT_TRUE(w);
  ASSERT_TRUE(w->ExecuteScript("CREATE TABLE ti (dag_id VARCHAR(250), task_id VARCHAR(250), "
                               "try_number INTEGER, start_date TIMESTAMPTZ, duration FLOAT, "
                               "note TEXT, ok BOOLEAN)")
                  .ok());
  const int kRows = 5000;
  Timestamp base = *ParseTimestamp("2024-03-01T00:00:00Z");
  std::vector<std::vector<Param>> rows;
  for (int i = 0; i < kRows; ++i) {
    rows.push_back({"dag_" + std::to_string(i % 17), "task\t" + std::to_string(i), i,
                    base + std::chrono::seconds(i), i % 3 == 0 ? Param() : Param(i / 4.0),
                    i % 5 == 0 ? Param("line1\nline2\\") : Param(), i % 2 == 0});
  }
  ASSERT_TRUE(
      w->InsertRows(
           "ti", {"dag_id", "task_id", "try_number", "start_date", "duration", "note", "ok"}, rows)
          .ok());
  auto r = Open(true);
  auto count = r->Query("SELECT count(*), count(duration), count(note) FROM ti");
  ASSERT_TRUE(count) << count.error().message();
  EXPECT_EQ(*count->row(0).Require<int64_t>(0), kRows);
  EXPECT_EQ(*count->row(0).Require<int64_t>(1), kRows - (kRows + 2) / 3);
  EXPECT_EQ(*count->row(0).Require<int64_t>(2), kRows / 5);
  auto row = r->Query(
      "SELECT dag_id, task_id, start_date, duration, note, ok FROM ti WHERE try_number = ?",
      {4000});
  ASSERT_TRUE(row) << row.error().message();
  ASSERT_EQ(row->num_rows(), 1u);
  EXPECT_EQ(*row->row(0).Require<std::string>(0), "dag_5");
  EXPECT_EQ(*row->row(0).Require<std::string>(1), "task\t4000");
  EXPECT_EQ(*row->row(0).Require<Timestamp>(2), base + std::chrono::seconds(4000));
  EXPECT_EQ(*row->row(0).Require<double>(3), 1000.0);
  EXPECT_EQ(*row->row(0).Require<std::string>(4), "line1\nline2\\");
  EXPECT_TRUE(*row->row(0).Require<bool>(5));
}

TEST_F(PostgresConnectionTest, InsertRowsRejectsRowsOfTheWrongWidthAndStaysUsable) {
  auto w = Open(false);
  ASSERT_TRUE(w);
  ASSERT_TRUE(w->ExecuteScript("CREATE TABLE t (a INTEGER, b INTEGER)").ok());
  Status st = w->InsertRows("t", {"a", "b"}, {{1, 2}, {3}});
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << st.message();
  Status bad_type = w->InsertRows("t", {"a", "b"}, {{"x", 2}});
  EXPECT_EQ(bad_type.code(), StatusCode::kInvalidArgument) << bad_type.message();
  auto n = w->Query("SELECT count(*) FROM t");
  ASSERT_TRUE(n) << n.error().message();
  EXPECT_EQ(*n->row(0).Require<int64_t>(0), 0);
}

TEST_F(PostgresConnectionTest, TimestampsWrittenInAnotherTimeZoneReadBackInUtc) {
  auto w = Open(false);
  ASSERT_TRUE(w);
  ASSERT_TRUE(w->ExecuteScript("CREATE TABLE ts (at TIMESTAMPTZ)").ok());
  // A writer whose session is not UTC, like an Airflow host with a local TimeZone setting.
  ASSERT_TRUE(w->ExecuteScript("SET TIME ZONE 'America/New_York'; "
                               "INSERT INTO ts VALUES ('2024-01-02 03:04:05+01'); "
                               "SET TIME ZONE 'UTC'")
                  .ok());
  auto rs = Open(true)->Query("SELECT at, at::text FROM ts");
  ASSERT_TRUE(rs) << rs.error().message();
  EXPECT_EQ(*rs->row(0).Require<Timestamp>(0), *ParseTimestamp("2024-01-02T02:04:05Z"));
  EXPECT_EQ(*rs->row(0).Require<std::string>(1), "2024-01-02 02:04:05+00");
}

TEST_F(PostgresConnectionTest, StatementTimeoutIsDeadlineExceeded) {
  auto c = Open(true, milliseconds(200));
  ASSERT_TRUE(c);
  auto start = steady_clock::now();
  auto rs = c->Query("SELECT pg_sleep(5)");
  auto took = steady_clock::now() - start;
  ASSERT_FALSE(rs);
  EXPECT_EQ(rs.error().code(), StatusCode::kDeadlineExceeded) << rs.error().message();
  EXPECT_NE(rs.error().message().find("200 ms"), std::string::npos) << rs.error().message();
  EXPECT_LT(took, std::chrono::seconds(2));
  // The session survives a cancelled statement.
  auto ok = c->Query("SELECT 1");
  EXPECT_TRUE(ok) << ok.error().message();
}

TEST_F(PostgresConnectionTest, ReadOnlySessionRefusesWrites) {
  auto w = Open(false);
  ASSERT_TRUE(w);
  ASSERT_TRUE(w->ExecuteScript("CREATE TABLE t (id INTEGER)").ok());
  auto r = Open(true);
  ASSERT_TRUE(r);
  auto st = r->Execute("INSERT INTO t VALUES (1)");
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code(), StatusCode::kPermissionDenied) << st.error().message();
  // Only the default is read-only: PostgreSQL lets a session opt out with BEGIN READ WRITE, so
  // the real guarantee is a role with SELECT only (docs). SLAyer itself never does that.
  auto n = w->Query("SELECT count(*) FROM t");
  ASSERT_TRUE(n);
  EXPECT_EQ(*n->row(0).Require<int64_t>(0), 0);
}

TEST_F(PostgresConnectionTest, LostConnectionIsUnavailable) {
  auto victim = Open(true);
  ASSERT_TRUE(victim);
  auto pid = victim->Query("SELECT pg_backend_pid()");
  ASSERT_TRUE(pid) << pid.error().message();
  auto killer = Open(false);
  ASSERT_TRUE(killer);
  ASSERT_TRUE(killer->Query("SELECT pg_terminate_backend(?)", {*pid->row(0).Require<int64_t>(0)}));
  auto rs = victim->Query("SELECT 1");
  ASSERT_FALSE(rs);
  EXPECT_EQ(rs.error().code(), StatusCode::kUnavailable) << rs.error().message();
  EXPECT_EQ(rs.error().message().find('\n'), std::string::npos) << rs.error().message();
}

TEST_F(PostgresConnectionTest, WrongPasswordIsPermissionDeniedAndRedacted) {
  Dsn dsn = dsn_;
  dsn.password = "not-the-password-4711";
  auto c = Connect(dsn, {});
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code(), StatusCode::kPermissionDenied) << c.error().message();
  EXPECT_EQ(c.error().message().find("not-the-password-4711"), std::string::npos);
  EXPECT_NE(c.error().message().find("***"), std::string::npos) << c.error().message();
  EXPECT_EQ(c.error().message().find('\n'), std::string::npos) << c.error().message();
}

TEST_F(PostgresConnectionTest, ClosedPortIsUnavailableFast) {
  Dsn dsn = dsn_;
  dsn.port = testing::UnusedTcpPort();
  ASSERT_NE(dsn.port, 0);
  auto start = steady_clock::now();
  auto c = Connect(dsn, {});
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code(), StatusCode::kUnavailable) << c.error().message();
  EXPECT_LT(steady_clock::now() - start, std::chrono::seconds(2));
  EXPECT_NE(c.error().message().find("check the host and port"), std::string::npos)
      << c.error().message();
  EXPECT_EQ(c.error().message().find('\n'), std::string::npos) << c.error().message();
}

TEST_F(PostgresConnectionTest, SilentServerTimesOutInsteadOfHanging) {
  testing::SilentListener listener;
  ASSERT_NE(listener.port(), 0);
  Dsn dsn = dsn_;
  dsn.port = listener.port();
  ConnectOptions o;
  o.connect_timeout = std::chrono::seconds(1);
  auto start = steady_clock::now();
  auto c = Connect(dsn, o);
  auto took = steady_clock::now() - start;
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code(), StatusCode::kUnavailable) << c.error().message();
  EXPECT_LT(took, std::chrono::milliseconds(3500));
}

TEST_F(PostgresConnectionTest, UnknownDatabaseIsNotFound) {
  Dsn dsn = dsn_;
  dsn.database = "no_such_database_here";
  auto c = Connect(dsn, {});
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code(), StatusCode::kNotFound) << c.error().message();
  EXPECT_NE(c.error().message().find("no_such_database_here"), std::string::npos);
}

TEST_F(PostgresConnectionTest, MissingTableOrColumnIsNotFound) {
  auto c = Open(true);
  ASSERT_TRUE(c);
  auto table = c->Query("SELECT * FROM dag_run");
  ASSERT_FALSE(table);
  EXPECT_EQ(table.error().code(), StatusCode::kNotFound) << table.error().message();
  EXPECT_NE(table.error().message().find("dag_run"), std::string::npos);
  auto column = c->Query("SELECT no_such_column FROM pg_class");
  ASSERT_FALSE(column);
  EXPECT_EQ(column.error().code(), StatusCode::kNotFound) << column.error().message();
  auto syntax = c->Query("SELEKT 1");
  ASSERT_FALSE(syntax);
  EXPECT_EQ(syntax.error().code(), StatusCode::kInvalidArgument) << syntax.error().message();
}

TEST_F(PostgresConnectionTest, PlaceholderCountMismatchIsAnError) {
  auto c = Open(true);
  ASSERT_TRUE(c);
  auto rs = c->Query("SELECT ?, ?", {1});
  ASSERT_FALSE(rs);
  EXPECT_EQ(rs.error().code(), StatusCode::kInvalidArgument);
}

TEST_F(PostgresConnectionTest, DsnParametersArePassedToLibpq) {
  Dsn dsn = dsn_;
  dsn.params["sslmode"] = "disable";
  dsn.params["application_name"] = "slayer_test_app";
  auto c = Connect(dsn, {});
  ASSERT_TRUE(c) << c.error().message();
  auto rs = (*c)->Query(
      "SELECT current_setting('application_name'), current_setting('TimeZone'), "
      "current_setting('default_transaction_read_only')");
  ASSERT_TRUE(rs) << rs.error().message();
  EXPECT_EQ(*rs->row(0).Require<std::string>(0), "slayer_test_app");
  EXPECT_EQ(*rs->row(0).Require<std::string>(1), "UTC");
  EXPECT_EQ(*rs->row(0).Require<std::string>(2), "on");

  dsn.params["no_such_libpq_keyword"] = "1";
  auto bad = Connect(dsn, {});
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message().find("no_such_libpq_keyword"), std::string::npos)
      << bad.error().message();
}

}  // namespace
}  // namespace slayer::db

#include "db/mysql_connection.h"

#include <gtest/gtest.h>

#include <cctype>
#include <chrono>
#include <string>

#include "db/connect.h"
#include "integration/silent_listener.h"
#include "integration/test_servers.h"

// Integration tests against the real MariaDB that the `test_servers` fixture starts.
namespace slayer::db {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

class MysqlConnectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string name = "slayer_my_";
    for (char c : std::string(::testing::UnitTest::GetInstance()->current_test_info()->name())) {
      name.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    }
    auto dsn = testing::CreateTestDatabase(Backend::kMysql, name.substr(0, 60));
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

TEST_F(MysqlConnectionTest, WritesAndReadsTypedValuesWithNulls) {
  auto w = Open(false);
  ASSERT_TRUE(w);
  ASSERT_TRUE(
      w->ExecuteScript("CREATE TABLE t (id INTEGER, name VARCHAR(50), at TIMESTAMP(6) NULL, "
                       "ok BOOLEAN, d DOUBLE, b BLOB, big BIGINT)")
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
      r->Query("SELECT '?', `id` AS `b?`, ? AS c, '\\' ?' AS d -- ?\nFROM t WHERE id = 1", {"x"});
  ASSERT_TRUE(quoted) << quoted.error().message();
  EXPECT_EQ(*quoted->row(0).Require<std::string>(0), "?");
  EXPECT_EQ(*quoted->row(0).Require<std::string>(2), "x");
  EXPECT_EQ(quoted->columns()[1], "b?");
  EXPECT_EQ(*quoted->row(0).Require<std::string>(3), "' ?");
}

TEST_F(MysqlConnectionTest, BlobsRoundTripEveryByte) {
  auto w = Open(false);
  ASSERT_TRUE(w);
  ASSERT_TRUE(w->ExecuteScript("CREATE TABLE blobs (id INTEGER, b LONGBLOB)").ok());
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

TEST_F(MysqlConnectionTest, InsertRowsCopiesThousandsOfRows) {
  auto w = Open(false);
  ASSERT_TRUE(w);
  ASSERT_TRUE(w->ExecuteScript("CREATE TABLE ti (dag_id VARCHAR(250), task_id VARCHAR(250), "
                               "try_number INTEGER, start_date TIMESTAMP(6) NULL, duration DOUBLE, "
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

TEST_F(MysqlConnectionTest, InsertRowsRejectsRowsOfTheWrongWidthAndStaysUsable) {
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

TEST_F(MysqlConnectionTest, TimestampsReadBackUnchangedInUtc) {
  auto w = Open(false);
  ASSERT_TRUE(w);
  // Airflow's UtcDateTime column on MySQL (airflow-schema README section 2).
  ASSERT_TRUE(w->ExecuteScript("CREATE TABLE ts (id INTEGER, at TIMESTAMP(6) NULL)").ok());
  Timestamp at = *ParseTimestamp("2024-01-02T02:04:05.123456Z");
  ASSERT_TRUE(w->Execute("INSERT INTO ts VALUES (1, ?)", {at}));
  // A writer under time_zone '+00:00' sending naive UTC text, as Airflow does.
  ASSERT_TRUE(w->ExecuteScript("SET time_zone = '+00:00'; "
                               "INSERT INTO ts VALUES (2, '2024-01-02 02:04:05.123456')")
                  .ok());
  // The same instant written by a session in another time zone.
  ASSERT_TRUE(w->ExecuteScript("SET time_zone = '+01:00'; "
                               "INSERT INTO ts VALUES (3, '2024-01-02 03:04:05.123456'); "
                               "SET time_zone = '+00:00'")
                  .ok());
  auto rs = Open(true)->Query(
      "SELECT at, UNIX_TIMESTAMP(at), @@session.time_zone FROM ts "
      "ORDER BY id");
  ASSERT_TRUE(rs) << rs.error().message();
  ASSERT_EQ(rs->num_rows(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(*rs->row(i).Require<std::string>(0), "2024-01-02 02:04:05.123456") << i;
    EXPECT_EQ(*rs->row(i).Require<Timestamp>(0), at) << i;
    EXPECT_EQ(*rs->row(i).Require<std::string>(1), "1704161045.123456") << i;
  }
  EXPECT_EQ(*rs->row(0).Require<std::string>(2), "+00:00");
}

TEST_F(MysqlConnectionTest, StatementTimeoutIsDeadlineExceeded) {
  auto c = Open(true, milliseconds(200));
  ASSERT_TRUE(c);
  auto start = steady_clock::now();
  auto rs = c->Query("SELECT SLEEP(5)");
  auto took = steady_clock::now() - start;
  ASSERT_FALSE(rs);
  EXPECT_EQ(rs.error().code(), StatusCode::kDeadlineExceeded) << rs.error().message();
  EXPECT_NE(rs.error().message().find("200 ms"), std::string::npos) << rs.error().message();
  EXPECT_LT(took, std::chrono::seconds(2));
  // The session survives a cancelled statement.
  auto ok = c->Query("SELECT 1");
  EXPECT_TRUE(ok) << ok.error().message();
}

TEST_F(MysqlConnectionTest, ReadOnlySessionRefusesWrites) {
  auto w = Open(false);
  ASSERT_TRUE(w);
  ASSERT_TRUE(w->ExecuteScript("CREATE TABLE t (id INTEGER)").ok());
  auto r = Open(true);
  ASSERT_TRUE(r);
  auto st = r->Execute("INSERT INTO t VALUES (1)");
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code(), StatusCode::kPermissionDenied) << st.error().message();
  // Only the default is read-only: START TRANSACTION READ WRITE opts out, so the real
  // guarantee is a user with SELECT only (docs). SLAyer itself never does that.
  auto n = w->Query("SELECT count(*) FROM t");
  ASSERT_TRUE(n);
  EXPECT_EQ(*n->row(0).Require<int64_t>(0), 0);
}

TEST_F(MysqlConnectionTest, LostConnectionIsUnavailable) {
  auto victim = Open(true);
  ASSERT_TRUE(victim);
  auto id = victim->Query("SELECT CONNECTION_ID()");
  ASSERT_TRUE(id) << id.error().message();
  auto killer = Open(false);
  ASSERT_TRUE(killer);
  ASSERT_TRUE(killer->Execute("KILL CONNECTION ?", {*id->row(0).Require<int64_t>(0)}));
  auto rs = victim->Query("SELECT 1");
  ASSERT_FALSE(rs);
  EXPECT_EQ(rs.error().code(), StatusCode::kUnavailable) << rs.error().message();
  EXPECT_EQ(rs.error().message().find('\n'), std::string::npos) << rs.error().message();
}

TEST_F(MysqlConnectionTest, WrongPasswordIsPermissionDeniedAndRedacted) {
  Dsn dsn = dsn_;
  dsn.password = "not-the-password-4711";
  auto c = Connect(dsn, {});
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code(), StatusCode::kPermissionDenied) << c.error().message();
  EXPECT_EQ(c.error().message().find("not-the-password-4711"), std::string::npos);
  EXPECT_NE(c.error().message().find("***"), std::string::npos) << c.error().message();
  EXPECT_EQ(c.error().message().find('\n'), std::string::npos) << c.error().message();
}

TEST_F(MysqlConnectionTest, ClosedPortIsUnavailableFast) {
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

TEST_F(MysqlConnectionTest, SilentServerTimesOutInsteadOfHanging) {
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

TEST_F(MysqlConnectionTest, UnknownDatabaseIsNotFound) {
  Dsn dsn = dsn_;
  dsn.database = "no_such_database_here";
  auto c = Connect(dsn, {});
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code(), StatusCode::kNotFound) << c.error().message();
  EXPECT_NE(c.error().message().find("no_such_database_here"), std::string::npos);
}

TEST_F(MysqlConnectionTest, MissingTableOrColumnIsNotFound) {
  auto c = Open(true);
  ASSERT_TRUE(c);
  auto table = c->Query("SELECT * FROM dag_run");
  ASSERT_FALSE(table);
  EXPECT_EQ(table.error().code(), StatusCode::kNotFound) << table.error().message();
  EXPECT_NE(table.error().message().find("dag_run"), std::string::npos);
  auto column = c->Query("SELECT no_such_column FROM mysql.user");
  ASSERT_FALSE(column);
  EXPECT_EQ(column.error().code(), StatusCode::kNotFound) << column.error().message();
  auto syntax = c->Query("SELEKT 1");
  ASSERT_FALSE(syntax);
  EXPECT_EQ(syntax.error().code(), StatusCode::kInvalidArgument) << syntax.error().message();
}

TEST_F(MysqlConnectionTest, PlaceholderCountMismatchIsAnError) {
  auto c = Open(true);
  ASSERT_TRUE(c);
  auto rs = c->Query("SELECT ?, ?", {1});
  ASSERT_FALSE(rs);
  EXPECT_EQ(rs.error().code(), StatusCode::kInvalidArgument);
}

TEST_F(MysqlConnectionTest, SessionIsUtcReadOnlyAndHasTheStatementTimeout) {
  auto c = Open(true, milliseconds(1500));
  ASSERT_TRUE(c);
  auto rs = c->Query(
      "SELECT @@session.time_zone, @@session.max_statement_time, "
      "@@session.tx_read_only, @@character_set_client");
  ASSERT_TRUE(rs) << rs.error().message();
  EXPECT_EQ(*rs->row(0).Require<std::string>(0), "+00:00");
  EXPECT_EQ(*rs->row(0).Require<double>(1), 1.5);
  EXPECT_TRUE(*rs->row(0).Require<bool>(2));
  EXPECT_EQ(*rs->row(0).Require<std::string>(3), "utf8mb4");
}

TEST_F(MysqlConnectionTest, DsnParameters) {
  Dsn dsn = dsn_;
  dsn.params["charset"] = "utf8mb4";
  dsn.params["ssl_mode"] = "DISABLED";
  auto c = Connect(dsn, {});
  ASSERT_TRUE(c) << c.error().message();

  dsn.params["no_such_option"] = "1";
  auto bad = Connect(dsn, {});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.error().message().find("no_such_option"), std::string::npos)
      << bad.error().message();
}

TEST_F(MysqlConnectionTest, ScriptsRunEveryStatementAndReportTheFirstError) {
  auto w = Open(false);
  ASSERT_TRUE(w);
  ASSERT_TRUE(w->ExecuteScript("CREATE TABLE s (id INTEGER); INSERT INTO s VALUES (1); "
                               "SELECT * FROM s; INSERT INTO s VALUES (2);")
                  .ok());
  Status st = w->ExecuteScript(
      "INSERT INTO s VALUES (3); INSERT INTO nope VALUES (1); "
      "INSERT INTO s VALUES (4)");
  EXPECT_EQ(st.code(), StatusCode::kNotFound) << st.message();
  auto n = w->Query("SELECT count(*) FROM s");
  ASSERT_TRUE(n) << n.error().message();
  EXPECT_EQ(*n->row(0).Require<int64_t>(0), 3);
  // Outside scripts one call is one statement.
  auto two = w->Query("SELECT 1; SELECT 2");
  ASSERT_FALSE(two);
  EXPECT_EQ(two.error().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace slayer::db

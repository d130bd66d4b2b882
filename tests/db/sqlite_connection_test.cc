#include "db/sqlite_connection.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "db/connect.h"

namespace slayer::db {
namespace {

class SqliteConnectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("slayer-sqlite-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    dsn_ = *Dsn::Parse("sqlite://" + (dir_ / "airflow.db").string());
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::unique_ptr<Connection> Open(bool read_only) {
    ConnectOptions o;
    o.read_only = read_only;
    auto c = Connect(dsn_, o);
    EXPECT_TRUE(c) << c.error().message();
    return c ? std::move(*c) : nullptr;
  }

  std::filesystem::path dir_;
  Dsn dsn_;
};

TEST_F(SqliteConnectionTest, WritesAndReadsTypedValuesWithNulls) {
  auto w = Open(false);
  ASSERT_TRUE(w->ExecuteScript(
                   "CREATE TABLE t (id INTEGER, name VARCHAR(10), at TIMESTAMP, ok BOOLEAN, "
                   "d FLOAT, b BLOB)")
                  .ok());
  Timestamp at = *ParseTimestamp("2024-01-02 02:04:05.000000");
  ASSERT_TRUE(w->InsertRows("t", {"id", "name", "at", "ok", "d", "b"},
                            {{1, "a", at, true, 1.5, Param::Blob(std::string("\0x", 2))},
                             {2, std::nullopt, std::nullopt, false, std::nullopt, std::nullopt}})
                  .ok());
  auto r = Open(true);
  auto rs = r->Query("SELECT id, name, at, ok, d, b FROM t WHERE id >= ? ORDER BY id", {1});
  ASSERT_TRUE(rs) << rs.error().message();
  ASSERT_EQ(rs->num_rows(), 2u);
  EXPECT_EQ(*rs->row(0).Require<int64_t>(0), 1);
  EXPECT_EQ(*rs->row(0).Require<Timestamp>(2), at);
  EXPECT_TRUE(*rs->row(0).Require<bool>(3));
  EXPECT_EQ(*rs->row(0).Raw(5), std::string_view("\0x", 2));
  EXPECT_TRUE(rs->row(1).IsNull(1));
  EXPECT_FALSE(rs->row(1).Get<Timestamp>(2)->has_value());
  // A timestamp parameter compares as Airflow's stored text does.
  auto later = r->Query("SELECT count(*) AS n FROM t WHERE at >= ?", {at});
  ASSERT_TRUE(later);
  EXPECT_EQ(*later->row(0).Require<int64_t>(0), 1);
}

TEST_F(SqliteConnectionTest, ReadOnlySessionRefusesWrites) {
  Open(false)->ExecuteScript("CREATE TABLE t (id INTEGER)").ok();
  auto r = Open(true);
  auto st = r->Execute("INSERT INTO t VALUES (1)");
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code(), StatusCode::kPermissionDenied) << st.error().message();
}

TEST_F(SqliteConnectionTest, MissingFileAndTableAreClearErrors) {
  auto missing = Connect(*Dsn::Parse("sqlite:///nonexistent/dir/airflow.db"), {});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.error().message().find("/nonexistent/dir/airflow.db"), std::string::npos);

  Open(false);
  auto no_table = Open(true)->Query("SELECT * FROM dag_run");
  ASSERT_FALSE(no_table);
  EXPECT_EQ(no_table.error().code(), StatusCode::kNotFound);
}

TEST_F(SqliteConnectionTest, NotADatabaseIsRejectedAtConnect) {
  std::string path = (dir_ / "junk.db").string();
  FILE* f = std::fopen(path.c_str(), "w");
  std::fputs("this is not a database file, just text that is long enough to have a header", f);
  std::fclose(f);
  auto c = Connect(*Dsn::Parse("sqlite://" + path), {});
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message().find("junk.db"), std::string::npos);
}

TEST_F(SqliteConnectionTest, StatementTimeoutInterruptsLongQueries) {
  Open(false);
  ConnectOptions o;
  o.statement_timeout = std::chrono::milliseconds(50);
  auto c = Connect(dsn_, o);
  ASSERT_TRUE(c);
  auto rs = (*c)->Query(
      "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n");
  ASSERT_FALSE(rs);
  EXPECT_EQ(rs.error().code(), StatusCode::kDeadlineExceeded) << rs.error().message();
}

TEST_F(SqliteConnectionTest, PlaceholderCountMismatchIsAnError) {
  auto c = Open(false);
  auto rs = c->Query("SELECT ?, ?", {1});
  ASSERT_FALSE(rs);
  EXPECT_EQ(rs.error().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace slayer::db

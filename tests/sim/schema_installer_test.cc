#include "sim/schema_installer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "sim/schema_ddl.h"
#include "sim_test_db.h"

namespace slayer::sim {
namespace {

using testing::Count;
using ::testing::HasSubstr;
using testing::OpenTempSqlite;
using testing::Rows;

const Timestamp kNow = *ParseTimestamp("2025-01-01T00:00:00Z");

struct VersionCase {
  AirflowVersion version;
  const char* revision;
  bool has_sla_miss;
};

class SchemaInstallerTest : public ::testing::TestWithParam<VersionCase> {};

TEST_P(SchemaInstallerTest, CreatesTheSchemaOnSqlite) {
  auto conn = OpenTempSqlite("schema");
  ASSERT_TRUE(conn);
  ASSERT_TRUE(InstallSchema(*conn, GetParam().version, false, kNow).ok());
  EXPECT_EQ(Rows(*conn, "SELECT version_num FROM alembic_version"),
            std::vector<std::string>{GetParam().revision});
  EXPECT_EQ(Rows(*conn, "SELECT pool, slots FROM slot_pool"),
            std::vector<std::string>{"default_pool|128"});
  EXPECT_EQ(Count(*conn, "SELECT COUNT(*) FROM log_template"), 1);
  auto tables = ExistingAirflowTables(*conn);
  ASSERT_TRUE(tables);
  bool has_sla = std::find(tables->begin(), tables->end(), "sla_miss") != tables->end();
  EXPECT_EQ(has_sla, GetParam().has_sla_miss);
  // A second install refuses; --reset recreates.
  Status again = InstallSchema(*conn, GetParam().version, false, kNow);
  EXPECT_EQ(again.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(again.message(), HasSubstr("--reset"));
  ASSERT_TRUE(InstallSchema(*conn, GetParam().version, true, kNow).ok());
  EXPECT_EQ(Count(*conn, "SELECT COUNT(*) FROM slot_pool"), 1);
}

INSTANTIATE_TEST_SUITE_P(
    Versions, SchemaInstallerTest,
    ::testing::Values(VersionCase{AirflowVersion::kV2, "5f2621c13b39", true},
                      VersionCase{AirflowVersion::kV3_0, "29ce7909c52b", false},
                      VersionCase{AirflowVersion::kV3_1, "cc92b33c6709", false}));

TEST(SchemaInstallerTest, ResetReplacesAnotherVersion) {
  auto conn = OpenTempSqlite("reset");
  ASSERT_TRUE(InstallSchema(*conn, AirflowVersion::kV2, false, kNow).ok());
  ASSERT_TRUE(InstallSchema(*conn, AirflowVersion::kV3_1, true, kNow).ok());
  EXPECT_EQ(Rows(*conn, "SELECT version_num FROM alembic_version"),
            std::vector<std::string>{"cc92b33c6709"});
}

TEST(SchemaDdlTest, EveryCombinationIsEmbeddedExceptMysql30) {
  for (auto v : {AirflowVersion::kV2, AirflowVersion::kV3_0, AirflowVersion::kV3_1}) {
    for (auto b : {db::Backend::kPostgres, db::Backend::kMysql, db::Backend::kSqlite}) {
      auto ddl = SchemaDdl(v, b);
      if (v == AirflowVersion::kV3_0 && b == db::Backend::kMysql) {
        ASSERT_FALSE(ddl);
        EXPECT_THAT(ddl.error().message(), HasSubstr("not supported"));
        continue;
      }
      ASSERT_TRUE(ddl) << ddl.error().message();
      EXPECT_THAT(std::string(*ddl), HasSubstr("CREATE TABLE"));
    }
  }
}

TEST(SchemaDdlTest, SplitsStatementsAndDropsComments) {
  auto parts = SplitSqlStatements(
      "-- a; comment\nCREATE TABLE a (\n  x int\n);\n\nINSERT INTO a "
      "VALUES (1);\n");
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[0], "CREATE TABLE a (\n  x int\n)");
  EXPECT_EQ(parts[1], "INSERT INTO a VALUES (1)");
}

TEST(AirflowVersionTest, Parses) {
  EXPECT_EQ(*ParseAirflowVersion("2"), AirflowVersion::kV2);
  EXPECT_EQ(*ParseAirflowVersion("3.0"), AirflowVersion::kV3_0);
  EXPECT_EQ(*ParseAirflowVersion("3.1"), AirflowVersion::kV3_1);
  EXPECT_FALSE(ParseAirflowVersion("1.10"));
}

}  // namespace
}  // namespace slayer::sim

#include "db/dsn.h"

#include <gtest/gtest.h>

namespace slayer::db {
namespace {

TEST(DsnTest, ParsesPostgresUrl) {
  auto d = Dsn::Parse("postgresql://airflow:s3cr%40t@db.example.com:6543/airflow?sslmode=require");
  ASSERT_TRUE(d) << d.error().message();
  EXPECT_EQ(d->backend, Backend::kPostgres);
  EXPECT_EQ(d->user, "airflow");
  EXPECT_EQ(d->password, "s3cr@t");
  EXPECT_EQ(d->host, "db.example.com");
  EXPECT_EQ(d->port, 6543);
  EXPECT_EQ(d->database, "airflow");
  EXPECT_EQ(d->params.at("sslmode"), "require");
}

TEST(DsnTest, AcceptsSqlAlchemyDriverSuffixesAndAliases) {
  EXPECT_EQ(Dsn::Parse("postgresql+psycopg2://u@h/db")->backend, Backend::kPostgres);
  EXPECT_EQ(Dsn::Parse("postgres://u@h/db")->backend, Backend::kPostgres);
  EXPECT_EQ(Dsn::Parse("mysql+mysqldb://u:p@h:3306/airflow")->backend, Backend::kMysql);
  EXPECT_EQ(Dsn::Parse("mariadb://u:p@h/airflow")->backend, Backend::kMysql);
}

TEST(DsnTest, ParsesIpv6HostAndDefaults) {
  auto d = Dsn::Parse("mysql://root@[::1]:3307/af");
  ASSERT_TRUE(d) << d.error().message();
  EXPECT_EQ(d->host, "::1");
  EXPECT_EQ(d->port, 3307);
  auto e = Dsn::Parse("postgresql://localhost/airflow");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->port, 0);
  EXPECT_TRUE(e->user.empty());
}

TEST(DsnTest, SqliteNeedsAbsolutePath) {
  EXPECT_EQ(Dsn::Parse("sqlite:////var/lib/airflow/airflow.db")->database,
            "/var/lib/airflow/airflow.db");
  EXPECT_EQ(Dsn::Parse("sqlite:///tmp/a.db")->database, "/tmp/a.db");
  auto rel = Dsn::Parse("sqlite://airflow.db");
  ASSERT_FALSE(rel);
  EXPECT_NE(rel.error().message().find("absolute path"), std::string::npos);
}

TEST(DsnTest, ToStringRedactsPassword) {
  auto d = Dsn::Parse("postgresql://airflow:hunter2@h:5432/airflow?sslmode=disable");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->ToString(), "postgresql://airflow:***@h:5432/airflow?sslmode=disable");
  auto q = Dsn::Parse("postgresql://h/airflow?password=hunter2");
  ASSERT_TRUE(q);
  EXPECT_EQ(q->ToString().find("hunter2"), std::string::npos);
}

TEST(DsnTest, PasswordWithSlashOrQuestionMarkIsReadAndRedacted) {
  auto d = Dsn::Parse("postgresql://u:pa/ss?wd@h:5432/airflow?sslmode=disable");
  ASSERT_TRUE(d) << d.error().message();
  EXPECT_EQ(d->password, "pa/ss?wd");
  EXPECT_EQ(d->host, "h");
  EXPECT_EQ(d->database, "airflow");
  EXPECT_EQ(d->ToString(), "postgresql://u:***@h:5432/airflow?sslmode=disable");
  auto bad = Dsn::Parse("postgresql://u:pa/ss@h:notaport/airflow");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message().find("pa/ss"), std::string::npos) << bad.error().message();
}

TEST(DsnTest, ErrorsNeverShowThePassword) {
  for (const char* bad : {"postgresql://u:hunter2@h:99999/db", "postgresql://u:hunter2@h:5432",
                          "oracle://u:hunter2@h/db", "postgresql://u:hunter2@h:x/db"}) {
    auto d = Dsn::Parse(bad);
    ASSERT_FALSE(d) << bad;
    EXPECT_EQ(d.error().message().find("hunter2"), std::string::npos) << d.error().message();
    EXPECT_NE(d.error().message().find("***"), std::string::npos) << d.error().message();
  }
  EXPECT_NE(Dsn::Parse("airflow.db").error().message().find("expected scheme"),
            std::string::npos);
}

}  // namespace
}  // namespace slayer::db

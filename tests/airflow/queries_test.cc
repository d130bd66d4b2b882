#include "airflow/queries.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "airflow_test_db.h"

namespace slayer::airflow {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

size_t CountPlaceholders(std::string_view sql) {
  return static_cast<size_t>(std::count(sql.begin(), sql.end(), '?'));
}

SchemaInfo Detected(std::string_view file) {
  testing::TempSqliteDb db;
  auto w = db.Writer();
  EXPECT_TRUE(testing::LoadSchemaFile(*w, file).ok());
  auto info = DetectSchema(*w);
  EXPECT_TRUE(info) << info.error().message();
  return info ? *info : SchemaInfo{};
}

TEST(QueriesTest, Placeholders) {
  EXPECT_EQ(queries::Placeholders(0), "");
  EXPECT_EQ(queries::Placeholders(1), "?");
  EXPECT_EQ(queries::Placeholders(3), "?, ?, ?");
}

TEST(QueriesTest, BuildersUseTheColumnsOfTheSchemaFamily) {
  SchemaInfo v2 = Detected("airflow-2-sqlite.sql");
  SchemaInfo v3 = Detected("airflow-3-sqlite.sql");
  EXPECT_THAT(queries::ActiveDagRuns(v2), HasSubstr("dr.execution_date AS logical_date"));
  EXPECT_THAT(queries::ActiveDagRuns(v2), HasSubstr("NULL AS run_after"));
  EXPECT_THAT(queries::ActiveDagRuns(v3), HasSubstr("dr.logical_date AS logical_date"));
  EXPECT_THAT(queries::ActiveDagRuns(v3), Not(HasSubstr("execution_date")));
  EXPECT_THAT(queries::Dags(v2), HasSubstr("d.schedule_interval AS schedule"));
  EXPECT_THAT(queries::Dags(v3), HasSubstr("d.timetable_summary AS schedule"));
  EXPECT_THAT(queries::Dags(v3), HasSubstr("d.is_stale"));
  EXPECT_THAT(queries::TaskInstancesOfRuns(v3, 1), HasSubstr("ti.id AS id"));
  EXPECT_THAT(queries::TaskInstancesOfRuns(v2, 1), HasSubstr("NULL AS id"));
  EXPECT_THAT(queries::DagRunKeysInWindow(v2, 1, 20001),
              HasSubstr("dr.execution_date >= ? AND dr.execution_date < ? LIMIT 20001"));
  EXPECT_THAT(queries::DagRunKeysInWindow(v3, 1, 7), HasSubstr("dr.logical_date < ? LIMIT 7"));
  EXPECT_THAT(queries::FinishedTaskInstanceTimings(v2, 2),
              HasSubstr("((ti.dag_id = ? AND ti.run_id = ?) OR (ti.dag_id = ? AND ti.run_id = "
                        "?)) AND ti.state IN ('success', 'failed', 'skipped', "
                        "'upstream_failed')"));
  EXPECT_THAT(queries::SerializedDags(v3, 1), HasSubstr("dag_version"));
  EXPECT_THAT(queries::SerializedDags(v2, 1), Not(HasSubstr("dag_version")));
  EXPECT_THAT(queries::PendingDeadlines(v3), HasSubstr("d.callback_state IS NULL"));
  SchemaInfo pg = v3;
  pg.backend = db::Backend::kPostgres;
  EXPECT_THAT(queries::DeadlinesById(pg, 2), HasSubstr("CAST(? AS uuid), CAST(? AS uuid)"));
  EXPECT_THAT(queries::DeadlinesById(v3, 2), HasSubstr("IN (?, ?)"));
}

TEST(QueriesTest, PlaceholderCountsMatchTheDocumentedParameters) {
  SchemaInfo v2 = Detected("airflow-2-sqlite.sql");
  SchemaInfo v3 = Detected("airflow-3-sqlite.sql");
  for (const SchemaInfo* s : {&v2, &v3}) {
    EXPECT_EQ(CountPlaceholders(queries::ActiveDagRuns(*s)), 0u);
    EXPECT_EQ(CountPlaceholders(queries::ActiveDagRunsOfDags(*s, 7)), 7u);
    EXPECT_EQ(CountPlaceholders(queries::DagRunsById(*s, 7)), 7u);
    EXPECT_EQ(CountPlaceholders(queries::DagRunsByKey(*s, 7)), 14u);
    EXPECT_EQ(CountPlaceholders(queries::DagRunsInWindow(*s, 1)), 3u);
    EXPECT_EQ(CountPlaceholders(queries::DagRunsInWindow(*s, 4)), 6u);
    EXPECT_EQ(CountPlaceholders(queries::LatestSuccessfulDagRunIds(*s, 4)), 4u);
    EXPECT_EQ(CountPlaceholders(queries::TaskInstancesOfRuns(*s, 3)), 6u);
    EXPECT_EQ(CountPlaceholders(queries::DagRunKeysInWindow(*s, 4, 100)), 6u);
    EXPECT_EQ(CountPlaceholders(queries::FinishedTaskInstanceTimings(*s, 3)), 6u);
    EXPECT_EQ(CountPlaceholders(queries::UnfinishedTaskInstances(*s, 3)), 3u);
    EXPECT_EQ(CountPlaceholders(queries::DeadlinesOfRuns(*s, 3)), 3u);
    EXPECT_EQ(CountPlaceholders(queries::DeadlinesById(*s, 3)), 3u);
    EXPECT_EQ(CountPlaceholders(queries::SerializedDags(*s, 3)), 3u);
    EXPECT_EQ(CountPlaceholders(queries::Dags(*s)), 0u);
    EXPECT_EQ(CountPlaceholders(queries::Pools(*s)), 0u);
  }
  EXPECT_EQ(CountPlaceholders(queries::PendingDeadlines(v3)), 2u);
  EXPECT_EQ(CountPlaceholders(queries::UnfinishedTaskInstanceCounts()), 0u);
  EXPECT_EQ(CountPlaceholders(queries::SlaMisses(5)), 6u);
  EXPECT_EQ(CountPlaceholders(queries::OpenSlaMisses(5)), 5u);
  EXPECT_EQ(CountPlaceholders(queries::RecentJobs(3)), 4u);
  EXPECT_EQ(CountPlaceholders(queries::kRunningJobs), 0u);
  for (auto backend : {db::Backend::kPostgres, db::Backend::kMysql, db::Backend::kSqlite}) {
    EXPECT_EQ(CountPlaceholders(queries::ProbeColumns(backend)), 0u);
    EXPECT_EQ(CountPlaceholders(queries::ProbeIndexes(backend)), 0u);
  }
}

// SQLite's planner, on the real indexes of each schema: the big tables are only ever searched
// through an index, never scanned. (PostgreSQL is checked with EXPLAIN in explain_test.cc.)
class SqlitePlanTest : public ::testing::TestWithParam<const char*> {};

std::vector<std::string> Plan(db::Connection& c, const std::string& sql,
                              std::vector<db::Param> params) {
  auto rs = c.Query("EXPLAIN QUERY PLAN " + sql, params);
  EXPECT_TRUE(rs) << rs.error().message() << "\n" << sql;
  std::vector<std::string> details;
  if (!rs) return details;
  auto col = rs->ColumnIndex("detail");
  for (size_t i = 0; i < rs->num_rows(); ++i)
    details.push_back(*rs->row(i).Require<std::string>(*col));
  return details;
}

TEST_P(SqlitePlanTest, BigTablesAreNeverScanned) {
  testing::TempSqliteDb db;
  auto w = db.Writer();
  ASSERT_TRUE(testing::LoadSchemaFile(*w, GetParam()).ok());
  auto info = DetectSchema(*w);
  ASSERT_TRUE(info) << info.error().message();
  const SchemaInfo& s = *info;
  Timestamp t = testing::T();
  struct Case {
    std::string name, sql;
    std::vector<db::Param> params;
  };
  std::vector<Case> cases = {
      {"ActiveDagRuns",
       s.dag_run_state_indexes ? queries::ActiveDagRuns(s) : queries::ActiveDagRunsOfDags(s, 2),
       s.dag_run_state_indexes ? std::vector<db::Param>{} : std::vector<db::Param>{"a", "b"}},
      {"DagRunsById", queries::DagRunsById(s, 2), {1, 2}},
      {"DagRunsByKey", queries::DagRunsByKey(s, 2), {"a", "r1", "b", "r2"}},
      {"DagRunsInWindow", queries::DagRunsInWindow(s, 2), {"a", "b", t, t}},
      {"LatestSuccessfulDagRunIds", queries::LatestSuccessfulDagRunIds(s, 2), {"a", "b"}},
      {"TaskInstancesOfRuns", queries::TaskInstancesOfRuns(s, 2), {"a", "r1", "b", "r2"}},
      {"DagRunKeysInWindow", queries::DagRunKeysInWindow(s, 2, 100), {"a", "b", t, t}},
      {"FinishedTaskInstanceTimings",
       queries::FinishedTaskInstanceTimings(s, 2),
       {"a", "r1", "b", "r2"}},
      {"UnfinishedTaskInstances", queries::UnfinishedTaskInstances(s, 2), {"a", "b"}},
      {"UnfinishedTaskInstanceCounts", queries::UnfinishedTaskInstanceCounts(), {}},
      {"RunningJobs", std::string(queries::kRunningJobs), {}},
      {"RecentJobs", queries::RecentJobs(2), {"SchedulerJob", "TriggererJob", t}},
      {"SerializedDags", queries::SerializedDags(s, 2), {"a", "b"}},
  };
  if (s.sla_miss_table) {
    cases.push_back({"SlaMisses", queries::SlaMisses(2), {"a", "b", t}});
    cases.push_back({"OpenSlaMisses", queries::OpenSlaMisses(2), {"a", "b"}});
  }
  if (s.deadline == DeadlineFlavor::kV31) {
    cases.push_back({"PendingDeadlines", queries::PendingDeadlines(s), {t, t}});
    cases.push_back({"DeadlinesById", queries::DeadlinesById(s, 2), {"x", "y"}});
  }
  for (const Case& c : cases) {
    for (const std::string& step : Plan(*w, c.sql, c.params)) {
      // "SCAN dr" is a full scan; "SEARCH dr USING INDEX ..." is what we want.
      for (const char* alias : {"dr", "ti", "sm", "j", "v2", "dv", "sd"}) {
        EXPECT_FALSE(step == std::string("SCAN ") + alias ||
                     step.starts_with(std::string("SCAN ") + alias + " "))
            << c.name << ": " << step;
      }
      if (c.name == "PendingDeadlines" || c.name == "DeadlinesById") {
        EXPECT_FALSE(step.starts_with("SCAN d")) << c.name << ": " << step;
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Schemas, SqlitePlanTest,
                         ::testing::Values("airflow-2-sqlite.sql", "airflow-3-sqlite.sql"),
                         [](const auto& info) {
                           return std::string(info.param).find('2') != std::string::npos
                                      ? std::string("Airflow2")
                                      : std::string("Airflow3");
                         });

}  // namespace
}  // namespace slayer::airflow

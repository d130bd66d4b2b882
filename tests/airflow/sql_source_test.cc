#include "airflow/sql_source.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "airflow_test_db.h"

namespace slayer::airflow {
namespace {

using ::testing::HasSubstr;
using testing::T;

class SqlSourceFileTest : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    auto w = db_.Writer();
    ASSERT_TRUE(w);
    Status st = testing::LoadSchemaFile(*w, GetParam());
    ASSERT_TRUE(st.ok()) << st.message();
    if (std::string_view(GetParam()).starts_with("generated/")) {
      ASSERT_TRUE(w->Execute("INSERT INTO alembic_version VALUES ('5f2621c13b39')"));
    }
  }

  std::unique_ptr<SqlAirflowSource> OpenSource() {
    auto source = SqlAirflowSource::Open(db_.Reader());
    EXPECT_TRUE(source) << source.error().message();
    return source ? std::move(*source) : nullptr;
  }

  testing::TempSqliteDb db_;
};

TEST_P(SqlSourceFileTest, EveryReaderWorksOnAnEmptyDatabase) {
  auto source = OpenSource();
  ASSERT_TRUE(source);
  testing::ExpectEmpty(*source);
}

TEST_P(SqlSourceFileTest, EveryReaderReturnsExactlyWhatAirflowWrote) {
  {
    auto w = db_.Writer();
    auto info = DetectSchema(*w);
    ASSERT_TRUE(info) << info.error().message();
    Status st = testing::InsertSampleRows(*w, *info);
    ASSERT_TRUE(st.ok()) << st.message();
  }
  auto source = OpenSource();
  ASSERT_TRUE(source);
  testing::ExpectSampleRows(*source);
}

INSTANTIATE_TEST_SUITE_P(SqliteDdl, SqlSourceFileTest,
                         ::testing::Values("airflow-2-sqlite.sql",
                                           "generated/airflow-2.10.3-sqlite.full.schema.sql",
                                           "airflow-3.0-sqlite.sql", "airflow-3-sqlite.sql"),
                         [](const auto& info) {
                           std::string name = info.param;
                           name = name.substr(name.rfind('/') + 1);
                           std::string out;
                           for (char ch : name.substr(0, name.find(".sql"))) {
                             out += std::isalnum(ch) ? ch : '_';
                           }
                           return out;
                         });

// Both ways of finding active runs give the same answer: 3.x with the state indexes Airflow 2
// has (partial-index query), 2.x without them (per-DAG lookup through dag_id_state).
TEST(SqlSourceTest, ActiveRunsWithAndWithoutTheStateIndexes) {
  for (const char* file : {"airflow-2-sqlite.sql", "airflow-3-sqlite.sql"}) {
    SCOPED_TRACE(file);
    testing::TempSqliteDb db;
    bool v3 = std::string_view(file).find('3') != std::string_view::npos;
    {
      auto w = db.Writer();
      ASSERT_TRUE(testing::LoadSchemaFile(*w, file).ok());
      Status st = w->ExecuteScript(
          v3 ? "CREATE INDEX idx_dag_run_running_dags ON dag_run (state, dag_id) WHERE "
               "state='running'; CREATE INDEX idx_dag_run_queued_dags ON dag_run (state, "
               "dag_id) WHERE state='queued'"
             : "DROP INDEX idx_dag_run_running_dags; DROP INDEX idx_dag_run_queued_dags");
      ASSERT_TRUE(st.ok()) << st.message();
      auto info = DetectSchema(*w);
      ASSERT_TRUE(info) << info.error().message();
      EXPECT_EQ(info->dag_run_state_indexes, v3);
      ASSERT_TRUE(testing::InsertSampleRows(*w, *info).ok());
    }
    auto source = SqlAirflowSource::Open(db.Reader());
    ASSERT_TRUE(source) << source.error().message();
    testing::ExpectSampleRows(**source);
  }
}

TEST(SqlSourceTest, Airflow32DeadlinesUseTheMissedFlag) {
  testing::TempSqliteDb db;
  {
    auto w = db.Writer();
    ASSERT_TRUE(testing::LoadSchemaFile(*w, "airflow-3-sqlite.sql").ok());
    ASSERT_TRUE(w->ExecuteScript(
                     "DROP INDEX deadline_callback_state_time_idx; DROP TABLE deadline;"
                     "CREATE TABLE deadline (id CHAR(32) NOT NULL PRIMARY KEY, dagrun_id INTEGER,"
                     " deadline_time TIMESTAMP NOT NULL, missed BOOLEAN NOT NULL,"
                     " created_at TIMESTAMP, last_updated_at TIMESTAMP, callback_id CHAR(32),"
                     " deadline_alert_id CHAR(32));"
                     "CREATE INDEX deadline_missed_deadline_time_idx ON deadline (missed,"
                     " deadline_time);"
                     "UPDATE alembic_version SET version_num = '6222ce48e289'")
                    .ok());
    auto info = DetectSchema(*w);
    ASSERT_TRUE(info) << info.error().message();
    ASSERT_EQ(info->deadline, DeadlineFlavor::kV32);
    Status st = testing::InsertSampleRows(*w, *info);
    ASSERT_TRUE(st.ok()) << st.message();
  }
  auto source = SqlAirflowSource::Open(db.Reader());
  ASSERT_TRUE(source) << source.error().message();
  testing::ExpectSampleRows(**source);
}

TEST(SqlSourceTest, MinimalAirflow22SchemaReadsWithDefaults) {
  testing::TempSqliteDb db;
  {
    auto w = db.Writer();
    ASSERT_TRUE(w->ExecuteScript(testing::kMinimalAirflow22Ddl).ok());
    ASSERT_TRUE(w->InsertRows("dag", {"dag_id", "is_paused", "is_active", "schedule_interval"},
                              {{"old_dag", false, true, "\"@daily\""}})
                    .ok());
    ASSERT_TRUE(w->InsertRows("dag_run",
                              {"id", "dag_id", "execution_date", "run_id", "run_type", "state",
                               "data_interval_start", "data_interval_end"},
                              {{1, "old_dag", T(-86400), "scheduled__x", "scheduled", "running",
                                T(-86400), T(0)}})
                    .ok());
    ASSERT_TRUE(w->InsertRows("task_instance",
                              {"task_id", "dag_id", "run_id", "state", "pool", "pool_slots"},
                              {{"t", "old_dag", "scheduled__x", "queued", "default_pool", 1}})
                    .ok());
    ASSERT_TRUE(w->InsertRows("slot_pool", {"id", "pool", "slots"}, {{1, "default_pool", 8}}).ok());
    ASSERT_TRUE(
        w->InsertRows("serialized_dag",
                      {"dag_id", "fileloc", "fileloc_hash", "data", "last_updated", "dag_hash"},
                      {{"old_dag", "/x.py", 1,
                        R"({"__version": 1, "dag": {"_dag_id": "old_dag",
                                   "schedule_interval": "@daily", "tasks": []}})",
                        T(0), "h"}})
            .ok());
  }
  auto source = SqlAirflowSource::Open(db.Reader());
  ASSERT_TRUE(source) << source.error().message();
  auto dags = (*source)->Dags();
  ASSERT_TRUE(dags) << dags.error().message();
  ASSERT_EQ(dags->size(), 1u);
  EXPECT_EQ((*dags)[0].schedule, "@daily");
  EXPECT_TRUE((*dags)[0].tags.empty());
  EXPECT_EQ((*dags)[0].timetable_description, std::nullopt);
  auto runs = (*source)->ActiveDagRuns();
  ASSERT_TRUE(runs) << runs.error().message();
  ASSERT_EQ(runs->size(), 1u);
  EXPECT_EQ((*runs)[0].run_after, T(0));
  EXPECT_EQ((*runs)[0].updated_at, std::nullopt);
  const std::vector<DagRunKey> keys = {{"old_dag", "scheduled__x"}};
  auto tis = (*source)->TaskInstancesOfRuns(keys);
  ASSERT_TRUE(tis) << tis.error().message();
  ASSERT_EQ(tis->size(), 1u);
  EXPECT_EQ((*tis)[0].map_index, -1);
  EXPECT_EQ((*tis)[0].updated_at, std::nullopt);
  auto pools = (*source)->Pools();
  ASSERT_TRUE(pools) << pools.error().message();
  ASSERT_EQ(pools->size(), 1u);
  EXPECT_FALSE((*pools)[0].include_deferred);
  const std::vector<std::string> ids = {"old_dag"};
  auto sd = (*source)->SerializedDags(ids);
  ASSERT_TRUE(sd) << sd.error().message();
  ASSERT_EQ(sd->size(), 1u);
  EXPECT_EQ((*sd)[0].timetable.cron, "0 0 * * *");
  // No job, dag_tag or sla_miss table: empty, not an error.
  auto jobs = (*source)->RunningJobs();
  ASSERT_TRUE(jobs) << jobs.error().message();
  EXPECT_TRUE(jobs->empty());
  auto misses = (*source)->OpenSlaMisses(ids);
  ASSERT_TRUE(misses) << misses.error().message();
  EXPECT_TRUE(misses->empty());
}

class SqlSourceBatchTest : public ::testing::Test {
 protected:
  static constexpr int kDags = 130;
  static constexpr int kRunsPerDag = 10;  // 1,300 runs: three batches of 500 keys

  void SetUp() override {
    auto w = db_.Writer();
    ASSERT_TRUE(testing::LoadSchemaFile(*w, "airflow-2-sqlite.sql").ok());
    std::vector<std::vector<db::Param>> dags, runs, tis;
    int id = 0;
    for (int d = 0; d < kDags; ++d) {
      std::string dag_id = "dag_" + std::to_string(d);
      dags.push_back({dag_id, false, true, 16, 0, false});
      for (int r = 0; r < kRunsPerDag; ++r) {
        ++id;
        std::string run_id = "run_" + std::to_string(r);
        // The newest run of every DAG is running; the rest succeeded.
        std::string state = r == kRunsPerDag - 1 ? "running" : "success";
        runs.push_back({id, dag_id, T(r * 3600), run_id, "scheduled", state});
        tis.push_back({"t", dag_id, run_id, state, "default_pool", 1});
      }
    }
    ASSERT_TRUE(w->InsertRows("dag",
                              {"dag_id", "is_paused", "is_active", "max_active_tasks",
                               "max_consecutive_failed_dag_runs", "has_task_concurrency_limits"},
                              dags)
                    .ok());
    ASSERT_TRUE(w->InsertRows("dag_run",
                              {"id", "dag_id", "execution_date", "run_id", "run_type", "state"},
                              runs)
                    .ok());
    ASSERT_TRUE(w->InsertRows("task_instance",
                              {"task_id", "dag_id", "run_id", "state", "pool", "pool_slots"}, tis)
                    .ok());
    auto source = SqlAirflowSource::Open(db_.Reader());
    ASSERT_TRUE(source) << source.error().message();
    source_ = std::move(*source);
  }

  testing::TempSqliteDb db_;
  std::unique_ptr<SqlAirflowSource> source_;
};

TEST_F(SqlSourceBatchTest, LongKeyListsAreBatched) {
  std::vector<int64_t> ids;
  std::vector<DagRunKey> keys;
  std::vector<std::string> dag_ids;
  for (int d = 0; d < kDags; ++d) {
    dag_ids.push_back("dag_" + std::to_string(d));
    for (int r = 0; r < kRunsPerDag; ++r) {
      ids.push_back(static_cast<int64_t>(d * kRunsPerDag + r + 1));
      keys.push_back({dag_ids.back(), "run_" + std::to_string(r)});
    }
  }
  ids.push_back(999999);
  auto by_id = source_->DagRunsById(ids);
  ASSERT_TRUE(by_id) << by_id.error().message();
  EXPECT_EQ(by_id->size(), size_t{kDags * kRunsPerDag});
  auto by_key = source_->DagRunsByKey(keys);
  ASSERT_TRUE(by_key) << by_key.error().message();
  EXPECT_EQ(by_key->size(), size_t{kDags * kRunsPerDag});
  auto tis = source_->TaskInstancesOfRuns(keys);
  ASSERT_TRUE(tis) << tis.error().message();
  EXPECT_EQ(tis->size(), size_t{kDags * kRunsPerDag});
  auto latest = source_->LatestSuccessfulDagRuns(dag_ids);
  ASSERT_TRUE(latest) << latest.error().message();
  ASSERT_EQ(latest->size(), size_t{kDags});
  for (const DagRun& r : *latest) {
    EXPECT_EQ(r.run_id, "run_" + std::to_string(kRunsPerDag - 2)) << r.dag_id;
    EXPECT_EQ(r.state, DagRunState::kSuccess);
  }
  auto unfinished = source_->UnfinishedTaskInstances(dag_ids);
  ASSERT_TRUE(unfinished) << unfinished.error().message();
  EXPECT_EQ(unfinished->size(), size_t{kDags});
  auto active = source_->ActiveDagRuns();
  ASSERT_TRUE(active) << active.error().message();
  EXPECT_EQ(active->size(), size_t{kDags});
  auto counts = source_->UnfinishedTaskInstanceCounts();
  ASSERT_TRUE(counts) << counts.error().message();
  ASSERT_EQ(counts->size(), 1u);
  EXPECT_EQ((*counts)[0].count, kDags);
  auto window = source_->DagRunsInWindow("dag_7", T(3600), T(4 * 3600));
  ASSERT_TRUE(window) << window.error().message();
  ASSERT_EQ(window->size(), 3u);
  EXPECT_EQ((*window)[0].run_id, "run_1");
  EXPECT_EQ((*window)[2].run_id, "run_3");
}

TEST(SqlSourceErrorTest, UnreadableValuesAndMissingTablesAreErrorsWithContext) {
  testing::TempSqliteDb db;
  {
    auto w = db.Writer();
    ASSERT_TRUE(testing::LoadSchemaFile(*w, "airflow-2-sqlite.sql").ok());
    ASSERT_TRUE(w->ExecuteScript(
                     "INSERT INTO dag_run (id, dag_id, execution_date, run_id, run_type, state, "
                     "start_date) VALUES (1, 'd', '2024-05-01 10:00:00.000000', 'r', 'manual', "
                     "'running', 'yesterday-ish');"
                     "INSERT INTO serialized_dag (dag_id, fileloc, fileloc_hash, data, "
                     "last_updated, dag_hash) VALUES ('broken', '/x.py', 1, '{\"dag\": [', "
                     "'2024-05-01 10:00:00.000000', 'h');")
                    .ok());
  }
  auto source = SqlAirflowSource::Open(db.Reader());
  ASSERT_TRUE(source) << source.error().message();
  auto runs = (*source)->ActiveDagRuns();
  ASSERT_FALSE(runs);
  EXPECT_EQ(runs.error().code(), StatusCode::kDataLoss);
  EXPECT_THAT(runs.error().message(), HasSubstr("dag_run"));
  EXPECT_THAT(runs.error().message(), HasSubstr("start_date"));
  const std::vector<std::string> broken = {"broken"};
  auto sd = (*source)->SerializedDags(broken);
  ASSERT_FALSE(sd);
  EXPECT_EQ(sd.error().code(), StatusCode::kDataLoss);
  EXPECT_THAT(sd.error().message(), HasSubstr("'broken'"));
  // A table that disappears under a running source (a botched migration): an error, named.
  ASSERT_TRUE(db.Writer()->ExecuteScript("DROP TABLE job").ok());
  auto jobs = (*source)->RunningJobs();
  ASSERT_FALSE(jobs);
  EXPECT_EQ(jobs.error().code(), StatusCode::kNotFound);
  EXPECT_THAT(jobs.error().message(), HasSubstr("read running job"));
}

}  // namespace
}  // namespace slayer::airflow

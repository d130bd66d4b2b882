// EXPLAIN of every poll query on PostgreSQL with Airflow-sized tables (label integration):
// >= 1,000,000 task_instance rows, 100,000 dag_run rows and 10,000 DAGs per schema family, most
// of it finished history, a few hundred active runs and a few thousand unfinished task
// instances. No plan may scan task_instance, dag_run, sla_miss or job sequentially (SPEC
// section 8; docs/queries.md).
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "airflow/queries.h"
#include "airflow/schema.h"
#include "airflow/sql_source.h"
#include "airflow_test_db.h"
#include "db/connect.h"
#include "integration/test_servers.h"

namespace slayer::airflow {
namespace {

constexpr int kDags = 10000;
constexpr int kRunsPerDag = 10;
constexpr int kTasksPerRun = 10;

// Shared by both families: run g (0 .. kDags * kRunsPerDag - 1) belongs to DAG g % kDags and
// is its (g / kDags)-th hourly run; the newest runs of every 40th DAG are running or queued.
constexpr std::string_view kRunSelect = R"(
  SELECT g, 'dag_' || (g % 10000) AS dag_id, 'scheduled__' || g AS run_id,
         timestamptz '2024-01-01 00:00:00+00' + (g / 10000) * interval '1 hour' AS ld,
         CASE WHEN g >= 90000 AND g % 40 = 0 THEN 'running'
              WHEN g >= 90000 AND g % 40 = 1 THEN 'queued'
              WHEN g % 100 = 50 THEN 'failed' ELSE 'success' END AS st
  FROM generate_series(0, 99999) g)";

// The unfinished states of a running run's ten tasks (one per task index).
constexpr std::string_view kTiState = R"(
  CASE dr.state WHEN 'success' THEN 'success'
    WHEN 'failed' THEN CASE WHEN j = 0 THEN 'failed' ELSE 'upstream_failed' END
    WHEN 'running' THEN (ARRAY['success', 'running', 'queued', 'scheduled', NULL,
                               'up_for_retry', 'deferred', 'running', NULL, NULL])[j + 1]
    ELSE NULL END)";

std::string FillSql(bool v3) {
  std::string s;
  if (v3) {
    s += "INSERT INTO dag_bundle (name) VALUES ('dags-folder');";
    s += "INSERT INTO dag (dag_id, is_paused, is_stale, owners, timetable_summary, bundle_name, "
         "max_active_tasks, max_active_runs, max_consecutive_failed_dag_runs, "
         "has_task_concurrency_limits, fileloc) SELECT 'dag_' || g, false, false, 'airflow', "
         "'0 * * * *', 'dags-folder', 16, 16, 0, false, '/dags/d' || g || '.py' "
         "FROM generate_series(0, 9999) g;";
    s += "INSERT INTO dag_run (id, dag_id, run_id, logical_date, run_after, run_type, state, "
         "data_interval_start, data_interval_end, queued_at, start_date, end_date, "
         "triggered_by, clear_number) SELECT g, dag_id, run_id, ld, ld + interval '1 hour', "
         "'scheduled', st, ld, ld + interval '1 hour', ld + interval '1 hour', "
         "ld + interval '1 hour 1 second', CASE WHEN st IN ('success', 'failed') THEN ld + "
         "interval '2 hours' END, 'timetable', 0 FROM (" +
         std::string(kRunSelect) + ") r;";
  } else {
    s += "INSERT INTO dag (dag_id, is_paused, is_active, owners, schedule_interval, "
         "max_active_tasks, max_active_runs, max_consecutive_failed_dag_runs, "
         "has_task_concurrency_limits, fileloc) SELECT 'dag_' || g, false, true, 'airflow', "
         "'\"0 * * * *\"', 16, 16, 0, false, '/dags/d' || g || '.py' "
         "FROM generate_series(0, 9999) g;";
    s += "INSERT INTO dag_run (id, dag_id, run_id, execution_date, run_type, state, "
         "data_interval_start, data_interval_end, queued_at, start_date, end_date, "
         "external_trigger, clear_number) SELECT g, dag_id, run_id, ld, 'scheduled', st, ld, "
         "ld + interval '1 hour', ld + interval '1 hour', ld + interval '1 hour 1 second', "
         "CASE WHEN st IN ('success', 'failed') THEN ld + interval '2 hours' END, false, 0 "
         "FROM (" +
         std::string(kRunSelect) + ") r;";
  }
  s += "INSERT INTO dag_tag (name, dag_id) SELECT 'team_' || (g % 7), 'dag_' || g "
       "FROM generate_series(0, 9999) g;";
  s += std::string("INSERT INTO task_instance (") + (v3 ? "id, " : "") +
       "task_id, dag_id, run_id, map_index, state, try_number, max_tries, pool, pool_slots, "
       "queue, priority_weight, operator, queued_dttm, start_date, end_date, duration, "
       "hostname, updated_at) SELECT " +
       (v3 ? "gen_random_uuid(), " : "") + "'t' || j, dr.dag_id, dr.run_id, -1, " +
       std::string(kTiState) +
       ", 1, 0, 'default_pool', 1, 'default', 1, 'BashOperator', dr.queued_at, dr.start_date, "
       "dr.end_date, 60.0, 'worker', dr.start_date FROM dag_run dr "
       "CROSS JOIN generate_series(0, 9) j;";
  // 50,000 finished task-runner jobs (2.x keeps them), a few live and dead schedulers.
  s += "INSERT INTO job (id, dag_id, state, job_type, start_date, end_date, latest_heartbeat, "
       "hostname) SELECT g, 'dag_' || (g % 10000), 'success', 'LocalTaskJob', "
       "timestamptz '2024-01-01 00:00:00+00' + g * interval '10 seconds', "
       "timestamptz '2024-01-01 00:01:00+00' + g * interval '10 seconds', "
       "timestamptz '2024-01-01 00:01:00+00' + g * interval '10 seconds', 'worker' "
       "FROM generate_series(1, 50000) g;";
  s += "INSERT INTO job (id, state, job_type, start_date, latest_heartbeat, hostname) SELECT "
       "50000 + g, CASE WHEN g < 3 THEN 'running' ELSE 'success' END, CASE WHEN g % 2 = 0 THEN "
       "'SchedulerJob' ELSE 'TriggererJob' END, timestamptz '2024-01-06 00:00:00+00', "
       "timestamptz '2024-01-06 18:00:00+00' - g * interval '1 minute', 'host_' || g "
       "FROM generate_series(1, 20) g;";
  s += "INSERT INTO slot_pool (id, pool, slots, include_deferred) VALUES "
       "(1, 'default_pool', 128, false);";
  if (v3) {
    s += "INSERT INTO dag_version (id, version_number, dag_id, created_at, last_updated) "
         "SELECT gen_random_uuid(), v, 'dag_' || g, now(), now() "
         "FROM generate_series(0, 9999) g CROSS JOIN generate_series(1, 2) v;";
    s += "INSERT INTO serialized_dag (id, dag_id, data, created_at, last_updated, dag_hash, "
         "dag_version_id) SELECT gen_random_uuid(), dag_id, '{\"__version\": 3, \"dag\": {}}', "
         "now(), now(), 'h', id FROM dag_version;";
    s += "INSERT INTO deadline (id, dagrun_id, deadline_time, callback, callback_state) "
         "SELECT gen_random_uuid(), g * 10, timestamptz '2024-01-01 00:00:00+00' + g * "
         "interval '1 minute', '{}', CASE WHEN g % 10 = 0 THEN NULL ELSE 'success' END "
         "FROM generate_series(0, 9999) g;";
  } else {
    s += "INSERT INTO sla_miss (task_id, dag_id, execution_date, timestamp, email_sent, "
         "notification_sent) SELECT 't1', 'dag_' || (g % 10000), timestamptz "
         "'2024-01-01 00:00:00+00' + (g / 10000) * interval '1 hour', now(), false, false "
         "FROM generate_series(0, 99999) g;";
    s += "INSERT INTO serialized_dag (dag_id, fileloc, fileloc_hash, data, last_updated, "
         "dag_hash) SELECT 'dag_' || g, '/dags/d.py', g, '{\"__version\": 1, \"dag\": {}}', "
         "now(), 'h' FROM generate_series(0, 9999) g;";
  }
  return s;
}

// The bulk load skips what makes row-by-row inserts slow: foreign key checks (replica role)
// and index maintenance (task_instance's and dag_run's secondary indexes, and task_instance's
// primary / unique keys, are dropped first and rebuilt in one pass after).
Status BulkLoad(db::Connection& w, bool v3) {
  auto defs = w.Query(R"(
      SELECT 'DROP INDEX ' || indexname, indexdef FROM pg_indexes
      WHERE schemaname = current_schema() AND tablename IN ('task_instance', 'dag_run')
        AND indexname NOT IN (SELECT conname FROM pg_constraint)
      UNION ALL
      SELECT 'ALTER TABLE task_instance DROP CONSTRAINT ' || conname,
             'ALTER TABLE task_instance ADD CONSTRAINT ' || conname || ' ' ||
             pg_get_constraintdef(oid)
      FROM pg_constraint WHERE conrelid = 'task_instance'::regclass AND contype IN ('p', 'u'))");
  if (!defs) return defs.error();
  std::string drop, create;
  for (size_t i = 0; i < defs->num_rows(); ++i) {
    drop += *defs->row(i).Require<std::string>(0) + ";";
    create += *defs->row(i).Require<std::string>(1) + ";";
  }
  SLAYER_RETURN_IF_ERROR(w.ExecuteScript(
      "SET maintenance_work_mem = '256MB'; SET session_replication_role = replica;" + drop));
  SLAYER_RETURN_IF_ERROR(w.ExecuteScript(FillSql(v3)));
  SLAYER_RETURN_IF_ERROR(w.ExecuteScript(create + "SET session_replication_role = DEFAULT"));
  return w.ExecuteScript("ANALYZE");
}

struct PlanCase {
  std::string name;
  std::string sql;
  std::vector<db::Param> params;
};

std::vector<PlanCase> PollQueries(const SchemaInfo& s) {
  auto at = [](int hours) {
    return testing::T() - std::chrono::hours(24 * 121 + 10) + std::chrono::hours(hours);
  };  // 2024-01-01 00:00 UTC + hours
  std::vector<db::Param> dag_ids, run_ids, run_keys;
  for (int i = 0; i < 50; ++i) dag_ids.emplace_back("dag_" + std::to_string(40 * i));
  for (int i = 0; i < 100; ++i) {
    int g = 90000 + 40 * (i / 2) + i % 2;  // the running and queued runs
    run_ids.emplace_back(g);
    run_keys.emplace_back("dag_" + std::to_string(g % kDags));
    run_keys.emplace_back("scheduled__" + std::to_string(g));
  }
  // The 500 DAGs dag_0 .. dag_499 and a 5-hour window of their hourly runs (2,500 runs), and
  // the keys of 500 finished runs (every run of 50 DAGs).
  std::vector<db::Param> window_dags, window_runs;
  for (int i = 0; i < 500; ++i) window_dags.emplace_back("dag_" + std::to_string(i));
  window_dags.emplace_back(at(0));
  window_dags.emplace_back(at(5));
  for (int g = 0; g < kDags * kRunsPerDag && window_runs.size() < 1000; ++g) {
    if (g % kDags >= 50) continue;
    window_runs.emplace_back("dag_" + std::to_string(g % kDags));
    window_runs.emplace_back("scheduled__" + std::to_string(g));
  }
  std::vector<PlanCase> cases = {
      {"Dags", queries::Dags(s), {}},
      {"DagTags", std::string(queries::kDagTags), {}},
      {"DagIds", std::string(queries::kDagIds), {}},
      {"DagRunsById", queries::DagRunsById(s, run_ids.size()), run_ids},
      {"DagRunsByKey", queries::DagRunsByKey(s, run_ids.size()), run_keys},
      {"DagRunsInWindow", queries::DagRunsInWindow(s, 1), {"dag_40", at(0), at(10)}},
      {"DagRunsInWindow x3", queries::DagRunsInWindow(s, 3), {"dag_40", "dag_41", "dag_42", at(0), at(10)}},
      {"LatestSuccessfulDagRunIds", queries::LatestSuccessfulDagRunIds(s, dag_ids.size()), dag_ids},
      {"TaskInstancesOfRuns", queries::TaskInstancesOfRuns(s, run_ids.size()), run_keys},
      // Task analytics (slayer report --tasks, /api/v1/tasks): the runs of 500 DAGs in a
      // window, then the finished task instances of 500 runs.
      {"DagRunKeysInWindow 500 dags", queries::DagRunKeysInWindow(s, 500, 50001),
       window_dags},
      {"FinishedTaskInstanceTimings 500 runs",
       queries::FinishedTaskInstanceTimings(s, window_runs.size() / 2), window_runs},
      {"UnfinishedTaskInstances", queries::UnfinishedTaskInstances(s, dag_ids.size()), dag_ids},
      {"UnfinishedTaskInstanceCounts", queries::UnfinishedTaskInstanceCounts(), {}},
      {"RunningJobs", std::string(queries::kRunningJobs), {}},
      {"RecentJobs",
       queries::RecentJobs(3),
       {"SchedulerJob", "TriggererJob", "DagProcessorJob", at(5 * 24 + 17)}},
      {"Pools", queries::Pools(s), {}},
      {"SerializedDags", queries::SerializedDags(s, dag_ids.size()), dag_ids},
  };
  if (s.dag_run_state_indexes) {
    cases.push_back({"ActiveDagRuns", queries::ActiveDagRuns(s), {}});
  } else {
    std::vector<db::Param> all;
    for (int i = 0; i < 500; ++i) all.emplace_back("dag_" + std::to_string(i));
    cases.push_back({"ActiveDagRunsOfDags", queries::ActiveDagRunsOfDags(s, all.size()), all});
  }
  if (s.sla_miss_table) {
    std::vector<db::Param> p = dag_ids;
    p.emplace_back(at(0));
    cases.push_back({"SlaMisses", queries::SlaMisses(dag_ids.size()), p});
    cases.push_back({"OpenSlaMisses", queries::OpenSlaMisses(dag_ids.size()), dag_ids});
  }
  if (s.deadline == DeadlineFlavor::kV31) {
    cases.push_back({"PendingDeadlines", queries::PendingDeadlines(s), {at(24), at(48)}});
    // Not a poll query, and deadline is not one of the big tables: listed for its plan.
    cases.push_back({"DeadlinesOfRuns", queries::DeadlinesOfRuns(s, 2), {90000, 90040}});
    cases.push_back({"DeadlinesById",
                     queries::DeadlinesById(s, 2),
                     {"0190f1a0dead70008000000000000001", "0190f1a0dead70008000000000000002"}});
  }
  return cases;
}

void ExplainEveryPollQuery(bool v3) {
  const std::string name = v3 ? "af_explain_3" : "af_explain_2";
  auto dsn = slayer::testing::CreateTestDatabase(db::Backend::kPostgres, name);
  ASSERT_TRUE(dsn) << dsn.error().message();
  db::ConnectOptions wo;
  wo.read_only = false;
  wo.statement_timeout = std::chrono::seconds(120);
  auto writer = db::Connect(*dsn, wo);
  ASSERT_TRUE(writer) << writer.error().message();
  auto start = std::chrono::steady_clock::now();
  Status st =
      testing::LoadSchemaFile(**writer, v3 ? "airflow-3-postgres.sql" : "airflow-2-postgres.sql");
  ASSERT_TRUE(st.ok()) << st.message();
  st = BulkLoad(**writer, v3);
  ASSERT_TRUE(st.ok()) << st.message();
  auto counts = (*writer)->Query(
      "SELECT (SELECT count(*) FROM task_instance), (SELECT count(*) FROM dag_run), "
      "(SELECT count(*) FROM task_instance WHERE state IS NULL OR state NOT IN ('success', "
      "'failed', 'skipped', 'upstream_failed', 'removed'))");
  ASSERT_TRUE(counts) << counts.error().message();
  EXPECT_GE(*counts->row(0).Require<int64_t>(0), 1000000);
  EXPECT_GE(*counts->row(0).Require<int64_t>(1), 100000);
  int64_t unfinished = *counts->row(0).Require<int64_t>(2);
  EXPECT_GE(unfinished, 1000);
  EXPECT_LE(unfinished, 10000);
  std::printf("[ loaded   ] %s in %.1f s (%lld unfinished task instances)\n", name.c_str(),
              std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(),
              static_cast<long long>(unfinished));

  auto source = SqlAirflowSource::Open(db::Connect(*dsn, {}).value());
  ASSERT_TRUE(source) << source.error().message();
  const SchemaInfo& s = (*source)->schema();
  ASSERT_EQ(s.major, v3 ? 3 : 2);
  db::Connection& reader = (*source)->connection();
  for (const PlanCase& c : PollQueries(s)) {
    auto plan = reader.Query("EXPLAIN " + c.sql, c.params);
    ASSERT_TRUE(plan) << c.name << ": " << plan.error().message();
    std::string text;
    for (size_t i = 0; i < plan->num_rows(); ++i)
      text += *plan->row(i).Require<std::string>(0) + "\n";
    for (const char* table : {"task_instance", "dag_run", "sla_miss", "job"}) {
      EXPECT_EQ(text.find(std::string("Seq Scan on ") + table + " "), std::string::npos)
          << c.name << " scans " << table << ":\n"
          << text;
    }
    if (std::getenv("SLAYER_PRINT_PLANS") != nullptr)
      std::printf("%s\n%s\n", c.name.c_str(), text.c_str());
    auto t0 = std::chrono::steady_clock::now();
    auto rows = reader.Query(c.sql, c.params);
    ASSERT_TRUE(rows) << c.name << ": " << rows.error().message();
    double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    std::printf("[ query    ] %-30s %7zu rows %8.2f ms  %s\n", c.name.c_str(), rows->num_rows(), ms,
                text.substr(0, text.find('\n')).c_str());
  }
  // The readers end to end on the big database.
  auto active = (*source)->ActiveDagRuns();
  ASSERT_TRUE(active) << active.error().message();
  EXPECT_EQ(active->size(), 500u);
  auto ti_counts = (*source)->UnfinishedTaskInstanceCounts();
  ASSERT_TRUE(ti_counts) << ti_counts.error().message();
  int64_t total = 0;
  for (const TaskInstanceCount& c : *ti_counts) total += c.count;
  EXPECT_EQ(total, unfinished);
}

TEST(ExplainTest, Airflow2PollQueriesUseIndexes) { ExplainEveryPollQuery(false); }
TEST(ExplainTest, Airflow3PollQueriesUseIndexes) { ExplainEveryPollQuery(true); }

}  // namespace
}  // namespace slayer::airflow

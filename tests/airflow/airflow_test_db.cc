#include "airflow_test_db.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <sstream>
#include <utility>
#include <vector>

#include "db/connect.h"

namespace slayer::airflow::testing {
namespace {

using Cells = std::vector<std::pair<std::string, db::Param>>;

Status Insert(db::Connection& w, std::string_view table, const Cells& cells) {
  std::vector<std::string> columns;
  std::vector<db::Param> row;
  for (const auto& [c, v] : cells) {
    columns.push_back(c);
    row.push_back(v);
  }
  return w.InsertRows(table, columns, {row}).WithContext("insert into " + std::string(table));
}

Timestamp Micros(Timestamp t, int64_t micros) { return t + Duration(micros); }

std::string Deflate(const std::string& text) {
  uLongf size = compressBound(text.size());
  std::string out(size, '\0');
  compress(reinterpret_cast<Bytef*>(out.data()), &size, reinterpret_cast<const Bytef*>(text.data()),
           text.size());
  out.resize(size);
  return out;
}

// Ids as Airflow 3 writes them on MySQL/SQLite (UUIDType, 32 hex digits); PostgreSQL reads
// them into uuid columns and returns them with dashes.
std::string Uuid(int n) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "0190f1a0dead70008000%012d", n);
  return buf;
}
std::string TiId(int n) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "0190f1a0-beef-7000-8000-%012d", n);
  return buf;
}
std::string NoDashes(std::string s) {
  s.erase(std::remove(s.begin(), s.end(), '-'), s.end());
  return s;
}

constexpr std::string_view kManualDagJson =
    R"({"__version": 1, "dag": {"_dag_id": "manual_only", "timezone": "UTC", "timetable":
    {"__type": "airflow.timetables.simple.NullTimetable", "__var": {}}, "tasks": [{"__type":
    "operator", "__var": {"task_id": "notify", "owner": "airflow", "downstream_task_ids": []}}]}})";

constexpr std::string_view kEtl31OldJson =
    R"({"__version": 3, "dag": {"dag_id": "etl_hourly", "timetable": {"__type":
    "airflow.timetables.trigger.CronTriggerTimetable", "__var": {"expression": "30 * * * *",
    "timezone": "UTC"}}, "tasks": []}})";

constexpr std::string_view kEtl31Json = R"({
  "__version": 3,
  "dag": {
    "dag_id": "etl_hourly", "timezone": "UTC", "catchup": false, "tags": ["critical", "etl"],
    "timetable": {"__type": "airflow.timetables.trigger.CronTriggerTimetable",
      "__var": {"expression": "0 * * * *", "timezone": "Europe/Berlin", "interval": 0.0,
                "run_immediately": false}},
    "deadline": [{"__type": "deadline_alert", "__var": {
      "reference": {"reference_type": "DagRunQueuedAtDeadline"}, "interval": 3600.0,
      "callback": {"__classname__": "airflow.sdk.definitions.deadline.AsyncCallback",
        "__version__": 0, "__data__": {"path": "my_company.alerts.page_oncall", "kwargs": {}}}}}],
    "tasks": [
      {"__type": "operator", "__var": {"task_id": "extract", "downstream_task_ids": ["load"],
        "owner": "data-eng", "task_type": "BashOperator"}},
      {"__type": "operator", "__var": {"task_id": "load", "pool": "etl", "owner": "ops"}}]
  },
  "client_defaults": {"tasks": {"pool": "default_pool", "queue": "default"}}
})";

Status InsertDags(db::Connection& w, const SchemaInfo& s) {
  bool v3 = s.dag_is_stale;
  if (v3) SLAYER_RETURN_IF_ERROR(Insert(w, "dag_bundle", {{"name", "dags-folder"}}));
  struct DagRow {
    std::string dag_id;
    db::Param paused, active, owners, schedule2, schedule3, description, next, fileloc, errors;
  };
  std::vector<DagRow> rows = {
      {"etl_hourly", false, true, "data-eng, ops", "\"0 * * * *\"", "0 * * * *",
       "At 0 minutes past the hour", T(0), "/opt/airflow/dags/etl.py", false},
      {"manual_only", true, false, "airflow", "null", "None", "Never, external triggers only",
       db::Param(), "/opt/airflow/dags/manual.py", true},
      {"every_hour_delta", db::Param(), db::Param(), db::Param(),
       R"({"type": "timedelta", "attrs": {"days": 0, "seconds": 3600, "microseconds": 0}})",
       "1:00:00", db::Param(), db::Param(), db::Param(), db::Param()},
  };
  for (const DagRow& r : rows) {
    Cells c = {{"dag_id", r.dag_id},
               {"is_paused", r.paused},
               {"owners", r.owners},
               {"fileloc", r.fileloc},
               {"max_active_tasks", 16},
               {"max_active_runs", 16},
               {"has_task_concurrency_limits", false}};
    if (s.dag_timetable_description) c.push_back({"timetable_description", r.description});
    if (s.dag_has_import_errors) c.push_back({"has_import_errors", r.errors});
    // 2.9+ (every schema file here has it).
    c.push_back({"max_consecutive_failed_dag_runs", 0});
    if (!r.next.is_null()) {
      c.push_back({"next_dagrun", T(0)});
      c.push_back({"next_dagrun_data_interval_start", T(0)});
      c.push_back({"next_dagrun_data_interval_end", T(3600)});
      c.push_back({"next_dagrun_create_after", T(3600)});
    }
    if (v3) {
      // 3.x inverts is_active into is_stale; NULL stays NULL.
      db::Param stale = r.active.is_null() ? db::Param() : db::Param(r.active.int_value() == 0);
      c.push_back({"is_stale", stale});
      c.push_back({"timetable_summary", r.schedule3});
      c.push_back({"bundle_name", "dags-folder"});
    } else {
      c.push_back({"is_active", r.active});
      c.push_back({"schedule_interval", r.schedule2});
    }
    SLAYER_RETURN_IF_ERROR(Insert(w, "dag", c));
  }
  SLAYER_RETURN_IF_ERROR(Insert(w, "dag_tag", {{"name", "etl"}, {"dag_id", "etl_hourly"}}));
  return Insert(w, "dag_tag", {{"name", "critical"}, {"dag_id", "etl_hourly"}});
}

Status InsertDagRuns(db::Connection& w, const SchemaInfo& s) {
  struct RunRow {
    int id;
    std::string dag_id, run_id;
    std::optional<Timestamp> logical2, logical3, start_interval, end_interval, queued, start, end;
    std::string state, run_type;
    bool external;
    std::string triggered_by;
    Timestamp run_after;
    std::optional<Timestamp> updated;
  };
  std::vector<RunRow> rows = {
      {1, "etl_hourly", "scheduled__2024-05-01T08:00:00+00:00", T(-7200), T(-7200), T(-7200),
       T(-3600), T(-3599), T(-3598), T(-3000), "success", "scheduled", false, "timetable", T(-3600),
       T(-3000)},
      {2, "etl_hourly", "scheduled__2024-05-01T09:00:00+00:00", T(-3600), T(-3600), T(-3600), T(0),
       T(1), Micros(T(2), 123456), std::nullopt, "running", "scheduled", false, "timetable", T(0),
       Micros(T(2), 123456)},
      {3, "etl_hourly", "manual__2024-05-01T10:05:00+00:00", T(300), std::nullopt, std::nullopt,
       std::nullopt, T(300), std::nullopt, std::nullopt, "queued", "manual", true, "ui", T(300),
       std::nullopt},
      {4, "etl_hourly", "scheduled__2024-05-01T07:00:00+00:00", T(-10800), T(-10800), T(-10800),
       T(-7200), T(-7199), T(-7198), T(-7000), "failed", "scheduled", false, "timetable", T(-7200),
       T(-7000)},
      {5, "manual_only", "manual__2024-04-30T12:00:00+00:00", T(-79200), T(-79200), T(-79200),
       T(-79200), T(-79199), T(-79198), T(-79000), "success", "manual", true, "rest_api", T(-79200),
       T(-79000)},
  };
  for (const RunRow& r : rows) {
    Cells c = {{"id", r.id},
               {"dag_id", r.dag_id},
               {"run_id", r.run_id},
               {"data_interval_start", r.start_interval},
               {"data_interval_end", r.end_interval},
               {"queued_at", r.queued},
               {"start_date", r.start},
               {"end_date", r.end},
               {"state", r.state},
               {"run_type", r.run_type},
               {"clear_number", 0}};
    if (s.dag_run_updated_at) c.push_back({"updated_at", r.updated});
    if (s.dag_run_logical_date) {
      c.push_back({"logical_date", r.logical3});
      c.push_back({"run_after", r.run_after});
      c.push_back({"triggered_by", r.triggered_by});
    } else {
      c.push_back({"execution_date", r.logical2});
      c.push_back({"external_trigger", r.external});
    }
    SLAYER_RETURN_IF_ERROR(Insert(w, "dag_run", c));
  }
  return Status::Ok();
}

Status InsertTaskInstances(db::Connection& w, const SchemaInfo& s) {
  struct TiRow {
    int n;
    std::string dag_id, task_id, run_id;
    int map_index;
    db::Param state;
    db::Param try_number;
    std::string pool;
    int pool_slots;
    db::Param queue, operator_name, queued, start, end, duration, hostname;
  };
  const std::string r1 = "scheduled__2024-05-01T08:00:00+00:00";
  const std::string r2 = "scheduled__2024-05-01T09:00:00+00:00";
  const std::string r3 = "manual__2024-05-01T10:05:00+00:00";
  const std::string r4 = "scheduled__2024-05-01T07:00:00+00:00";
  const std::string r5 = "manual__2024-04-30T12:00:00+00:00";
  const db::Param null;
  std::vector<TiRow> rows = {
      {1, "etl_hourly", "extract", r1, -1, "success", 1, "default_pool", 1, "default",
       "BashOperator", T(-3595), T(-3590), T(-3400), 190.0, "worker-1"},
      {2, "etl_hourly", "load", r1, -1, "success", 1, "default_pool", 1, "default", "BashOperator",
       T(-3395), T(-3390), T(-3001), 389.0, "worker-1"},
      {3, "etl_hourly", "extract", r2, -1, "success", 1, "default_pool", 1, "default",
       "BashOperator", T(3), T(4), T(8), 4.0, "worker-2"},
      {4, "etl_hourly", "load", r2, -1, "running", 1, "default_pool", 1, "default", "BashOperator",
       T(9), T(10), null, null, "worker-2"},
      {5, "etl_hourly", "fanout", r2, 0, "running", 1, "default_pool", 2, "default",
       "PythonOperator", T(9), T(11), null, null, "worker-3"},
      {6, "etl_hourly", "fanout", r2, 1, "queued", 1, "default_pool", 1, "default",
       "PythonOperator", T(9), null, null, null, null},
      {7, "etl_hourly", "report", r2, -1, null, 0, "etl", 1, null, null, null, null, null, null,
       null},
      {8, "etl_hourly", "extract", r3, -1, null, 0, "default_pool", 1, "default", "BashOperator",
       null, null, null, null, null},
      {9, "etl_hourly", "extract", r4, -1, "failed", 2, "default_pool", 1, "default",
       "BashOperator", T(-7190), T(-7185), T(-7001), 184.0, "worker-1"},
      {10, "etl_hourly", "load", r4, -1, "upstream_failed", 0, "default_pool", 1, "default",
       "BashOperator", null, null, T(-7000), null, null},
      {11, "manual_only", "notify", r5, -1, "success", 1, "default_pool", 1, "default",
       "EmptyOperator", T(-79197), T(-79196), T(-79196), 0.0, "worker-1"},
  };
  for (const TiRow& r : rows) {
    Cells c = {{"dag_id", r.dag_id},    {"task_id", r.task_id},        {"run_id", r.run_id},
               {"state", r.state},      {"try_number", r.try_number},  {"max_tries", 2},
               {"pool", r.pool},        {"pool_slots", r.pool_slots},  {"queue", r.queue},
               {"priority_weight", 3},  {"operator", r.operator_name}, {"queued_dttm", r.queued},
               {"start_date", r.start}, {"end_date", r.end},           {"duration", r.duration},
               {"hostname", r.hostname}};
    if (s.task_instance_map_index) c.push_back({"map_index", r.map_index});
    if (s.task_instance_updated_at) c.push_back({"updated_at", r.end.is_null() ? r.start : r.end});
    if (s.task_instance_id) c.push_back({"id", TiId(r.n)});
    SLAYER_RETURN_IF_ERROR(Insert(w, "task_instance", c));
  }
  return Status::Ok();
}

Status InsertSlaMisses(db::Connection& w) {
  struct SlaRow {
    std::string task_id, dag_id;
    Timestamp execution_date;
    db::Param timestamp, email_sent, notification_sent;
  };
  std::vector<SlaRow> rows = {
      {"load", "etl_hourly", T(-3600), T(306), false, false},
      {"extract", "etl_hourly", T(-3600), T(306), false, false},
      {"load", "etl_hourly", T(-7200), T(-3294), true, true},
      {"load", "etl_hourly", T(3600), db::Param(), db::Param(), db::Param()},
      {"extract", "etl_hourly", T(-10800), T(-7194), true, true},
      {"notify", "manual_only", T(-79200), T(-79000), false, true},
  };
  for (const SlaRow& r : rows) {
    SLAYER_RETURN_IF_ERROR(Insert(w, "sla_miss",
                                  {{"task_id", r.task_id},
                                   {"dag_id", r.dag_id},
                                   {"execution_date", r.execution_date},
                                   {"timestamp", r.timestamp},
                                   {"email_sent", r.email_sent},
                                   {"notification_sent", r.notification_sent}}));
  }
  return Status::Ok();
}

Status InsertDeadlines(db::Connection& w, const SchemaInfo& s) {
  struct DeadlineRow {
    int n;
    db::Param dagrun_id;
    Timestamp time;
    db::Param callback_state;
    bool missed;
  };
  std::vector<DeadlineRow> rows = {
      {1, 2, T(3600), db::Param(), false},
      {2, 4, T(-7100), "success", true},
      {3, 3, T(7200), db::Param(), false},
      {4, db::Param(), T(1800), db::Param(), false},
  };
  for (const DeadlineRow& r : rows) {
    Cells c = {{"id", Uuid(r.n)}, {"dagrun_id", r.dagrun_id}, {"deadline_time", r.time}};
    if (s.deadline == DeadlineFlavor::kV32) {
      c.push_back({"missed", r.missed});
    } else {
      c.push_back({"callback", R"({"path": "my_company.alerts.page_oncall", "kwargs": {}})"});
      c.push_back({"callback_state", r.callback_state});
    }
    SLAYER_RETURN_IF_ERROR(Insert(w, "deadline", c));
  }
  return Status::Ok();
}

Status InsertJobsAndPools(db::Connection& w) {
  struct JobRow {
    int id;
    std::string type, state, host;
    Timestamp heartbeat, start;
    db::Param end;
  };
  std::vector<JobRow> jobs = {
      {1, "SchedulerJob", "running", "sched-1", T(300), T(-7200), db::Param()},
      {2, "SchedulerJob", "success", "sched-0", T(-60), T(-86400), T(-50)},
      {3, "TriggererJob", "running", "trig-1", T(299), T(-7200), db::Param()},
      {4, "LocalTaskJob", "running", "worker-2", T(298), T(10), db::Param()},
      {5, "SchedulerJob", "failed", "sched-old", T(-30 * 86400), T(-31 * 86400), db::Param()},
  };
  for (const JobRow& j : jobs) {
    SLAYER_RETURN_IF_ERROR(Insert(w, "job",
                                  {{"id", j.id},
                                   {"job_type", j.type},
                                   {"state", j.state},
                                   {"hostname", j.host},
                                   {"latest_heartbeat", j.heartbeat},
                                   {"start_date", j.start},
                                   {"end_date", j.end},
                                   {"executor_class", "LocalExecutor"}}));
  }
  SLAYER_RETURN_IF_ERROR(Insert(w, "slot_pool",
                                {{"id", 1},
                                 {"pool", "default_pool"},
                                 {"slots", 128},
                                 {"description", "Default pool"},
                                 {"include_deferred", false}}));
  return Insert(w, "slot_pool",
                {{"id", 2}, {"pool", "etl"}, {"slots", 4}, {"include_deferred", true}});
}

Status InsertSerializedDags(db::Connection& w, const SchemaInfo& s) {
  std::string manual = Deflate(std::string(kManualDagJson));
  if (!s.serialized_dag_versioned) {
    SLAYER_RETURN_IF_ERROR(Insert(w, "serialized_dag",
                                  {{"dag_id", "etl_hourly"},
                                   {"fileloc", "/opt/airflow/dags/etl.py"},
                                   {"fileloc_hash", int64_t{1234567890123}},
                                   {"data", ReadSchemaFile("samples/serialized_dag-2.10.3.json")},
                                   {"last_updated", T(-60)},
                                   {"dag_hash", "h2"}}));
    Cells c = {{"dag_id", "manual_only"},
               {"fileloc", "/opt/airflow/dags/manual.py"},
               {"fileloc_hash", int64_t{42}},
               {"last_updated", T(-120)},
               {"dag_hash", "m1"}};
    if (s.serialized_dag_data_compressed) {
      c.push_back({"data", db::Param()});
      c.push_back({"data_compressed", db::Param::Blob(manual)});
    } else {
      c.push_back({"data", std::string(kManualDagJson)});
    }
    return Insert(w, "serialized_dag", c);
  }
  struct Version {
    int n;
    std::string dag_id;
    int number;
    std::string_view json;
    bool compressed;
    std::string hash;
    Timestamp at;
  };
  std::vector<Version> versions = {
      {11, "etl_hourly", 1, kEtl31OldJson, false, "h1", T(-86400)},
      {12, "etl_hourly", 2, kEtl31Json, false, "h2", T(-60)},
      {13, "manual_only", 1, kManualDagJson, true, "m1", T(-120)},
  };
  for (const Version& v : versions) {
    SLAYER_RETURN_IF_ERROR(Insert(w, "dag_version",
                                  {{"id", Uuid(v.n)},
                                   {"version_number", v.number},
                                   {"dag_id", v.dag_id},
                                   {"bundle_name", "dags-folder"},
                                   {"created_at", v.at},
                                   {"last_updated", v.at}}));
    Cells c = {{"id", Uuid(v.n + 10)}, {"dag_id", v.dag_id}, {"created_at", v.at},
               {"last_updated", v.at}, {"dag_hash", v.hash}, {"dag_version_id", Uuid(v.n)}};
    if (v.compressed) {
      c.push_back({"data", db::Param()});
      c.push_back({"data_compressed", db::Param::Blob(Deflate(std::string(v.json)))});
    } else {
      c.push_back({"data", std::string(v.json)});
    }
    SLAYER_RETURN_IF_ERROR(Insert(w, "serialized_dag", c));
  }
  return Status::Ok();
}

template <typename T, typename Key>
std::vector<T> SortedBy(std::vector<T> v, Key key) {
  std::sort(v.begin(), v.end(), [&](const T& a, const T& b) { return key(a) < key(b); });
  return v;
}

std::vector<int64_t> RunIds(const std::vector<DagRun>& runs) {
  std::vector<int64_t> ids;
  for (const DagRun& r : runs) ids.push_back(r.id);
  return ids;
}

}  // namespace

std::string ReadSchemaFile(std::string_view relative) {
  std::string path = std::string(SLAYER_SHARED_DIR) + "/airflow-schema/" + std::string(relative);
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot read " << path;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string LoadableDdl(std::string_view ddl) {
  std::string out;
  out.reserve(ddl.size());
  while (!ddl.empty()) {
    size_t nl = ddl.find('\n');
    std::string_view line = ddl.substr(0, nl);
    ddl.remove_prefix(nl == std::string_view::npos ? ddl.size() : nl + 1);
    // sqlite3 .schema also lists the internal sqlite_sequence table, which SQLite creates
    // itself (and refuses to have created).
    bool skip = line.starts_with("\\") || line.starts_with("SET ") ||
                line.starts_with("SELECT pg_catalog.set_config(") ||
                line.starts_with("CREATE TABLE sqlite_sequence");
    if (skip) continue;
    out.append(line);
    out.push_back('\n');
  }
  return out;
}

Status LoadSchemaFile(db::Connection& writer, std::string_view relative) {
  std::string ddl = ReadSchemaFile(relative);
  if (ddl.empty()) return NotFoundError("schema file " + std::string(relative) + " is empty");
  return writer.ExecuteScript(LoadableDdl(ddl)).WithContext("load " + std::string(relative));
}

Timestamp T(int64_t seconds_after_ten) {
  using namespace std::chrono;
  return Timestamp(sys_days(year(2024) / May / 1) + hours(10) + seconds(seconds_after_ten));
}

Status InsertSampleRows(db::Connection& writer, const SchemaInfo& schema) {
  SLAYER_RETURN_IF_ERROR(InsertDags(writer, schema));
  SLAYER_RETURN_IF_ERROR(InsertDagRuns(writer, schema));
  SLAYER_RETURN_IF_ERROR(InsertTaskInstances(writer, schema));
  if (schema.sla_miss_table) SLAYER_RETURN_IF_ERROR(InsertSlaMisses(writer));
  if (schema.deadline == DeadlineFlavor::kV31 || schema.deadline == DeadlineFlavor::kV32) {
    SLAYER_RETURN_IF_ERROR(InsertDeadlines(writer, schema));
  }
  SLAYER_RETURN_IF_ERROR(InsertJobsAndPools(writer));
  return InsertSerializedDags(writer, schema);
}

void ExpectEmpty(AirflowSource& source) {
  const std::vector<std::string> dags = {"etl_hourly", "manual_only"};
  const std::vector<DagRunKey> keys = {{"etl_hourly", "x"}};
  const std::vector<int64_t> ids = {1, 2};
  const std::vector<std::string> deadline_ids = {Uuid(1)};
  auto expect_empty = [](const auto& r, std::string_view what) {
    ASSERT_TRUE(r) << what << ": " << r.error().message();
    EXPECT_TRUE(r->empty()) << what;
  };
  expect_empty(source.Dags(), "Dags");
  expect_empty(source.SerializedDags(dags), "SerializedDags");
  expect_empty(source.ActiveDagRuns(), "ActiveDagRuns");
  expect_empty(source.DagRunsById(ids), "DagRunsById");
  expect_empty(source.DagRunsByKey(keys), "DagRunsByKey");
  expect_empty(source.DagRunsInWindow("etl_hourly", T(-86400), T(0)), "DagRunsInWindow");
  expect_empty(source.DagRunKeysInWindow(dags, T(-86400), T(0), 10), "DagRunKeysInWindow");
  expect_empty(source.LatestSuccessfulDagRuns(dags), "LatestSuccessfulDagRuns");
  expect_empty(source.TaskInstancesOfRuns(keys), "TaskInstancesOfRuns");
  expect_empty(source.FinishedTaskInstanceTimings(keys), "FinishedTaskInstanceTimings");
  expect_empty(source.UnfinishedTaskInstances(dags), "UnfinishedTaskInstances");
  expect_empty(source.UnfinishedTaskInstanceCounts(), "UnfinishedTaskInstanceCounts");
  expect_empty(source.SlaMisses(dags, T(-86400)), "SlaMisses");
  expect_empty(source.OpenSlaMisses(dags), "OpenSlaMisses");
  expect_empty(source.PendingDeadlines(T(-86400), T(86400)), "PendingDeadlines");
  expect_empty(source.DeadlinesOfRuns(ids), "DeadlinesOfRuns");
  expect_empty(source.RunningJobs(), "RunningJobs");
  expect_empty(source.RecentJobs(T(-86400)), "RecentJobs");
  expect_empty(source.Pools(), "Pools");
  auto by_id = source.DeadlinesById(deadline_ids);
  ASSERT_TRUE(by_id) << by_id.error().message();
  ASSERT_EQ(by_id->size(), 1u);
  EXPECT_FALSE((*by_id)[0].exists);
  EXPECT_EQ((*by_id)[0].id, Uuid(1));
}

void ExpectSampleRows(AirflowSource& source) {
  using ::testing::ElementsAre;
  const SchemaInfo& s = source.schema();
  const bool v3 = s.dag_run_logical_date;

  // --- dag + dag_tag ---
  auto dags_r = source.Dags();
  ASSERT_TRUE(dags_r) << dags_r.error().message();
  auto dags = SortedBy(*dags_r, [](const Dag& d) { return d.dag_id; });
  ASSERT_EQ(dags.size(), 3u);
  const Dag& etl = dags[0];
  EXPECT_EQ(etl.dag_id, "etl_hourly");
  EXPECT_FALSE(etl.is_paused);
  EXPECT_TRUE(etl.is_active);
  EXPECT_THAT(etl.owners, ElementsAre("data-eng", "ops"));
  EXPECT_THAT(etl.tags, ElementsAre("critical", "etl"));
  EXPECT_EQ(etl.schedule, "0 * * * *");
  EXPECT_EQ(etl.timetable_description, "At 0 minutes past the hour");
  EXPECT_EQ(etl.next_dagrun, T(0));
  EXPECT_EQ(etl.next_dagrun_data_interval_start, T(0));
  EXPECT_EQ(etl.next_dagrun_data_interval_end, T(3600));
  EXPECT_EQ(etl.next_dagrun_create_after, T(3600));
  EXPECT_EQ(etl.fileloc, "/opt/airflow/dags/etl.py");
  EXPECT_EQ(etl.has_import_errors, std::optional<bool>(false));
  const Dag& delta = dags[1];
  EXPECT_EQ(delta.dag_id, "every_hour_delta");
  EXPECT_FALSE(delta.is_paused);  // NULL
  EXPECT_TRUE(delta.is_active);   // NULL
  EXPECT_TRUE(delta.owners.empty());
  EXPECT_TRUE(delta.tags.empty());
  EXPECT_EQ(delta.schedule, v3 ? "1:00:00" : "1h");
  EXPECT_EQ(delta.timetable_description, std::nullopt);
  EXPECT_EQ(delta.next_dagrun, std::nullopt);
  EXPECT_EQ(delta.fileloc, std::nullopt);
  EXPECT_EQ(delta.has_import_errors, std::nullopt);
  const Dag& manual = dags[2];
  EXPECT_EQ(manual.dag_id, "manual_only");
  EXPECT_TRUE(manual.is_paused);
  EXPECT_FALSE(manual.is_active);
  EXPECT_THAT(manual.owners, ElementsAre("airflow"));
  EXPECT_EQ(manual.schedule, std::nullopt);
  EXPECT_EQ(manual.has_import_errors, std::optional<bool>(true));

  // --- dag_run ---
  auto active = source.ActiveDagRuns();
  ASSERT_TRUE(active) << active.error().message();
  auto runs = SortedBy(*active, [](const DagRun& r) { return r.id; });
  ASSERT_EQ(runs.size(), 2u);
  const DagRun& running = runs[0];
  EXPECT_EQ(running.id, 2);
  EXPECT_EQ(running.dag_id, "etl_hourly");
  EXPECT_EQ(running.run_id, "scheduled__2024-05-01T09:00:00+00:00");
  EXPECT_EQ(running.logical_date, T(-3600));
  EXPECT_EQ(running.run_after, T(0));
  EXPECT_EQ(running.data_interval_start, T(-3600));
  EXPECT_EQ(running.data_interval_end, T(0));
  EXPECT_EQ(running.queued_at, T(1));
  EXPECT_EQ(running.start_date, T(2) + Duration(123456));
  EXPECT_EQ(running.end_date, std::nullopt);
  EXPECT_EQ(running.state, DagRunState::kRunning);
  EXPECT_EQ(running.state_text, "running");
  EXPECT_EQ(running.run_type, "scheduled");
  EXPECT_EQ(running.updated_at, T(2) + Duration(123456));
  if (v3) {
    EXPECT_EQ(running.external_trigger, std::nullopt);
    EXPECT_EQ(running.triggered_by, "timetable");
  } else {
    EXPECT_EQ(running.external_trigger, std::optional<bool>(false));
    EXPECT_EQ(running.triggered_by, std::nullopt);
  }
  const DagRun& queued = runs[1];
  EXPECT_EQ(queued.id, 3);
  EXPECT_EQ(queued.state, DagRunState::kQueued);
  EXPECT_EQ(queued.run_type, "manual");
  EXPECT_EQ(queued.logical_date, v3 ? std::nullopt : std::optional<Timestamp>(T(300)));
  EXPECT_EQ(queued.run_after, T(300));
  EXPECT_EQ(queued.data_interval_start, std::nullopt);
  EXPECT_EQ(queued.data_interval_end, std::nullopt);
  EXPECT_EQ(queued.start_date, std::nullopt);
  EXPECT_EQ(queued.updated_at, std::nullopt);
  if (v3) {
    EXPECT_EQ(queued.triggered_by, "ui");
  } else {
    EXPECT_EQ(queued.external_trigger, std::optional<bool>(true));
  }

  const std::vector<int64_t> ids = {1, 5, 99};
  auto by_id = source.DagRunsById(ids);
  ASSERT_TRUE(by_id) << by_id.error().message();
  EXPECT_THAT(RunIds(SortedBy(*by_id, [](const DagRun& r) { return r.id; })), ElementsAre(1, 5));
  const DagRun* first = by_id->front().id == 1 ? &by_id->front() : &by_id->back();
  EXPECT_EQ(first->state, DagRunState::kSuccess);
  EXPECT_EQ(first->end_date, T(-3000));
  EXPECT_EQ(first->run_after, T(-3600));  // 2.x: data_interval_end

  const std::vector<DagRunKey> keys = {{"etl_hourly", "scheduled__2024-05-01T08:00:00+00:00"},
                                       {"manual_only", "manual__2024-04-30T12:00:00+00:00"},
                                       {"etl_hourly", "no_such_run"}};
  auto by_key = source.DagRunsByKey(keys);
  ASSERT_TRUE(by_key) << by_key.error().message();
  EXPECT_THAT(RunIds(SortedBy(*by_key, [](const DagRun& r) { return r.id; })), ElementsAre(1, 5));

  auto window = source.DagRunsInWindow("etl_hourly", T(-10800), T(0));
  ASSERT_TRUE(window) << window.error().message();
  EXPECT_THAT(RunIds(*window), ElementsAre(4, 1, 2));

  const std::vector<std::string> all_dags = {"etl_hourly", "manual_only", "every_hour_delta"};
  auto latest = source.LatestSuccessfulDagRuns(all_dags);
  ASSERT_TRUE(latest) << latest.error().message();
  EXPECT_THAT(RunIds(SortedBy(*latest, [](const DagRun& r) { return r.id; })), ElementsAre(1, 5));

  // --- task_instance ---
  const std::vector<DagRunKey> run2 = {{"etl_hourly", "scheduled__2024-05-01T09:00:00+00:00"}};
  auto tis_r = source.TaskInstancesOfRuns(run2);
  ASSERT_TRUE(tis_r) << tis_r.error().message();
  auto tis =
      SortedBy(*tis_r, [](const TaskInstance& t) { return std::pair(t.task_id, t.map_index); });
  ASSERT_EQ(tis.size(), 5u);
  EXPECT_EQ(tis[0].task_id, "extract");
  EXPECT_EQ(tis[0].state, TaskInstanceState::kSuccess);
  EXPECT_EQ(tis[0].duration, std::optional<double>(4.0));
  EXPECT_EQ(tis[1].task_id, "fanout");
  EXPECT_EQ(tis[1].map_index, 0);
  EXPECT_EQ(tis[2].map_index, 1);
  EXPECT_EQ(tis[2].state, TaskInstanceState::kQueued);
  EXPECT_EQ(tis[2].start_date, std::nullopt);
  const TaskInstance& load = tis[3];
  EXPECT_EQ(load.dag_id, "etl_hourly");
  EXPECT_EQ(load.task_id, "load");
  EXPECT_EQ(load.run_id, "scheduled__2024-05-01T09:00:00+00:00");
  EXPECT_EQ(load.map_index, -1);
  if (s.task_instance_id) {
    ASSERT_TRUE(load.id.has_value());
    EXPECT_EQ(NoDashes(*load.id), NoDashes(TiId(4)));
  } else {
    EXPECT_EQ(load.id, std::nullopt);
  }
  EXPECT_EQ(load.state, TaskInstanceState::kRunning);
  EXPECT_EQ(load.state_text, "running");
  EXPECT_EQ(load.try_number, 1);
  EXPECT_EQ(load.max_tries, 2);
  EXPECT_EQ(load.pool, "default_pool");
  EXPECT_EQ(load.queue, "default");
  EXPECT_EQ(load.priority_weight, 3);
  EXPECT_EQ(load.operator_name, "BashOperator");
  EXPECT_EQ(load.queued_dttm, T(9));
  EXPECT_EQ(load.start_date, T(10));
  EXPECT_EQ(load.end_date, std::nullopt);
  EXPECT_EQ(load.duration, std::nullopt);
  EXPECT_EQ(load.hostname, "worker-2");
  EXPECT_EQ(load.updated_at,
            s.task_instance_updated_at ? std::optional<Timestamp>(T(10)) : std::nullopt);
  const TaskInstance& report = tis[4];
  EXPECT_EQ(report.task_id, "report");
  EXPECT_EQ(report.state, TaskInstanceState::kNone);
  EXPECT_EQ(report.state_text, std::nullopt);
  EXPECT_EQ(report.try_number, 0);
  EXPECT_EQ(report.pool, "etl");
  EXPECT_EQ(report.queue, std::nullopt);
  EXPECT_EQ(report.operator_name, std::nullopt);
  EXPECT_EQ(report.queued_dttm, std::nullopt);
  EXPECT_EQ(report.hostname, std::nullopt);

  const std::vector<DagRunKey> runs14 = {{"etl_hourly", "scheduled__2024-05-01T08:00:00+00:00"},
                                         {"etl_hourly", "scheduled__2024-05-01T07:00:00+00:00"}};
  auto finished = source.TaskInstancesOfRuns(runs14);
  ASSERT_TRUE(finished) << finished.error().message();
  EXPECT_EQ(finished->size(), 4u);
  for (const TaskInstance& t : *finished) EXPECT_TRUE(IsFinished(t.state)) << t.task_id;

  // Task analytics: the runs of a window by logical date, then their finished task instances.
  const std::vector<std::string> two_dags = {"etl_hourly", "manual_only"};
  auto run_keys = source.DagRunKeysInWindow(two_dags, T(-10800), T(0), 10);
  ASSERT_TRUE(run_keys) << run_keys.error().message();
  std::sort(run_keys->begin(), run_keys->end());
  EXPECT_THAT(*run_keys,
              ElementsAre(DagRunKey{"etl_hourly", "scheduled__2024-05-01T07:00:00+00:00"},
                          DagRunKey{"etl_hourly", "scheduled__2024-05-01T08:00:00+00:00"},
                          DagRunKey{"etl_hourly", "scheduled__2024-05-01T09:00:00+00:00"}));
  auto limited = source.DagRunKeysInWindow(two_dags, T(-86400), T(0), 2);
  ASSERT_TRUE(limited) << limited.error().message();
  EXPECT_EQ(limited->size(), 2u);  // of the 4 in that window
  auto manual_keys = source.DagRunKeysInWindow(std::vector<std::string>{"manual_only"},
                                               T(-86400), T(0), 10);
  ASSERT_TRUE(manual_keys) << manual_keys.error().message();
  EXPECT_EQ(manual_keys->size(), 1u);

  std::vector<DagRunKey> runs142 = runs14;
  runs142.push_back(run2[0]);
  auto timings_r = source.FinishedTaskInstanceTimings(runs142);
  ASSERT_TRUE(timings_r) << timings_r.error().message();
  auto timings = SortedBy(*timings_r, [](const TaskInstanceTiming& t) {
    return std::pair(t.run_id, t.task_id);
  });
  ASSERT_EQ(timings.size(), 5u);  // not the running, queued and NULL ones of run 2
  const TaskInstanceTiming& failed = timings[0];
  EXPECT_EQ(failed.dag_id, "etl_hourly");
  EXPECT_EQ(failed.run_id, "scheduled__2024-05-01T07:00:00+00:00");
  EXPECT_EQ(failed.task_id, "extract");
  EXPECT_EQ(failed.map_index, -1);
  EXPECT_EQ(failed.state, TaskInstanceState::kFailed);
  EXPECT_EQ(failed.try_number, 2);
  EXPECT_EQ(failed.queued_dttm, T(-7190));
  EXPECT_EQ(failed.start_date, T(-7185));
  EXPECT_EQ(failed.end_date, T(-7001));
  const TaskInstanceTiming& upstream = timings[1];
  EXPECT_EQ(upstream.task_id, "load");
  EXPECT_EQ(upstream.state, TaskInstanceState::kUpstreamFailed);
  EXPECT_EQ(upstream.try_number, 0);
  EXPECT_EQ(upstream.queued_dttm, std::nullopt);
  EXPECT_EQ(upstream.start_date, std::nullopt);
  EXPECT_EQ(upstream.end_date, T(-7000));
  EXPECT_EQ(timings[2].state, TaskInstanceState::kSuccess);
  EXPECT_EQ(timings[2].start_date, T(-3590));
  EXPECT_EQ(timings[4].run_id, "scheduled__2024-05-01T09:00:00+00:00");
  EXPECT_EQ(timings[4].task_id, "extract");
  EXPECT_EQ(timings[4].end_date, T(8));

  const std::vector<std::string> etl_only = {"etl_hourly"};
  auto unfinished = source.UnfinishedTaskInstances(etl_only);
  ASSERT_TRUE(unfinished) << unfinished.error().message();
  EXPECT_EQ(unfinished->size(), 5u);
  for (const TaskInstance& t : *unfinished) EXPECT_FALSE(IsFinished(t.state)) << t.task_id;
  const std::vector<std::string> manual_only = {"manual_only"};
  auto none = source.UnfinishedTaskInstances(manual_only);
  ASSERT_TRUE(none) << none.error().message();
  EXPECT_TRUE(none->empty());

  auto counts_r = source.UnfinishedTaskInstanceCounts();
  ASSERT_TRUE(counts_r) << counts_r.error().message();
  auto counts = SortedBy(*counts_r, [](const TaskInstanceCount& c) {
    return std::tuple(TaskInstanceStateName(c.state), c.pool, c.queue.value_or(""));
  });
  ASSERT_EQ(counts.size(), 4u);
  EXPECT_EQ(counts[0].state, TaskInstanceState::kNone);
  EXPECT_EQ(counts[0].pool, "default_pool");
  EXPECT_EQ(counts[0].queue, "default");
  EXPECT_EQ(counts[0].count, 1);
  EXPECT_EQ(counts[1].state, TaskInstanceState::kNone);
  EXPECT_EQ(counts[1].pool, "etl");
  EXPECT_EQ(counts[1].queue, std::nullopt);
  EXPECT_EQ(counts[1].count, 1);
  EXPECT_EQ(counts[2].state, TaskInstanceState::kQueued);
  EXPECT_EQ(counts[2].count, 1);
  EXPECT_EQ(counts[2].pool_slots, 1);
  EXPECT_EQ(counts[3].state, TaskInstanceState::kRunning);
  EXPECT_EQ(counts[3].pool, "default_pool");
  EXPECT_EQ(counts[3].count, 2);
  EXPECT_EQ(counts[3].pool_slots, 3);

  // --- sla_miss (2.x only) ---
  auto misses = source.SlaMisses(etl_only, T(-7200));
  ASSERT_TRUE(misses) << misses.error().message();
  const std::vector<std::string> both = {"etl_hourly", "manual_only"};
  auto open = source.OpenSlaMisses(both);
  ASSERT_TRUE(open) << open.error().message();
  if (v3) {
    EXPECT_TRUE(misses->empty());
    EXPECT_TRUE(open->empty());
  } else {
    auto m =
        SortedBy(*misses, [](const SlaMiss& x) { return std::pair(x.execution_date, x.task_id); });
    ASSERT_EQ(m.size(), 4u);
    EXPECT_EQ(m[0].execution_date, T(-7200));
    EXPECT_EQ(m[0].task_id, "load");
    EXPECT_TRUE(m[0].email_sent);
    EXPECT_TRUE(m[0].notification_sent);
    EXPECT_EQ(m[1].task_id, "extract");
    EXPECT_EQ(m[1].dag_id, "etl_hourly");
    EXPECT_EQ(m[1].timestamp, T(306));
    EXPECT_FALSE(m[1].email_sent);
    EXPECT_EQ(m[1].run_id, std::nullopt);
    EXPECT_EQ(m[3].execution_date, T(3600));
    EXPECT_EQ(m[3].timestamp, std::nullopt);
    EXPECT_FALSE(m[3].email_sent);
    EXPECT_FALSE(m[3].notification_sent);
    auto o = SortedBy(*open, [](const SlaMiss& x) { return x.execution_date; });
    ASSERT_EQ(o.size(), 2u);
    EXPECT_EQ(o[0].task_id, "extract");
    EXPECT_EQ(o[0].execution_date, T(-10800));
    EXPECT_EQ(o[0].run_id, "scheduled__2024-05-01T07:00:00+00:00");
    EXPECT_EQ(o[1].task_id, "load");
    EXPECT_EQ(o[1].execution_date, T(-3600));
    EXPECT_EQ(o[1].run_id, "scheduled__2024-05-01T09:00:00+00:00");
  }

  // --- deadline (3.1+) ---
  auto pending = source.PendingDeadlines(T(0), T(7200));
  ASSERT_TRUE(pending) << pending.error().message();
  const std::vector<int64_t> dagruns = {2, 4};
  auto of_runs = source.DeadlinesOfRuns(dagruns);
  ASSERT_TRUE(of_runs) << of_runs.error().message();
  const std::vector<std::string> lookup = {Uuid(2), Uuid(99)};
  auto looked_up = source.DeadlinesById(lookup);
  ASSERT_TRUE(looked_up) << looked_up.error().message();
  ASSERT_EQ(looked_up->size(), 2u);
  EXPECT_FALSE((*looked_up)[1].exists);
  EXPECT_EQ((*looked_up)[1].id, Uuid(99));
  if (s.deadline == DeadlineFlavor::kV31 || s.deadline == DeadlineFlavor::kV32) {
    bool v32 = s.deadline == DeadlineFlavor::kV32;
    auto p = SortedBy(*pending, [](const Deadline& d) { return d.deadline_time; });
    ASSERT_EQ(p.size(), 2u);
    EXPECT_EQ(NoDashes(p[0].id), Uuid(4));
    EXPECT_EQ(p[0].dagrun_id, std::nullopt);
    EXPECT_EQ(p[0].dag_id, std::nullopt);
    EXPECT_EQ(p[0].deadline_time, T(1800));
    EXPECT_TRUE(p[0].IsPending());
    EXPECT_EQ(NoDashes(p[1].id), Uuid(1));
    EXPECT_EQ(p[1].dagrun_id, 2);
    EXPECT_EQ(p[1].dag_id, "etl_hourly");
    EXPECT_EQ(p[1].run_id, "scheduled__2024-05-01T09:00:00+00:00");
    EXPECT_EQ(p[1].deadline_time, T(3600));
    EXPECT_EQ(p[1].callback_state, std::nullopt);
    EXPECT_EQ(p[1].missed, v32 ? std::optional<bool>(false) : std::nullopt);
    auto r = SortedBy(*of_runs, [](const Deadline& d) { return d.deadline_time; });
    ASSERT_EQ(r.size(), 2u);
    EXPECT_EQ(r[0].dagrun_id, 4);
    EXPECT_EQ(r[0].deadline_time, T(-7100));
    EXPECT_FALSE(r[0].IsPending());
    if (!v32) {
      EXPECT_EQ(r[0].callback_state, "success");
    }
    EXPECT_EQ(r[1].dagrun_id, 2);
    EXPECT_TRUE((*looked_up)[0].exists);
    EXPECT_EQ(NoDashes((*looked_up)[0].id), Uuid(2));
    EXPECT_EQ((*looked_up)[0].dagrun_id, 4);
    EXPECT_EQ((*looked_up)[0].run_id, "scheduled__2024-05-01T07:00:00+00:00");
  } else {
    EXPECT_TRUE(pending->empty());
    EXPECT_TRUE(of_runs->empty());
    EXPECT_FALSE((*looked_up)[0].exists);
  }

  // --- job ---
  auto jobs = source.RunningJobs();
  ASSERT_TRUE(jobs) << jobs.error().message();
  auto running_jobs = SortedBy(*jobs, [](const Job& j) { return j.id; });
  ASSERT_EQ(running_jobs.size(), 3u);
  EXPECT_EQ(running_jobs[0].id, 1);
  EXPECT_EQ(running_jobs[0].job_type, "SchedulerJob");
  EXPECT_EQ(running_jobs[0].state, "running");
  EXPECT_EQ(running_jobs[0].hostname, "sched-1");
  EXPECT_EQ(running_jobs[0].latest_heartbeat, T(300));
  EXPECT_EQ(running_jobs[0].start_date, T(-7200));
  EXPECT_EQ(running_jobs[0].end_date, std::nullopt);
  EXPECT_EQ(running_jobs[1].id, 3);
  EXPECT_EQ(running_jobs[2].id, 4);
  auto recent = source.RecentJobs(T(-3600));
  ASSERT_TRUE(recent) << recent.error().message();
  auto recent_jobs = SortedBy(*recent, [](const Job& j) { return j.id; });
  ASSERT_EQ(recent_jobs.size(), 3u);
  EXPECT_EQ(recent_jobs[1].id, 2);
  EXPECT_EQ(recent_jobs[1].state, "success");
  EXPECT_EQ(recent_jobs[1].end_date, T(-50));
  EXPECT_EQ(recent_jobs[2].id, 3);

  // --- slot_pool ---
  auto pools_r = source.Pools();
  ASSERT_TRUE(pools_r) << pools_r.error().message();
  auto pools = SortedBy(*pools_r, [](const Pool& p) { return p.name; });
  ASSERT_EQ(pools.size(), 2u);
  EXPECT_EQ(pools[0].name, "default_pool");
  EXPECT_EQ(pools[0].slots, 128);
  EXPECT_FALSE(pools[0].include_deferred);
  EXPECT_EQ(pools[1].name, "etl");
  EXPECT_EQ(pools[1].slots, 4);
  EXPECT_TRUE(pools[1].include_deferred);

  // --- serialized_dag ---
  auto sd_r = source.SerializedDags(all_dags);
  ASSERT_TRUE(sd_r) << sd_r.error().message();
  auto sd = SortedBy(*sd_r, [](const SerializedDag& d) { return d.dag_id; });
  ASSERT_EQ(sd.size(), 2u);
  const SerializedDag& etl_sd = sd[0];
  EXPECT_EQ(etl_sd.dag_id, "etl_hourly");
  EXPECT_EQ(etl_sd.dag_hash, "h2");
  EXPECT_EQ(etl_sd.last_updated, T(-60));
  EXPECT_EQ(etl_sd.timetable.kind, Timetable::Kind::kCron);
  if (s.serialized_dag_versioned) {
    EXPECT_EQ(etl_sd.version_number, 2);
    EXPECT_EQ(etl_sd.format_version, 3);
    EXPECT_EQ(etl_sd.timetable.cron, "0 * * * *");
    EXPECT_EQ(etl_sd.timetable.time_zone, "Europe/Berlin");
    EXPECT_FALSE(etl_sd.timetable.data_interval);
    ASSERT_EQ(etl_sd.deadline_alerts.size(), 1u);
    EXPECT_EQ(etl_sd.deadline_alerts[0].reference_type, "DagRunQueuedAtDeadline");
    EXPECT_EQ(etl_sd.deadline_alerts[0].interval, std::chrono::hours(1));
    ASSERT_EQ(etl_sd.tasks.size(), 2u);
    EXPECT_EQ(etl_sd.tasks[1].pool, "etl");
    EXPECT_THAT(etl_sd.tasks[1].upstream_task_ids, ElementsAre("extract"));
  } else {
    EXPECT_EQ(etl_sd.version_number, std::nullopt);
    EXPECT_EQ(etl_sd.format_version, 1);
    EXPECT_EQ(etl_sd.timetable.cron, "*/2 * * * *");
    ASSERT_EQ(etl_sd.tasks.size(), 2u);
    EXPECT_EQ(etl_sd.tasks[0].sla, std::chrono::seconds(300));
    EXPECT_EQ(etl_sd.tasks[1].sla, std::chrono::seconds(300));
  }
  const SerializedDag& manual_sd = sd[1];
  EXPECT_EQ(manual_sd.dag_id, "manual_only");
  EXPECT_EQ(manual_sd.timetable.kind, Timetable::Kind::kNone);
  ASSERT_EQ(manual_sd.tasks.size(), 1u);
  EXPECT_EQ(manual_sd.tasks[0].task_id, "notify");
  EXPECT_THAT(manual_sd.owners, ElementsAre("airflow"));
}

TempSqliteDb::TempSqliteDb() {
  static std::atomic<int> counter{0};
  dir_ = std::filesystem::temp_directory_path() /
         ("slayer-airflow-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
  std::filesystem::remove_all(dir_);
  std::filesystem::create_directories(dir_);
}

TempSqliteDb::~TempSqliteDb() {
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

std::unique_ptr<db::Connection> TempSqliteDb::Writer() { return Open(false); }
std::unique_ptr<db::Connection> TempSqliteDb::Reader() { return Open(true); }

std::unique_ptr<db::Connection> TempSqliteDb::Open(bool read_only) {
  auto dsn = db::Dsn::Parse("sqlite://" + (dir_ / "airflow.db").string());
  EXPECT_TRUE(dsn) << dsn.error().message();
  if (!dsn) return nullptr;
  db::ConnectOptions options;
  options.read_only = read_only;
  auto c = db::Connect(*dsn, options);
  EXPECT_TRUE(c) << c.error().message();
  return c ? std::move(*c) : nullptr;
}

}  // namespace slayer::airflow::testing

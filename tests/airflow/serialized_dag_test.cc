#include "airflow/serialized_dag.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <zlib.h>

#include "airflow_test_db.h"

namespace slayer::airflow {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::string Deflate(const std::string& text) {
  uLongf size = compressBound(text.size());
  std::string out(size, '\0');
  compress(reinterpret_cast<Bytef*>(out.data()), &size, reinterpret_cast<const Bytef*>(text.data()),
           text.size());
  out.resize(size);
  return out;
}

void ExpectReal2103Sample(const SerializedDag& dag) {
  EXPECT_EQ(dag.dag_id, "hourly_like_ok");
  EXPECT_EQ(dag.format_version, 1);
  EXPECT_EQ(dag.timetable.kind, Timetable::Kind::kCron);
  EXPECT_EQ(dag.timetable.type_name, "airflow.timetables.interval.CronDataIntervalTimetable");
  EXPECT_EQ(dag.timetable.cron, "*/2 * * * *");
  EXPECT_EQ(dag.timetable.time_zone, "UTC");
  EXPECT_TRUE(dag.timetable.data_interval);
  EXPECT_EQ(dag.catchup, std::optional<bool>(false));
  EXPECT_THAT(dag.owners, ElementsAre("team-ingest"));
  EXPECT_THAT(dag.tags, ElementsAre("ingest", "critical"));
  ASSERT_EQ(dag.tasks.size(), 2u);
  const SerializedTask& extract = dag.tasks[0];
  EXPECT_EQ(extract.task_id, "extract");
  EXPECT_EQ(extract.sla, std::chrono::seconds(300));
  EXPECT_THAT(extract.downstream_task_ids, ElementsAre("load"));
  EXPECT_TRUE(extract.upstream_task_ids.empty());
  EXPECT_EQ(extract.pool, "default_pool");
  EXPECT_EQ(extract.queue, "default");
  EXPECT_EQ(extract.owner, "team-ingest");
  EXPECT_EQ(extract.task_type, "BashOperator");
  const SerializedTask* load = dag.FindTask("load");
  ASSERT_NE(load, nullptr);
  EXPECT_EQ(load->sla, std::chrono::seconds(300));
  EXPECT_THAT(load->upstream_task_ids, ElementsAre("extract"));
  EXPECT_TRUE(load->downstream_task_ids.empty());
  EXPECT_EQ(dag.FindTask("nope"), nullptr);
  EXPECT_TRUE(dag.deadline_alerts.empty());
}

TEST(SerializedDagTest, ParsesTheReal2103Sample) {
  std::string json = testing::ReadSchemaFile("samples/serialized_dag-2.10.3.json");
  auto dag = ParseSerializedDag(json, "hourly_like_ok");
  ASSERT_TRUE(dag) << dag.error().message();
  ExpectReal2103Sample(*dag);
}

TEST(SerializedDagTest, DecodesTheCompressedVariant) {
  std::string json = testing::ReadSchemaFile("samples/serialized_dag-2.10.3.json");
  std::string compressed = Deflate(json);
  auto dag = DecodeSerializedDag(std::nullopt, compressed, "hourly_like_ok");
  ASSERT_TRUE(dag) << dag.error().message();
  ExpectReal2103Sample(*dag);
  // `data` wins when both are there.
  auto both = DecodeSerializedDag(std::string_view(json), std::string_view("junk"), "x");
  ASSERT_TRUE(both) << both.error().message();
}

TEST(SerializedDagTest, CorruptInputIsDataLossNamingTheDag) {
  auto bad_json = ParseSerializedDag("{\"__version\": 1, \"dag\": {", "broken_dag");
  ASSERT_FALSE(bad_json);
  EXPECT_EQ(bad_json.error().code(), StatusCode::kDataLoss);
  EXPECT_THAT(bad_json.error().message(), HasSubstr("'broken_dag'"));

  auto no_dag = ParseSerializedDag("[1, 2]", "weird");
  ASSERT_FALSE(no_dag);
  EXPECT_EQ(no_dag.error().code(), StatusCode::kDataLoss);
  EXPECT_THAT(no_dag.error().message(), HasSubstr("'weird'"));

  auto bad_zlib = DecodeSerializedDag(std::nullopt, std::string_view("not zlib"), "zipped");
  ASSERT_FALSE(bad_zlib);
  EXPECT_EQ(bad_zlib.error().code(), StatusCode::kDataLoss);
  EXPECT_THAT(bad_zlib.error().message(), HasSubstr("'zipped'"));

  std::string truncated = Deflate(std::string(4000, 'x')).substr(0, 10);
  auto cut = InflateSerializedDag(truncated, "cut");
  ASSERT_FALSE(cut);
  EXPECT_EQ(cut.error().code(), StatusCode::kDataLoss);

  auto neither = DecodeSerializedDag(std::nullopt, std::nullopt, "empty_row");
  ASSERT_FALSE(neither);
  EXPECT_THAT(neither.error().message(), HasSubstr("'empty_row'"));
}

TEST(SerializedDagTest, ParsesAnAirflow31DagWithDeadlineAlerts) {
  constexpr std::string_view kJson = R"({
    "__version": 3,
    "dag": {
      "dag_id": "orders", "timezone": "Europe/Berlin", "catchup": false,
      "tags": {"__type": "set", "__var": ["finance", "critical"]},
      "timetable": {"__type": "airflow.timetables.trigger.CronTriggerTimetable",
        "__var": {"expression": "@daily", "timezone": "America/New_York", "interval": 0.0,
                  "run_immediately": false}},
      "deadline": [
        {"__type": "deadline_alert", "__var": {
          "reference": {"reference_type": "DagRunQueuedAtDeadline"}, "interval": 3600.0,
          "callback": {"__classname__": "airflow.sdk.definitions.deadline.AsyncCallback",
            "__version__": 0, "__data__": {"path": "alerts.page", "kwargs": {"team": "x"}}}}},
        {"__type": "deadline_alert", "__var": {
          "reference": {"reference_type": "FixedDatetimeDeadline", "datetime": 1735732800.0},
          "interval": -900.0, "callback": {"__data__": {"path": "alerts.mail"}}}},
        {"__type": "deadline_alert", "__var": {
          "reference": {"reference_type": "AverageRuntimeDeadline", "max_runs": 10,
                        "min_runs": 3},
          "interval": {"__type": "timedelta", "__var": 600.0}}},
        {"__type": "deadline_alert", "__var": {"reference": {"reference_type": "SomethingNew"}}}
      ],
      "tasks": [
        {"__type": "operator", "__var": {"task_id": "a", "downstream_task_ids": ["b", "c"],
          "owner": "fin", "task_type": "PythonOperator"}},
        {"__type": "operator", "__var": {"task_id": "b", "downstream_task_ids": ["c"],
          "queue": "gpu"}},
        {"__type": "operator", "__var": {"task_id": "c", "owner": "ops"}}
      ]
    },
    "client_defaults": {"tasks": {"pool": "shared_pool", "queue": "celery", "owner": "fin"}}
  })";
  auto dag = ParseSerializedDag(kJson, "orders");
  ASSERT_TRUE(dag) << dag.error().message();
  EXPECT_EQ(dag->dag_id, "orders");
  EXPECT_EQ(dag->format_version, 3);
  EXPECT_EQ(dag->timetable.kind, Timetable::Kind::kCron);
  EXPECT_EQ(dag->timetable.cron, "0 0 * * *");
  EXPECT_EQ(dag->timetable.time_zone, "America/New_York");  // the timetable's wins
  EXPECT_FALSE(dag->timetable.data_interval);
  EXPECT_EQ(dag->catchup, std::optional<bool>(false));
  EXPECT_THAT(dag->tags, ElementsAre("finance", "critical"));
  EXPECT_THAT(dag->owners, ElementsAre("fin", "ops"));
  ASSERT_EQ(dag->tasks.size(), 3u);
  EXPECT_EQ(dag->tasks[0].pool, "shared_pool");
  EXPECT_EQ(dag->tasks[0].queue, "celery");
  EXPECT_EQ(dag->tasks[0].task_type, "PythonOperator");
  EXPECT_EQ(dag->tasks[0].sla, std::nullopt);
  EXPECT_EQ(dag->tasks[1].queue, "gpu");
  EXPECT_THAT(dag->tasks[1].upstream_task_ids, ElementsAre("a"));
  EXPECT_THAT(dag->tasks[2].upstream_task_ids, ElementsAre("a", "b"));

  ASSERT_EQ(dag->deadline_alerts.size(), 4u);
  const DeadlineAlert& queued = dag->deadline_alerts[0];
  EXPECT_EQ(queued.reference_type, "DagRunQueuedAtDeadline");
  EXPECT_EQ(queued.interval, std::chrono::hours(1));
  EXPECT_EQ(queued.callback_path, "alerts.page");
  EXPECT_EQ(queued.fixed_datetime, std::nullopt);
  const DeadlineAlert& fixed = dag->deadline_alerts[1];
  EXPECT_EQ(fixed.reference_type, "FixedDatetimeDeadline");
  EXPECT_EQ(fixed.interval, -std::chrono::minutes(15));
  ASSERT_TRUE(fixed.fixed_datetime.has_value());
  EXPECT_EQ(FormatRfc3339(*fixed.fixed_datetime), "2025-01-01T12:00:00Z");
  const DeadlineAlert& average = dag->deadline_alerts[2];
  EXPECT_EQ(average.max_runs, 10);
  EXPECT_EQ(average.min_runs, 3);
  EXPECT_EQ(average.interval, std::chrono::minutes(10));
  EXPECT_EQ(average.callback_path, "");
  EXPECT_EQ(dag->deadline_alerts[3].reference_type, "SomethingNew");
  EXPECT_EQ(dag->deadline_alerts[3].interval, std::nullopt);
}

Timetable TimetableOf(std::string_view dag_body, int version = 2) {
  std::string json =
      "{\"__version\": " + std::to_string(version) + ", \"dag\": {" + std::string(dag_body) + "}}";
  auto dag = ParseSerializedDag(json, "t");
  EXPECT_TRUE(dag) << dag.error().message();
  return dag ? dag->timetable : Timetable{};
}

TEST(SerializedDagTest, ReadsEveryTimetableShapeLeniently) {
  Timetable delta = TimetableOf(
      R"("timezone": "Asia/Kolkata", "timetable": {"__type":
      "airflow.timetables.interval.DeltaDataIntervalTimetable", "__var": {"delta": 5400.0}})");
  EXPECT_EQ(delta.kind, Timetable::Kind::kDelta);
  EXPECT_EQ(delta.delta, std::chrono::minutes(90));
  EXPECT_EQ(delta.time_zone, "Asia/Kolkata");  // from the DAG
  EXPECT_TRUE(delta.data_interval);

  Timetable weekly = TimetableOf(R"("timetable": {"__type":
      "airflow.timetables.interval.DeltaDataIntervalTimetable", "__var": {"delta": {"days": 7,
      "hours": 1}}})");
  EXPECT_EQ(weekly.kind, Timetable::Kind::kDelta);
  EXPECT_EQ(weekly.delta, std::chrono::hours(169));

  Timetable monthly = TimetableOf(R"("timetable": {"__type":
      "airflow.timetables.interval.DeltaDataIntervalTimetable", "__var": {"delta": {"months":
      1}}})");
  EXPECT_EQ(monthly.kind, Timetable::Kind::kOther);

  Timetable trigger_delta = TimetableOf(R"("timetable": {"__type":
      "airflow.timetables.trigger.DeltaTriggerTimetable", "__var": {"delta": 60.0}})");
  EXPECT_EQ(trigger_delta.kind, Timetable::Kind::kDelta);
  EXPECT_FALSE(trigger_delta.data_interval);

  Timetable fixed_offset = TimetableOf(R"("timetable": {"__type":
      "airflow.timetables.interval.CronDataIntervalTimetable", "__var": {"expression":
      "0 6 * * *", "timezone": -10800}})");
  EXPECT_EQ(fixed_offset.kind, Timetable::Kind::kCron);
  EXPECT_EQ(fixed_offset.time_zone, "-03:00");

  EXPECT_EQ(TimetableOf(R"("timetable": {"__type": "airflow.timetables.simple.OnceTimetable",
      "__var": {}})")
                .kind,
            Timetable::Kind::kOnce);
  EXPECT_EQ(TimetableOf(R"("timetable": {"__type": "airflow.timetables.simple.NullTimetable",
      "__var": {}})")
                .kind,
            Timetable::Kind::kNone);
  EXPECT_EQ(TimetableOf(R"("timetable": {"__type":
      "airflow.timetables.simple.DatasetTriggeredTimetable", "__var": {}})")
                .kind,
            Timetable::Kind::kAsset);
  EXPECT_EQ(TimetableOf(R"("timetable": {"__type":
      "airflow.timetables.simple.AssetTriggeredTimetable", "__var": {}})")
                .kind,
            Timetable::Kind::kAsset);
  Timetable asset_or_time = TimetableOf(R"("timetable": {"__type":
      "airflow.timetables.assets.AssetOrTimeSchedule", "__var": {"asset_condition": {},
      "timetable": {"__type": "airflow.timetables.trigger.CronTriggerTimetable", "__var":
      {"expression": "0 4 * * *", "timezone": "UTC"}}}})");
  EXPECT_EQ(asset_or_time.kind, Timetable::Kind::kAsset);
  EXPECT_EQ(asset_or_time.cron, "0 4 * * *");
  EXPECT_EQ(TimetableOf(R"("timetable": {"__type":
      "airflow.timetables.simple.ContinuousTimetable", "__var": {}})")
                .kind,
            Timetable::Kind::kOther);
  EXPECT_EQ(TimetableOf(R"("timetable": {"__type": "my_plugin.WorkdayTimetable",
      "__var": {"holidays": [1, 2]}})")
                .kind,
            Timetable::Kind::kOther);
  // Wrong types where strings are expected: "other", not a crash.
  EXPECT_EQ(TimetableOf(R"("timetable": {"__type":
      "airflow.timetables.interval.CronDataIntervalTimetable", "__var": {"expression": 5}})")
                .kind,
            Timetable::Kind::kOther);
  EXPECT_EQ(TimetableOf(R"("timetable": {"__type": 7, "__var": []})").kind,
            Timetable::Kind::kOther);
  EXPECT_EQ(TimetableOf(R"("timetable": "cron")").kind, Timetable::Kind::kOther);

  // 2.x schedule_interval without a timetable.
  EXPECT_EQ(TimetableOf(R"("schedule_interval": "@hourly")", 1).cron, "0 * * * *");
  EXPECT_EQ(TimetableOf(R"("schedule_interval": "@once")", 1).kind, Timetable::Kind::kOnce);
  EXPECT_EQ(TimetableOf(R"("schedule_interval": null)", 1).kind, Timetable::Kind::kNone);
  EXPECT_EQ(
      TimetableOf(R"("schedule_interval": {"__type": "timedelta", "__var": 86400.0})", 1).delta,
      std::chrono::hours(24));
  EXPECT_EQ(TimetableOf(R"("schedule_interval": "@continuous")", 1).kind, Timetable::Kind::kOther);
  // Nothing at all: 3.x default (None) vs 2.x unknown.
  EXPECT_EQ(TimetableOf("", 2).kind, Timetable::Kind::kNone);
  EXPECT_EQ(TimetableOf("", 1).kind, Timetable::Kind::kOther);
  EXPECT_EQ(TimetableKindName(Timetable::Kind::kAsset), "asset");
}

TEST(SerializedDagTest, OddTaskShapesNeverCrash) {
  constexpr std::string_view kJson = R"({"__version": 1, "dag": {"_dag_id": "odd",
    "tasks": [
      {"task_id": "plain_dict", "sla": {"__type": "timedelta", "__var": 60.0}, "pool": "p"},
      {"__type": "operator", "__var": {"task_id": "mapped", "_is_mapped": true,
        "partial_kwargs": {"pool": "mapped_pool", "sla": 120.0}}},
      {"__type": "operator", "__var": {"downstream_task_ids": ["plain_dict"]}},
      {"__type": "operator", "__var": {"task_id": "typed_wrong", "sla": "soon",
        "downstream_task_ids": "x", "pool": 3, "owner": ["a"]}},
      42, null, "text"
    ],
    "tags": "not-a-list", "catchup": "yes", "deadline": {"unexpected": true},
    "default_args": {"__type": "dict", "__var": {"owner": "fallback"}}}})";
  auto dag = ParseSerializedDag(kJson, "odd");
  ASSERT_TRUE(dag) << dag.error().message();
  ASSERT_EQ(dag->tasks.size(), 3u);  // the one without task_id and the non-objects are skipped
  EXPECT_EQ(dag->tasks[0].task_id, "plain_dict");
  EXPECT_EQ(dag->tasks[0].sla, std::chrono::minutes(1));
  EXPECT_EQ(dag->tasks[0].pool, "p");
  EXPECT_EQ(dag->tasks[1].pool, "mapped_pool");
  EXPECT_EQ(dag->tasks[1].sla, std::chrono::minutes(2));
  EXPECT_EQ(dag->tasks[2].sla, std::nullopt);
  EXPECT_EQ(dag->tasks[2].pool, "default_pool");
  EXPECT_TRUE(dag->tasks[2].downstream_task_ids.empty());
  EXPECT_TRUE(dag->tags.empty());
  EXPECT_EQ(dag->catchup, std::nullopt);
  EXPECT_THAT(dag->owners, ElementsAre("fallback"));
  ASSERT_EQ(dag->deadline_alerts.size(), 1u);
  EXPECT_EQ(dag->deadline_alerts[0].reference_type, "");
}

}  // namespace
}  // namespace slayer::airflow

#include "sim/dag_file.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace slayer::sim {
namespace {

using ::testing::HasSubstr;

constexpr char kGood[] = R"(
pools: {etl: 3}
dag_defaults: {owner: team, timezone: Europe/Berlin}
task_defaults: {retries: 2, duration: 1m}
dags:
  - dag_id: a
    schedule: "@hourly"
    tags: [x, y]
    lateness: {rate: 0.5, factor: 2, delay: 3m}
    manual_triggers: {per_hour: 1}
    deadline: {reference: dagrun.queued_at, interval: 10m, kwargs: {to: ops}}
    tasks:
      - {task_id: load, upstream: [extract], pool: etl, sla: 5m}
      - {task_id: extract, duration: {mean: 2m, stddev: 10s}, failure_rate: 0.1}
  - dag_id: b
    schedule: 30m
    timezone: UTC
    tasks: [{task_id: t, duration: {min: 1m, max: 2m}}]
  - dag_id: c
    schedule: none
    tasks: [{task_id: t}]
)";

TEST(DagFileTest, ParsesAndAppliesDefaults) {
  auto f = ParseDagFile(kGood, "/x/demo.yml");
  ASSERT_TRUE(f) << f.error().message();
  ASSERT_EQ(f->dags.size(), 3u);
  EXPECT_EQ(f->pools.at("etl"), 3);
  EXPECT_EQ(f->pools.at("default_pool"), 128);
  const DagSpec& a = f->dags[0];
  EXPECT_EQ(a.owner, "team");
  EXPECT_EQ(a.timezone, "Europe/Berlin");
  EXPECT_EQ(a.cron, "0 * * * *");
  EXPECT_EQ(a.fileloc, "/opt/airflow/dags/demo.py");
  EXPECT_EQ(a.manual_per_day, 24);
  ASSERT_EQ(a.deadlines.size(), 1u);
  EXPECT_EQ(a.deadlines[0].interval, std::chrono::minutes(10));
  EXPECT_EQ(a.deadlines[0].callback_kwargs_json, R"({"to": "ops"})");
  // Topologically sorted: extract before load.
  EXPECT_EQ(a.tasks[0].task_id, "extract");
  EXPECT_EQ(a.tasks[1].task_id, "load");
  EXPECT_EQ(a.tasks[1].retries, 2);
  EXPECT_EQ(a.tasks[1].sla, std::chrono::minutes(5));
  EXPECT_EQ(a.tasks[0].duration.kind, DurationSpec::Kind::kNormal);
  EXPECT_EQ(f->dags[1].schedule_kind, ScheduleKind::kDelta);
  EXPECT_EQ(f->dags[1].timezone, "UTC");
  EXPECT_EQ(f->dags[1].tasks[0].duration.kind, DurationSpec::Kind::kUniform);
  EXPECT_EQ(f->dags[2].schedule_kind, ScheduleKind::kNone);
}

struct BadCase {
  const char* yaml;
  const char* message;
};

class DagFileErrorTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(DagFileErrorTest, ReportsFileLineColumn) {
  auto f = ParseDagFile(GetParam().yaml, "dags.yml");
  ASSERT_FALSE(f);
  EXPECT_EQ(f.error().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(f.error().message(), HasSubstr(GetParam().message));
}

INSTANTIATE_TEST_SUITE_P(
    Errors, DagFileErrorTest,
    ::testing::Values(
        BadCase{"dags:\n  - dag_id: a\n    scedule: '@daily'\n    tasks: [{task_id: t}]\n",
                "dags.yml:3:5: unknown key 'scedule' in dag"},
        BadCase{"dags:\n  - dag_id: a\n    schedule: '0 25 * * *'\n    tasks: [{task_id: t}]\n",
                "dags.yml:3:15: invalid cron"},
        BadCase{"dags:\n  - dag_id: a\n    timezone: Mars/Base\n    tasks: [{task_id: t}]\n",
                "dags.yml:3:15: unknown time zone 'Mars/Base'"},
        BadCase{"dags:\n  - dag_id: a\n    tasks: [{task_id: t, duration: 5x}]\n",
                "dags.yml:3:36: duration: invalid duration '5x'"},
        BadCase{"dags:\n  - dag_id: a\n    tasks: [{task_id: t, failure_rate: 2}]\n",
                "failure_rate must be a number in [0, 1]"},
        BadCase{"dags:\n  - dag_id: a\n    tasks: [{task_id: t, upstream: [u]}]\n",
                "unknown upstream 'u'"},
        BadCase{"dags:\n  - dag_id: a\n    tasks:\n      - {task_id: t, upstream: [u]}\n"
                "      - {task_id: u, upstream: [t]}\n",
                "dependency cycle"},
        BadCase{"dags:\n  - dag_id: a\n    tasks: [{task_id: t, pool: nope}]\n",
                "pool 'nope', which is not defined"},
        BadCase{"dags:\n  - dag_id: a\n    tasks: [{task_id: t}]\n  - dag_id: a\n"
                "    tasks: [{task_id: t}]\n",
                "dags.yml:4:5: duplicate dag_id 'a'"},
        BadCase{"dags: [\n", "dags.yml:2:1: "}, BadCase{"dags: []\n", "non-empty 'dags' list"},
        BadCase{"dags:\n  - dag_id: a\n    schedule: '@once'\n    tasks: [{task_id: t}]\n",
                "not supported"}));

TEST(DagFileTest, MissingFileIsOneLine) {
  auto f = LoadDagFile("/nonexistent/dags.yml");
  ASSERT_FALSE(f);
  EXPECT_EQ(f.error().message(), "/nonexistent/dags.yml: cannot read the DAG file");
}

TEST(DagFileTest, ExampleFilesAreValid) {
  for (const char* name : {"demo.yml", "etl.yml"}) {
    auto f = LoadDagFile(std::string(SLAYER_SOURCE_DIR) + "/examples/sim/" + name);
    EXPECT_TRUE(f) << name << ": " << f.status().ToString();
  }
}

}  // namespace
}  // namespace slayer::sim

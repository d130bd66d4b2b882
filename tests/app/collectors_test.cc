#include "app/collectors.h"
#include "fakes/timestamps.h"

#include <gtest/gtest.h>

namespace slayer::app {
namespace {

using test::T;

Violation V(std::string dag, std::string task, const char* exec) {
  Violation v;
  v.rule = "airflow:sla";
  v.dag_id = std::move(dag);
  v.task_id = std::move(task);
  v.execution_date = T(exec);
  v.need_by = T(exec);
  return v;
}

TEST(CollectorsTest, RendersSlaMissesAndSelfMetrics) {
  InstanceState prod;
  prod.name = "prod";
  prod.db_up = true;
  prod.last_success = T("2026-11-23T10:00:00Z");
  prod.last_poll_seconds = 0.25;
  prod.poll_errors_total = 3;
  airflow::SchemaInfo schema;
  schema.airflow_version = "2.10.3";
  schema.alembic_revision = "5f2621c13b39";
  prod.schema = schema;
  prod.violations = {V("etl", "load", "2026-11-23T08:00:00Z"),
                     V("etl", "a\"b", "2026-11-23T09:00:00Z")};
  InstanceState staging;
  staging.name = "staging";
  // The same series from two instances adds up instead of clashing.
  staging.violations = {V("etl", "load", "2026-11-23T08:00:00Z")};

  auto text = RenderExposition({prod, staging}, "1.2.3", Timestamp{});
  ASSERT_TRUE(text) << text.error().message();
  const std::string& t = *text;
  auto has = [&](const std::string& line) {
    EXPECT_NE(t.find(line + "\n"), std::string::npos) << "missing: " << line << "\n" << t;
  };
  has("# TYPE airflow_sla_misses gauge");
  has("airflow_sla_misses{dag_id=\"etl\",task_id=\"a\\\"b\",execution_date=\"2026-11-23T09:00:00Z\"} 1");
  has("airflow_sla_misses{dag_id=\"etl\",task_id=\"load\",execution_date=\"2026-11-23T08:00:00Z\"} 2");
  has("slayer_db_up{airflow_instance=\"prod\"} 1");
  has("slayer_db_up{airflow_instance=\"staging\"} 0");
  has("slayer_poll_duration_seconds{airflow_instance=\"prod\"} 0.25");
  has("slayer_last_poll_success_timestamp_seconds{airflow_instance=\"prod\"} 1795428000");
  has("slayer_poll_errors_total{airflow_instance=\"prod\"} 3");
  has("slayer_airflow_schema_info{airflow_instance=\"prod\",airflow_version=\"2.10.3\","
      "alembic_revision=\"5f2621c13b39\"} 1");
  has("slayer_build_info{version=\"1.2.3\"} 1");
  // No success yet for staging: no timestamp series rather than a fake 0.
  EXPECT_EQ(t.find("slayer_last_poll_success_timestamp_seconds{airflow_instance=\"staging\"}"),
            std::string::npos);
}

rules::Item Missed(std::string rule, std::string run, std::string slot, const char* need_by) {
  rules::Item item;
  item.key = {"prod", std::move(rule), "etl", std::move(run), "", std::move(slot)};
  item.severity = "critical";
  item.need_by = T(need_by);
  item.state = rules::ItemState::kMissed;
  return item;
}

TEST(CollectorsTest, RendersDeadlineMetrics) {
  InstanceState prod;
  prod.name = "prod";
  rules::Item pending = Missed("r", "run1", "", "2026-11-23T11:00:00Z");
  pending.state = rules::ItemState::kPending;
  // Two open ticks of one wall-clock rule share their labels: the oldest is reported, once.
  prod.items = {Missed("r", "run1", "", "2026-11-23T09:00:00Z"),
                Missed("w", "", "2026-11-23T08:00:00Z", "2026-11-23T08:00:00Z"),
                Missed("w", "", "2026-11-23T09:30:00Z", "2026-11-23T09:30:00Z"), pending};
  prod.counters.misses[{"r", "etl", "", "critical"}] = 4;
  prod.counters.outcomes[{"r", "etl", "met_late"}] = 2;
  auto& h = prod.counters.lateness[{"r", "etl"}];
  h.buckets.assign(engine::kLatenessBuckets.size(), 0);
  for (size_t i = 2; i < h.buckets.size(); ++i) h.buckets[i] = 2;  // both <= 15m, > 5m
  h.sum = 1200;
  h.count = 2;
  prod.counters.oddities.unknown_states = 3;

  auto text = RenderExposition({prod}, "1.2.3", T("2026-11-23T10:00:00Z"));
  ASSERT_TRUE(text) << text.error().message();
  const std::string& t = *text;
  auto has = [&](const std::string& line) {
    EXPECT_NE(t.find(line + "\n"), std::string::npos) << "missing: " << line << "\n" << t;
  };
  const std::string labels = "airflow_instance=\"prod\",rule=\"r\",dag_id=\"etl\",task_id=\"\"";
  has("slayer_deadline_overdue_seconds{" + labels + ",run_id=\"run1\",severity=\"critical\"} 3600");
  has("slayer_deadline_overdue_seconds{airflow_instance=\"prod\",rule=\"w\",dag_id=\"etl\","
      "task_id=\"\",run_id=\"\",severity=\"critical\"} 7200");
  has("slayer_deadline_open{airflow_instance=\"prod\",rule=\"w\",severity=\"critical\"} 2");
  has("slayer_deadline_items{airflow_instance=\"prod\",state=\"missed\"} 3");
  has("slayer_deadline_items{airflow_instance=\"prod\",state=\"pending\"} 1");
  has("slayer_deadline_misses_total{" + labels + ",severity=\"critical\"} 4");
  has("slayer_deadline_outcomes_total{airflow_instance=\"prod\",rule=\"r\",dag_id=\"etl\","
      "outcome=\"met_late\"} 2");
  has("slayer_deadline_lateness_seconds_bucket{airflow_instance=\"prod\",rule=\"r\","
      "dag_id=\"etl\",le=\"300\"} 0");
  has("slayer_deadline_lateness_seconds_bucket{airflow_instance=\"prod\",rule=\"r\","
      "dag_id=\"etl\",le=\"900\"} 2");
  has("slayer_deadline_lateness_seconds_count{airflow_instance=\"prod\",rule=\"r\","
      "dag_id=\"etl\"} 2");
  has("slayer_airflow_data_oddities_total{airflow_instance=\"prod\",kind=\"unknown_state\"} 3");
  // Every open miss of the engine is an airflow_sla_misses series too (via violations, built by
  // the poller): not here, where violations are empty.
  EXPECT_EQ(t.find("airflow_sla_misses{"), std::string::npos);
}

}  // namespace
}  // namespace slayer::app

#include "metrics/example_exposition.h"

#include <cstdint>
#include <limits>
#include <string>
#include <utility>

#include "metrics/family_builder.h"

namespace slayer::metrics {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

using Families = std::vector<Family>;

Status Append(FamilyBuilder builder, Families* families) {
  SLAYER_ASSIGN_OR_RETURN(Family family, std::move(builder).Build());
  families->push_back(std::move(family));
  return Status::Ok();
}

Status AddDeadlineFamilies(Families* families) {
  FamilyBuilder sla_misses("airflow_sla_misses",
                           "Open SLA misses: 1 per missed task or DAG run (task_id empty).",
                           MetricType::kGauge, {"dag_id", "task_id", "execution_date"});
  sla_misses.Add({"finance_etl", "extract_ledger", "2026-01-15T08:00:00Z"}, 1);
  sla_misses.Add({"events_ingest", "", "2026-01-15T09:00:00Z"}, 1);
  sla_misses.Add({"daily_sales_report", "render", "2026-01-14T00:00:00Z"}, 1);
  SLAYER_RETURN_IF_ERROR(Append(std::move(sla_misses), families));

  const std::vector<std::string> item_labels = {"airflow_instance", "rule",   "dag_id",
                                                "task_id",          "run_id", "severity"};
  FamilyBuilder overdue("slayer_deadline_overdue_seconds",
                        "Seconds since the need-by time of each open miss.", MetricType::kGauge,
                        item_labels);
  overdue.Add({"prod", "hourly-data-in-2h", "events_ingest", "",
               "scheduled__2026-01-15T09:00:00+00:00", "critical"},
              1234.5);
  overdue.Add({"prod", "extract-max-runtime", "finance_etl", "extract_ledger",
               "scheduled__2026-01-15T08:00:00+00:00", "warning"},
              61);
  overdue.Add({"staging", "airflow:sla", "daily_sales_report", "render",
               "manual__2026-01-14T00:00:00+00:00", "warning"},
              0.001);
  SLAYER_RETURN_IF_ERROR(Append(std::move(overdue), families));

  FamilyBuilder at_risk("slayer_deadline_at_risk",
                        "1 for each pending item predicted to finish after its need-by time.",
                        MetricType::kGauge, item_labels);
  at_risk.Add({"prod", "report-by-9", "daily_sales_report", "",
               "scheduled__2026-01-15T00:00:00+00:00", "critical"},
              1);
  SLAYER_RETURN_IF_ERROR(Append(std::move(at_risk), families));

  FamilyBuilder misses("slayer_deadline_misses_total", "Deadline misses declared.",
                       MetricType::kCounter,
                       {"airflow_instance", "rule", "dag_id", "task_id", "severity"});
  misses.Add({"prod", "hourly-data-in-2h", "events_ingest", "", "critical"}, 17);
  misses.Add({"prod", "extract-max-runtime", "finance_etl", "extract_ledger", "warning"}, 3);
  SLAYER_RETURN_IF_ERROR(Append(std::move(misses), families));

  FamilyBuilder outcomes("slayer_deadline_outcomes_total", "Evaluated deadlines by outcome.",
                         MetricType::kCounter, {"airflow_instance", "rule", "dag_id", "outcome"});
  for (const char* outcome : {"met", "met_late", "missed", "abandoned"}) {
    outcomes.Add({"prod", "hourly-data-in-2h", "events_ingest", outcome},
                 std::string_view(outcome) == "met" ? 4210 : 7);
  }
  SLAYER_RETURN_IF_ERROR(Append(std::move(outcomes), families));

  FamilyBuilder lateness("slayer_deadline_lateness_seconds",
                         "Lateness of items that finished after their need-by time.",
                         MetricType::kHistogram, {"airflow_instance", "rule", "dag_id"},
                         {60, 300, 900, 1800, 3600, 7200, 14400, 43200, 86400, kInf});
  const std::uint64_t late_counts[] = {1, 2, 4, 5, 6, 7, 7, 7, 7, 7};
  lateness.AddHistogram({"prod", "hourly-data-in-2h", "events_ingest"}, late_counts, 9876.5);
  const std::uint64_t no_counts[] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  lateness.AddHistogram({"prod", "report-by-9", "daily_sales_report"}, no_counts, 0);
  SLAYER_RETURN_IF_ERROR(Append(std::move(lateness), families));

  FamilyBuilder open("slayer_deadline_open", "Open deadline misses.", MetricType::kGauge,
                     {"airflow_instance", "rule", "severity"});
  open.Add({"prod", "hourly-data-in-2h", "critical"}, 1);
  open.Add({"prod", "extract-max-runtime", "warning"}, 1);
  open.Add({"staging", "airflow:sla", "warning"}, 1);
  return Append(std::move(open), families);
}

Status AddAirflowFamilies(Families* families) {
  FamilyBuilder heartbeat("airflow_job_heartbeat_age_seconds",
                          "Seconds since the latest heartbeat of each running Airflow job.",
                          MetricType::kGauge, {"airflow_instance", "job_type", "hostname"});
  heartbeat.Add({"prod", "SchedulerJob", "airflow-scheduler-0.airflow.svc"}, 2.5);
  heartbeat.Add({"prod", "TriggererJob", "airflow-triggerer-0.airflow.svc"}, 4);
  SLAYER_RETURN_IF_ERROR(Append(std::move(heartbeat), families));

  FamilyBuilder up("airflow_up", "1 when a scheduler heartbeat is fresh, else 0.",
                   MetricType::kGauge, {"airflow_instance"});
  up.Add({"prod"}, 1);
  up.Add({"staging"}, 0);
  SLAYER_RETURN_IF_ERROR(Append(std::move(up), families));

  const std::vector<double> delay_bounds = {0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, kInf};
  FamilyBuilder queue("airflow_task_queue_seconds",
                      "Time task instances spent queued before they started running.",
                      MetricType::kHistogram, {"airflow_instance"}, delay_bounds);
  const std::uint64_t queue_counts[] = {120, 950, 1400, 1610, 1650, 1690, 1700, 1702, 1702, 1703};
  queue.AddHistogram({"prod"}, queue_counts, 2231.75);
  SLAYER_RETURN_IF_ERROR(Append(std::move(queue), families));

  FamilyBuilder instances("airflow_task_instances", "Non-terminal task instances.",
                          MetricType::kGauge, {"airflow_instance", "state", "pool", "queue"});
  instances.Add({"prod", "running", "default_pool", "default"}, 14);
  instances.Add({"prod", "queued", "default_pool", "default"}, 3);
  instances.Add({"prod", "deferred", "sensor \"slow\" pool\\A", "default"}, 2);
  SLAYER_RETURN_IF_ERROR(Append(std::move(instances), families));

  FamilyBuilder dag_runs("airflow_dag_runs", "Queued and running DAG runs.", MetricType::kGauge,
                         {"airflow_instance", "state"});
  dag_runs.Add({"prod", "running"}, 9);
  dag_runs.Add({"prod", "queued"}, 0);
  SLAYER_RETURN_IF_ERROR(Append(std::move(dag_runs), families));

  FamilyBuilder pool_slots("airflow_pool_slots", "Pool slots by state.", MetricType::kGauge,
                           {"airflow_instance", "pool", "state"});
  for (const char* state : {"open", "running", "queued", "deferred", "total"}) {
    pool_slots.Add({"prod", "default_pool", state}, std::string_view(state) == "total" ? 128 : 8);
  }
  SLAYER_RETURN_IF_ERROR(Append(std::move(pool_slots), families));

  FamilyBuilder schedule_delay("airflow_schedule_delay_seconds",
                               "Time from when a DAG run was due to when it started.",
                               MetricType::kHistogram, {"airflow_instance", "dag_class"},
                               delay_bounds);
  const std::uint64_t delay_counts[] = {0, 10, 40, 90, 96, 98, 99, 99, 100, 100};
  schedule_delay.AddHistogram({"prod", "hourly"}, delay_counts, 431.2);
  SLAYER_RETURN_IF_ERROR(Append(std::move(schedule_delay), families));

  FamilyBuilder dags("airflow_dags", "DAGs known to Airflow.", MetricType::kGauge,
                     {"airflow_instance", "paused"});
  dags.Add({"prod", "false"}, 412);
  dags.Add({"prod", "true"}, 17);
  SLAYER_RETURN_IF_ERROR(Append(std::move(dags), families));

  FamilyBuilder import_errors("airflow_import_errors", "DAG files that failed to import.",
                              MetricType::kGauge, {"airflow_instance", "paused"});
  import_errors.Add({"prod", "false"}, 1);
  return Append(std::move(import_errors), families);
}

Status AddSelfFamilies(Families* families) {
  struct Self {
    const char* name;
    const char* help;
    MetricType type;
    double value;
  };
  const Self per_instance[] = {
      {"slayer_db_up", "1 when the last poll reached the Airflow database, else 0.",
       MetricType::kGauge, 1},
      {"slayer_poll_duration_seconds", "Duration of the last poll.", MetricType::kGauge, 0.0421},
      {"slayer_last_poll_success_timestamp_seconds", "Unix time of the last successful poll.",
       MetricType::kGauge, 1768467600.125},
      {"slayer_poll_errors_total", "Polls that failed.", MetricType::kCounter, 2},
  };
  for (const Self& self : per_instance) {
    FamilyBuilder builder(self.name, self.help, self.type, {"airflow_instance"});
    builder.Add({"prod"}, self.value);
    builder.Add({"staging"}, self.value);
    SLAYER_RETURN_IF_ERROR(Append(std::move(builder), families));
  }

  FamilyBuilder notifications("slayer_notifications_total", "Notification deliveries attempted.",
                              MetricType::kCounter, {"channel", "kind", "outcome"});
  notifications.Add({"slack", "missed", "sent"}, 21);
  notifications.Add({"slack", "recovered", "sent"}, 19);
  notifications.Add({"pagerduty", "missed", "failed"}, 1);
  SLAYER_RETURN_IF_ERROR(Append(std::move(notifications), families));

  FamilyBuilder outbox("slayer_outbox_pending", "Notifications waiting in the outbox.",
                       MetricType::kGauge, {"channel", "kind"});
  outbox.Add({"pagerduty", "missed"}, 1);
  SLAYER_RETURN_IF_ERROR(Append(std::move(outbox), families));

  FamilyBuilder build_info("slayer_build_info", "SLAyer's version; always 1.", MetricType::kGauge,
                           {"version"});
  build_info.Add({"0.1.0"}, 1);
  SLAYER_RETURN_IF_ERROR(Append(std::move(build_info), families));

  FamilyBuilder schema_info("slayer_airflow_schema_info",
                            "The Airflow version detected from each database's schema; always 1.",
                            MetricType::kGauge,
                            {"airflow_instance", "airflow_version", "alembic_revision"});
  schema_info.Add({"prod", "2.10.4", "5f2621c13b39"}, 1);
  schema_info.Add({"staging", "3.0.2", "29ce7909c52b"}, 1);
  return Append(std::move(schema_info), families);
}

}  // namespace

const std::vector<std::string_view>& SpecMetricNames() {
  static const auto* const kNames = new std::vector<std::string_view>{
      "airflow_sla_misses",
      "slayer_deadline_overdue_seconds",
      "slayer_deadline_at_risk",
      "slayer_deadline_misses_total",
      "slayer_deadline_outcomes_total",
      "slayer_deadline_lateness_seconds",
      "slayer_deadline_open",
      "airflow_job_heartbeat_age_seconds",
      "airflow_up",
      "airflow_task_queue_seconds",
      "airflow_task_instances",
      "airflow_dag_runs",
      "airflow_pool_slots",
      "airflow_schedule_delay_seconds",
      "airflow_dags",
      "airflow_import_errors",
      "slayer_db_up",
      "slayer_poll_duration_seconds",
      "slayer_last_poll_success_timestamp_seconds",
      "slayer_poll_errors_total",
      "slayer_notifications_total",
      "slayer_outbox_pending",
      "slayer_build_info",
      "slayer_airflow_schema_info",
  };
  return *kNames;
}

Result<Snapshot> BuildExampleSnapshot() {
  Families families;
  SLAYER_RETURN_IF_ERROR(AddDeadlineFamilies(&families));
  SLAYER_RETURN_IF_ERROR(AddAirflowFamilies(&families));
  SLAYER_RETURN_IF_ERROR(AddSelfFamilies(&families));
  return Snapshot::Create(std::move(families));
}

}  // namespace slayer::metrics

#include "sim/dag_scaling.h"

#include <cstdio>

namespace slayer::sim {

DagFile CloneDags(const DagFile& file, int count) {
  DagFile out;
  out.pools = file.pools;
  if (file.dags.empty()) return out;
  const int n = static_cast<int>(file.dags.size());
  for (int i = 0; i < count; ++i) {
    DagSpec d = file.dags[i % n];
    if (i >= n) {
      char suffix[16];
      std::snprintf(suffix, sizeof suffix, "_c%05d", i / n);
      d.dag_id += suffix;
    }
    out.dags.push_back(std::move(d));
  }
  return out;
}

DagFile GenerateDags(int count, int tasks_per_dag) {
  using std::chrono::minutes;
  using std::chrono::seconds;
  DagFile out;
  // About a twentieth of the DAGs run at any moment, each holding one or two slots.
  out.pools["default_pool"] = std::max(128, count / 10);
  const int tasks = std::max(1, tasks_per_dag);
  for (int i = 0; i < count; ++i) {
    DagSpec d;
    char id[32];
    std::snprintf(id, sizeof id, "bench_dag_%05d", i);
    d.dag_id = id;
    // Daily at a minute spread over the day, so load is even (as a real fleet of dailies).
    const int minute_of_day =
        static_cast<int>((static_cast<int64_t>(i) * 1440) / std::max(1, count));
    d.schedule_kind = ScheduleKind::kCron;
    d.cron =
        std::to_string(minute_of_day % 60) + " " + std::to_string(minute_of_day / 60) + " * * *";
    d.schedule_text = d.cron;
    d.owner = i % 3 == 0 ? "data-eng" : i % 3 == 1 ? "analytics" : "platform";
    d.tags = {i % 10 == 0 ? "critical" : "standard", "team-" + std::to_string(i % 7)};
    d.fileloc = "/opt/airflow/dags/bench_" + std::to_string(i / 100) + ".py";
    d.late_rate = 0.05;
    d.late_factor = 3;
    if (i % 10 == 0) {
      DeadlineSpec dl;
      dl.reference = DeadlineSpec::Reference::kQueuedAt;
      dl.interval = minutes(30);
      d.deadlines.push_back(dl);
    }
    for (int t = 0; t < tasks; ++t) {
      TaskSpec ts;
      if (t == 0) {
        ts.task_id = "extract";
      } else if (t == tasks - 1) {
        ts.task_id = "publish";
      } else {
        ts.task_id = "transform_" + std::to_string(t);
      }
      // extract -> transform_* (parallel) -> publish.
      if (t > 0 && (t < tasks - 1 || tasks == 2)) ts.upstream = {"extract"};
      if (t == tasks - 1 && tasks > 2) {
        for (int u = 1; u < tasks - 1; ++u) ts.upstream.push_back("transform_" + std::to_string(u));
      }
      ts.operator_name = t == 0 ? "BashOperator" : "PythonOperator";
      ts.duration = DurationSpec{DurationSpec::Kind::kNormal, minutes(3), seconds(40), {}, {}};
      ts.failure_rate = 0.01;
      ts.retries = 1;
      ts.retry_delay = minutes(2);
      if (i % 10 == 0 && t == tasks - 1) ts.sla = minutes(20);
      d.tasks.push_back(std::move(ts));
    }
    out.dags.push_back(std::move(d));
  }
  return out;
}

}  // namespace slayer::sim

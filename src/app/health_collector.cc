#include <limits>
#include <string>

#include "app/collectors.h"
#include "app/health_reader.h"
#include "metrics/family_builder.h"

namespace slayer::app {

Status CollectHealth(const std::vector<InstanceState>& states, std::vector<metrics::Family>* out) {
  using metrics::FamilyBuilder;
  using metrics::MetricType;
  FamilyBuilder up("airflow_up",
                   "Whether at least one Airflow scheduler heartbeat is younger than "
                   "health.heartbeat_timeout (1) or not (0).",
                   MetricType::kGauge, {"airflow_instance"});
  FamilyBuilder heartbeat("airflow_job_heartbeat_age_seconds",
                          "Seconds since the latest heartbeat of the Airflow scheduler, triggerer "
                          "or DAG processor jobs on a host, as of the last poll.",
                          MetricType::kGauge, {"airflow_instance", "job_type", "hostname"});
  FamilyBuilder task_instances("airflow_task_instances",
                               "Unfinished Airflow task instances by state, pool and queue.",
                               MetricType::kGauge, {"airflow_instance", "state", "pool", "queue"});
  FamilyBuilder dag_runs("airflow_dag_runs", "Queued and running Airflow DAG runs.",
                         MetricType::kGauge, {"airflow_instance", "state"});
  FamilyBuilder pool_slots("airflow_pool_slots",
                           "Airflow pool slots: open, running, queued, deferred and total.",
                           MetricType::kGauge, {"airflow_instance", "pool", "state"});
  FamilyBuilder dags("airflow_dags", "Active Airflow DAGs (defined in a DAG file), by paused.",
                     MetricType::kGauge, {"airflow_instance", "paused"});
  FamilyBuilder import_errors("airflow_import_errors",
                              "Airflow DAGs whose file failed to import at the last parse, by "
                              "paused.",
                              MetricType::kGauge, {"airflow_instance", "paused"});
  std::vector<double> bounds = kScheduleDelayBuckets;
  bounds.push_back(std::numeric_limits<double>::infinity());
  FamilyBuilder delay("airflow_schedule_delay_seconds",
                      "Start of scheduled Airflow DAG runs minus when they were due (run_after), "
                      "by the DAG's schedule frequency.",
                      MetricType::kHistogram, {"airflow_instance", "dag_class"}, bounds);

  std::vector<double> queue_bounds = kTaskQueueBuckets;
  queue_bounds.push_back(std::numeric_limits<double>::infinity());
  FamilyBuilder queue("airflow_task_queue_seconds",
                      "Start of Airflow task instance tries minus when they were queued.",
                      MetricType::kHistogram, {"airflow_instance"}, queue_bounds);

  for (const InstanceState& s : states) {
    const HealthState& h = s.health;
    if (!h.read) continue;
    up.Add({s.name}, h.airflow_up ? 1 : 0);
    for (const JobHeartbeat& j : h.jobs)
      heartbeat.Add({s.name, j.job_type, j.hostname}, j.age_seconds);
    for (const TaskInstanceGroup& g : h.task_instances) {
      task_instances.Add({s.name, g.state, g.pool, g.queue}, static_cast<double>(g.count));
    }
    dag_runs.Add({s.name, "queued"}, static_cast<double>(h.queued_runs));
    dag_runs.Add({s.name, "running"}, static_cast<double>(h.running_runs));
    for (const PoolSlots& p : h.pools) {
      pool_slots.Add({s.name, p.pool, "open"}, p.open);
      pool_slots.Add({s.name, p.pool, "running"}, p.running);
      pool_slots.Add({s.name, p.pool, "queued"}, p.queued);
      pool_slots.Add({s.name, p.pool, "deferred"}, p.deferred);
      pool_slots.Add({s.name, p.pool, "total"}, p.total);
    }
    dags.Add({s.name, "false"}, static_cast<double>(h.dags_unpaused));
    dags.Add({s.name, "true"}, static_cast<double>(h.dags_paused));
    if (h.import_errors_unpaused || h.import_errors_paused) {
      import_errors.Add({s.name, "false"},
                        static_cast<double>(h.import_errors_unpaused.value_or(0)));
      import_errors.Add({s.name, "true"}, static_cast<double>(h.import_errors_paused.value_or(0)));
    }
    for (DagClass c : kAllDagClasses) {
      const HealthHistogram& d = h.schedule_delay_by_class[static_cast<size_t>(c)];
      if (d.cumulative.size() == bounds.size()) {
        delay.AddHistogram({s.name, std::string(DagClassName(c))}, d.cumulative, d.sum);
      }
    }
    if (h.task_queue.cumulative.size() == queue_bounds.size()) {
      queue.AddHistogram({s.name}, h.task_queue.cumulative, h.task_queue.sum);
    }
  }
  for (auto* b : {&up, &heartbeat, &task_instances, &dag_runs, &pool_slots, &dags, &import_errors,
                  &delay, &queue}) {
    SLAYER_RETURN_IF_ERROR(std::move(*b).AppendTo(out));
  }
  return Status::Ok();
}

}  // namespace slayer::app

// Collectors: turn InstanceStates into metric families (SPEC section 4), one function per
// concern, each in its own file. Pure functions, run once per poll, never on a scrape.
#pragma once

#include <string_view>
#include <vector>

#include "app/instance_state.h"
#include "common/status.h"
#include "metrics/family.h"
#include "notify/dispatcher.h"

namespace slayer::app {

// airflow_sla_misses{dag_id, task_id, execution_date}: 1 per open miss, summed over instances
// when two report the same series (the label set has no airflow_instance, for compatibility
// with existing boards). sla_miss_collector.cc.
Status CollectSlaMisses(const std::vector<InstanceState>& states,
                        std::vector<metrics::Family>* out);

// slayer_db_up, slayer_poll_duration_seconds, slayer_last_poll_success_timestamp_seconds,
// slayer_poll_errors_total, slayer_airflow_schema_info, slayer_build_info. self_collector.cc.
Status CollectSelf(const std::vector<InstanceState>& states, std::string_view version,
                   std::vector<metrics::Family>* out);

// slayer_deadline_overdue_seconds (as of `now`), slayer_deadline_at_risk,
// slayer_deadline_misses_total, slayer_deadline_outcomes_total,
// slayer_deadline_lateness_seconds, slayer_deadline_open, slayer_deadline_items,
// slayer_airflow_data_oddities_total. deadline_collector.cc.
Status CollectDeadlines(const std::vector<InstanceState>& states, Timestamp now,
                        std::vector<metrics::Family>* out);

// airflow_up, airflow_job_heartbeat_age_seconds, airflow_task_instances, airflow_dag_runs,
// airflow_pool_slots, airflow_dags, airflow_import_errors, airflow_schedule_delay_seconds,
// airflow_task_queue_seconds, from
// each instance's HealthState (docs/health.md); no samples for an instance before its first
// health read. health_collector.cc.
Status CollectHealth(const std::vector<InstanceState>& states, std::vector<metrics::Family>* out);

// slayer_canary_schedule_delay_seconds, slayer_canary_end_to_end_seconds, slayer_canary_missed
// per canary rule and DAG (`canary: true`; docs/health.md#canary), from each instance's
// HealthState and open items; no samples for an instance before its first health read.
// canary_collector.cc.
Status CollectCanaries(const std::vector<InstanceState>& states,
                       std::vector<metrics::Family>* out);

// slayer_notifications_total{channel,kind,outcome} and slayer_outbox_pending{channel}
// (docs/notifications.md#metrics). notification_collector.cc.
Status CollectNotifications(const notify::NotificationCounters& counters,
                            std::vector<metrics::Family>* out);

// All of the above, rendered in the Prometheus text format. `notifications` is null when no
// channel is configured (or nothing is recorded).
Result<std::string> RenderExposition(const std::vector<InstanceState>& states,
                                     std::string_view version, Timestamp now,
                                     const notify::NotificationCounters* notifications = nullptr);

}  // namespace slayer::app

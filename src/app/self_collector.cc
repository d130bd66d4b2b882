#include <chrono>

#include "app/collectors.h"
#include "metrics/family_builder.h"
#include "metrics/snapshot.h"
#include "metrics/text_renderer.h"

namespace slayer::app {
Status CollectSelf(const std::vector<InstanceState>& states, std::string_view version,
                   std::vector<metrics::Family>* out) {
  using metrics::FamilyBuilder;
  using metrics::MetricType;
  FamilyBuilder up("slayer_db_up",
                   "Whether the last poll of the Airflow metadata database succeeded (1) or "
                   "not (0).",
                   MetricType::kGauge, {"airflow_instance"});
  FamilyBuilder duration("slayer_poll_duration_seconds", "Duration of the last poll in seconds.",
                         MetricType::kGauge, {"airflow_instance"});
  FamilyBuilder last_success("slayer_last_poll_success_timestamp_seconds",
                             "Unix time of the end of the last successful poll.",
                             MetricType::kGauge, {"airflow_instance"});
  FamilyBuilder errors("slayer_poll_errors_total",
                       "Polls that failed, connection failures included.", MetricType::kCounter,
                       {"airflow_instance"});
  FamilyBuilder schema("slayer_airflow_schema_info",
                       "The Airflow version and alembic revision detected in the metadata "
                       "database.",
                       MetricType::kGauge,
                       {"airflow_instance", "airflow_version", "alembic_revision"});
  for (const auto& s : states) {
    up.Add({s.name}, s.db_up ? 1 : 0);
    duration.Add({s.name}, s.last_poll_seconds);
    if (s.last_success) {
      last_success.Add({s.name}, std::chrono::duration<double>(
                                     s.last_success->time_since_epoch())
                                     .count());
    }
    errors.Add({s.name}, static_cast<double>(s.poll_errors_total));
    if (s.schema) schema.Add({s.name, s.schema->airflow_version, s.schema->alembic_revision}, 1);
  }
  FamilyBuilder build("slayer_build_info", "SLAyer's version; always 1.", MetricType::kGauge,
                      {"version"});
  build.Add({version}, 1);
  for (auto* b : {&up, &duration, &last_success, &errors, &schema, &build}) {
    SLAYER_RETURN_IF_ERROR(std::move(*b).AppendTo(out));
  }
  return Status::Ok();
}

Result<std::string> RenderExposition(const std::vector<InstanceState>& states,
                                     std::string_view version, Timestamp now,
                                     const notify::NotificationCounters* notifications) {
  std::vector<metrics::Family> families;
  SLAYER_RETURN_IF_ERROR(CollectSlaMisses(states, &families));
  SLAYER_RETURN_IF_ERROR(CollectDeadlines(states, now, &families));
  SLAYER_RETURN_IF_ERROR(CollectHealth(states, &families));
  SLAYER_RETURN_IF_ERROR(CollectCanaries(states, &families));
  SLAYER_RETURN_IF_ERROR(CollectSelf(states, version, &families));
  if (notifications) SLAYER_RETURN_IF_ERROR(CollectNotifications(*notifications, &families));
  auto snapshot = metrics::Snapshot::Create(std::move(families));
  if (!snapshot) return snapshot.error();
  std::string text;
  metrics::RenderText(*snapshot, &text);
  return text;
}

}  // namespace slayer::app

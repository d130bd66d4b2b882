#include "app/collectors.h"
#include "metrics/family_builder.h"

namespace slayer::app {

Status CollectNotifications(const notify::NotificationCounters& counters,
                            std::vector<metrics::Family>* out) {
  using metrics::FamilyBuilder;
  using metrics::MetricType;
  FamilyBuilder total("slayer_notifications_total",
                      "Notifications by channel, kind (missed, recovered, abandoned, at_risk) and "
                      "outcome: delivered, failed (an attempt failed; it is retried), rejected "
                      "(refused for good), dropped (given up), suppressed (silence or paused "
                      "DAG).",
                      MetricType::kCounter, {"channel", "kind", "outcome"});
  for (const auto& [key, n] : counters.total) {
    const auto& [channel, kind, outcome] = key;
    total.Add({channel, kind, outcome}, static_cast<double>(n));
  }
  FamilyBuilder pending("slayer_outbox_pending",
                        "Notifications waiting in the outbox for delivery, per channel.",
                        MetricType::kGauge, {"channel"});
  for (const auto& [channel, n] : counters.pending) {
    pending.Add({channel}, static_cast<double>(n));
  }
  SLAYER_RETURN_IF_ERROR(std::move(total).AppendTo(out));
  return std::move(pending).AppendTo(out);
}

}  // namespace slayer::app

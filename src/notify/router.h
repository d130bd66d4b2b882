// Router: decides which notifications an item change causes (SPEC section 5;
// docs/notifications.md#routing). missed when a miss is declared; recovered when the work
// finishes after its need-by (sent where the miss was sent, unless the channel has
// send_resolved: false); abandoned when it fails (unless the rule says on_failure: ignore);
// at_risk when the rule opts in. Each goes to the channels of the rule's `notify`. A silence
// covering the DAG, or a paused DAG (unless alert_when_paused), suppresses the notification,
// never the record. Immutable after Make; thread-safe.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/time.h"
#include "config/config.h"
#include "cron/zoned_schedule.h"
#include "notify/event.h"
#include "rules/item.h"
#include "store/store.h"

namespace slayer::notify {

// What the router needs to know of the item's DAG and Airflow.
struct DagContext {
  const std::vector<std::string>* tags = nullptr;  // may be null: no tags
  std::string_view owners;                        // Airflow's dag.owners text
  int airflow_major = 2;                          // the UI's link format
};

// A notification the router held back, for slayer_notifications_total{outcome="suppressed"}.
struct Suppressed {
  std::string channel;
  EventKind kind;
  std::string why;  // "silence #1", "paused DAG"
};

struct Routed {
  std::vector<store::OutboxEvent> events;
  std::vector<Suppressed> suppressed;
};

class Router {
 public:
  // Fails only for what a ValidatedConfig cannot hold (silence crons are validated).
  static Result<std::shared_ptr<const Router>> Make(const config::Config& config);

  // The notifications of one item change: `item` after it, `from` the state before
  // (std::nullopt: a new item). Items of rules without `notify` (and Airflow's own rules)
  // route nowhere.
  Routed Route(const rules::Item& item, std::optional<rules::ItemState> from,
               const DagContext& dag, Timestamp now) const;

  // The event of `kind` about `item`, as the channels receive it.
  Event MakeEvent(const rules::Item& item, EventKind kind, std::optional<rules::ItemState> from,
                  int airflow_major, Timestamp now) const;

  // The link to the run (or task) in the Airflow UI of the instance; empty without airflow_url.
  // Airflow 2: <url>/dags/<dag>/grid?dag_run_id=<run>[&task_id=<task>];
  // Airflow 3: <url>/dags/<dag>/runs/<run>[/tasks/<task>].
  std::string AirflowLink(const rules::ItemKey& key, int airflow_major) const;

  // Whether a silence covers the DAG at `now`; its number (1-based) if so.
  std::optional<size_t> ActiveSilence(std::string_view dag_id, const DagContext& dag,
                                      Timestamp now) const;

 private:
  struct CompiledSilence {
    config::Silence silence;
    cron::ZonedSchedule schedule;
  };
  Router() = default;

  std::map<std::string, config::Rule, std::less<>> rules_;        // by name
  std::map<std::string, config::Channel, std::less<>> channels_;  // by name
  std::map<std::string, std::string, std::less<>> airflow_urls_;  // instance -> UI base URL
  std::vector<CompiledSilence> silences_;
};

}  // namespace slayer::notify

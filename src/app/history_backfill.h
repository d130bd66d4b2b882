// History backfill of every configured Airflow instance (`slayer backfill`, and once on the
// first start of `serve`; docs/insights.md#backfill): engine::Backfill per instance, each with
// its own read-only source, one after the other. Thread-compatible.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "app/instance_poller.h"
#include "common/clock.h"
#include "common/status.h"
#include "config/config.h"
#include "engine/backfill.h"
#include "rules/rule_set.h"
#include "store/store.h"

namespace slayer::app {

// The window `serve` backfills on its first start.
inline constexpr Duration kFirstStartBackfill = std::chrono::days(30);
// The watermark (per instance) `serve` sets when its first-start backfill has finished.
inline constexpr std::string_view kBackfillDoneWatermark = "backfill_done";

struct BackfillRequest {
  std::optional<Timestamp> from;  // runs with a logical date from here; default now - 30d
  bool restart = false;   // ignore where an earlier backfill got to
  std::string instance;   // empty: every instance
  // Skip instances whose first-start backfill is done (kBackfillDoneWatermark), and set it
  // when one finishes: the behaviour of `serve`.
  bool first_start = false;
  std::function<bool()> should_stop;
  // After each batch of DAGs of `instance`.
  std::function<void(const std::string& instance, const engine::BackfillStats&)> progress;
};

struct InstanceBackfill {
  std::string instance;
  Status status;  // ok, or why it stopped (what was recorded stays)
  engine::BackfillStats stats;
  double seconds = 0;
  bool skipped = false;  // first_start and already done
};

// Backfills the instances of `config` into `store`. kNotFound when `request.instance` names no
// instance.
Result<std::vector<InstanceBackfill>> BackfillInstances(const config::ValidatedConfig& config,
                                                        store::Store& store,
                                                        const SourceFactory& factory,
                                                        const Clock& clock,
                                                        const BackfillRequest& request);

}  // namespace slayer::app

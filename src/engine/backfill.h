// Backfill: the history of the rules before SLAyer was watching (`slayer backfill`, and once on
// the first start of `serve`; docs/insights.md#backfill). It reads Airflow's past runs of the
// matched DAGs (by logical date, a window at a time, a batch of DAGs at a time, through the same
// bounded queries as the engine), evaluates the rules on them with rules::Evaluate, and records
// each outcome from Airflow's own timestamps: met or met_late by the run's or task's end date
// (a late one counts as missed at its need-by), abandoned when it failed, missed when it is
// still not done past its need-by. Work whose need-by is still ahead is left to the live engine.
//
// Idempotent: items go in through Store::RecordHistory, which inserts what the store does not
// hold and never overwrites a final outcome, so a second run changes nothing. Resumable: after
// each batch, in the same transaction, each DAG's watermark `backfill/<dag_id>` records up to
// which logical date its runs are settled; a later run starts each DAG from there. Notifies
// nobody: history is not news. Not thread-safe; uses its own AirflowSource.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "airflow/source.h"
#include "common/result.h"
#include "common/time.h"
#include "rules/rule_set.h"
#include "store/store.h"

namespace slayer::engine {

struct BackfillOptions {
  std::string instance;
  bool airflow_native = true;
  Timestamp from{};  // runs with a logical date from here on (until now)
  // Evaluate every DAG from `from` again, ignoring the watermarks of an earlier backfill (still
  // idempotent: recorded outcomes stay).
  bool restart = false;
  size_t dags_per_batch = 200;
  // Wall-clock ticks evaluated per rule and DAG at most (a minutely cron over 30 days is 43200).
  size_t max_ticks = 50000;
  // Asked between batches: true stops the backfill (kCancelled); what was recorded stays, and
  // the next backfill resumes from there.
  std::function<bool()> should_stop;
};

struct BackfillStats {
  size_t dags_total = 0;    // DAGs with rules (or Airflow's own SLAs/deadlines)
  size_t dags_done = 0;     // evaluated so far (including those already settled)
  size_t dags_settled = 0;  // skipped: an earlier backfill settled them up to now
  int64_t runs = 0;         // runs read
  int64_t items = 0;        // outcomes evaluated (met, met_late, missed, abandoned)
  int64_t written = 0;      // of which new to the store (or finishing an open item)
  int64_t pending = 0;      // need-by still ahead: left to the live engine
};

// Called after each batch (and once at the start, with dags_done = 0).
using BackfillProgress = std::function<void(const BackfillStats&)>;

// The watermark name of one DAG.
std::string BackfillWatermark(std::string_view dag_id);

Result<BackfillStats> Backfill(airflow::AirflowSource& source, const rules::RuleSet& rules,
                               store::Store& store, const BackfillOptions& options, Timestamp now,
                               const BackfillProgress& progress = {});

}  // namespace slayer::engine

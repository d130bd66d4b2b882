#include "engine/backfill.h"

#include <algorithm>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "rules/evaluate.h"

namespace slayer::engine {

using airflow::DagRun;
using airflow::DagRunKey;
using rules::Item;
using rules::ItemState;
using rules::Observation;
using rules::Progress;

namespace {

// One DAG to evaluate, from `start` (its settled point) to now.
struct Target {
  const airflow::Dag* dag = nullptr;
  std::vector<const rules::CompiledRule*> rules;
  Timestamp start{};
  bool wall_clock = false;  // has wall-clock rules
  bool tasks = false;       // has task-level rules
};

// The outcome an observation records, from Airflow's timestamps, or std::nullopt when there is
// nothing to record yet (need-by ahead, not armed, or done at an unknown time).
std::optional<Item> Outcome(const Observation& o, Timestamp now) {
  if (!o.armed) return std::nullopt;
  Item item = o.item;
  item.expected = false;
  switch (o.progress) {
    case Progress::kDone:
      if (!o.progress_at) return std::nullopt;
      item.done_at = o.progress_at;
      item.state = *o.progress_at <= item.need_by ? ItemState::kMet : ItemState::kMetLate;
      if (item.state == ItemState::kMetLate) item.missed_at = item.need_by;
      return item;
    case Progress::kFailed:
      item.done_at = o.progress_at;
      item.state = ItemState::kAbandoned;
      return item;
    case Progress::kOpen:
      if (item.need_by > now) return std::nullopt;
      item.state = ItemState::kMissed;
      item.missed_at = item.need_by;
      return item;
  }
  return std::nullopt;
}

}  // namespace

std::string BackfillWatermark(std::string_view dag_id) {
  return "backfill/" + std::string(dag_id);
}

Result<BackfillStats> Backfill(airflow::AirflowSource& source, const rules::RuleSet& rules,
                               store::Store& store, const BackfillOptions& options, Timestamp now,
                               const BackfillProgress& progress) {
  BackfillStats stats;
  auto dags = source.Dags();
  if (!dags) return dags.error().WithContext("read dags");
  std::sort(dags->begin(), dags->end(),
            [](const airflow::Dag& a, const airflow::Dag& b) { return a.dag_id < b.dag_id; });
  const bool native = options.airflow_native;
  const bool deadlines = native && source.schema().deadline != airflow::DeadlineFlavor::kNone;

  std::vector<Target> targets;
  for (const airflow::Dag& dag : *dags) {
    Target t;
    t.dag = &dag;
    t.rules = rules.Matching(dag);
    if (t.rules.empty() && !native) continue;
    ++stats.dags_total;
    for (const rules::CompiledRule* rule : t.rules) {
      t.wall_clock = t.wall_clock || rule->wall_clock.has_value();
      t.tasks = t.tasks || rule->task_level();
    }
    t.start = options.from;
    if (!options.restart) {
      auto mark = store.Watermark(options.instance, BackfillWatermark(dag.dag_id));
      if (!mark) return mark.error().WithContext("read backfill progress");
      if (*mark) t.start = std::max(t.start, **mark);
    }
    if (t.start >= now) {
      ++stats.dags_settled;
      ++stats.dags_done;
      continue;
    }
    targets.push_back(std::move(t));
  }
  if (progress) progress(stats);

  rules::EvaluateOptions eval;
  eval.instance = options.instance;
  eval.airflow_native = native;
  eval.horizon = now - options.from;

  const size_t batch_size = std::max<size_t>(1, options.dags_per_batch);
  for (size_t begin = 0; begin < targets.size(); begin += batch_size) {
    if (options.should_stop && options.should_stop()) {
      return Status(StatusCode::kCancelled, "backfill stopped; it resumes where it got to");
    }
    const std::span<const Target> batch(targets.data() + begin,
                                        std::min(batch_size, targets.size() - begin));
    std::vector<std::string> ids;
    Timestamp window_from = now;
    for (const Target& t : batch) {
      ids.push_back(t.dag->dag_id);
      window_from = std::min(window_from, t.start);
    }
    auto runs = source.DagRunsInWindow(std::span<const std::string>(ids), window_from,
                                       now + std::chrono::seconds(1));
    if (!runs) return runs.error().WithContext("read past dag runs");
    std::map<std::string, std::vector<DagRun>> runs_by_dag;
    for (DagRun& run : *runs) runs_by_dag[run.dag_id].push_back(std::move(run));

    // Serialized DAGs: task ids and Airflow 2 task slas.
    std::vector<std::string> want_serialized;
    for (const Target& t : batch) {
      if (t.tasks || native) want_serialized.push_back(t.dag->dag_id);
    }
    std::map<std::string, airflow::SerializedDag> serialized;
    if (!want_serialized.empty()) {
      auto read = source.SerializedDags(want_serialized);
      if (!read) return read.error().WithContext("read serialized dags");
      for (airflow::SerializedDag& s : *read) {
        std::string id = s.dag_id;
        serialized.emplace(std::move(id), std::move(s));
      }
    }

    std::vector<Item> items;
    std::vector<std::pair<std::string, Timestamp>> settled;
    for (const Target& t : batch) {
      rules::DagFacts facts;
      facts.dag = *t.dag;
      if (auto s = serialized.find(t.dag->dag_id); s != serialized.end()) facts.serialized = s->second;
      if (auto r = runs_by_dag.find(t.dag->dag_id); r != runs_by_dag.end()) {
        for (DagRun& run : r->second) {
          if (run.logical_date && *run.logical_date >= t.start) facts.runs.push_back(std::move(run));
        }
      }
      stats.runs += static_cast<int64_t>(facts.runs.size());
      bool task_slas = false;
      if (native && facts.serialized) {
        for (const auto& task : facts.serialized->tasks) task_slas = task_slas || task.sla.has_value();
      }
      if ((t.tasks || task_slas) && !facts.runs.empty()) {
        std::vector<DagRunKey> keys;
        for (const DagRun& run : facts.runs) {
          keys.push_back(run.key());
          facts.task_instances[run.run_id];  // read, possibly none
        }
        auto tis = source.TaskInstancesOfRuns(keys);
        if (!tis) return tis.error().WithContext("read past task instances");
        for (airflow::TaskInstance& ti : *tis) {
          std::string run_id = ti.run_id;
          facts.task_instances[run_id].push_back(std::move(ti));
        }
      }
      if (deadlines && !facts.runs.empty()) {
        std::vector<int64_t> run_ids;
        for (const DagRun& run : facts.runs) run_ids.push_back(run.id);
        auto read = source.DeadlinesOfRuns(run_ids);
        if (!read) return read.error().WithContext("read past deadlines");
        facts.deadlines = std::move(*read);
      }
      if (t.wall_clock && !facts.runs.empty()) {
        // Each tick is met by the first success after its window start among the runs read.
        // Ticks before the first run read are left out: the DAG may not have existed then.
        Timestamp first = now;
        for (const DagRun& run : facts.runs) {
          first = std::min(first, run.queued_at.value_or(run.start_date.value_or(run.run_after)));
        }
        facts.latest_success_read = true;
        for (const rules::CompiledRule* rule : t.rules) {
          if (!rule->wall_clock) continue;
          facts.wall_clock_ticks[rule->name()] =
              rule->wall_clock->TicksBetween(std::max(t.start, first), now, options.max_ticks);
        }
      }
      // Settled up to now, or up to the first run whose outcome is still ahead.
      Timestamp until = now;
      for (const Observation& o : rules::Evaluate(rules, facts, now, eval)) {
        std::optional<Item> item = Outcome(o, now);
        if (item) {
          items.push_back(std::move(*item));
          continue;
        }
        if (o.armed && o.progress == Progress::kOpen) {
          ++stats.pending;
          if (o.item.logical_date && !o.item.key.run_id.empty()) {
            until = std::min(until, *o.item.logical_date);
          }
        } else if (!o.armed && o.progress == Progress::kOpen && !o.item.key.run_id.empty() &&
                   o.item.logical_date) {
          // Not armed yet (a task not started): its run is not settled either.
          until = std::min(until, *o.item.logical_date);
        }
      }
      settled.emplace_back(BackfillWatermark(t.dag->dag_id), std::max(until, t.start));
    }
    stats.items += static_cast<int64_t>(items.size());
    auto written = store.RecordHistory(items, options.instance, settled);
    if (!written) return written.error();
    stats.written += *written;
    stats.dags_done += batch.size();
    if (progress) progress(stats);
  }
  return stats;
}

}  // namespace slayer::engine

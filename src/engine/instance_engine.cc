#include "engine/instance_engine.h"

#include <algorithm>
#include <iterator>

#include "common/log.h"

namespace slayer::engine {

using airflow::DagRun;
using airflow::DagRunKey;
using rules::CompiledRule;
using rules::Item;
using rules::ItemKey;
using rules::ItemState;

const std::vector<double> kLatenessBuckets = {60,    300,   900,   1800,  3600,
                                              7200,  14400, 28800, 86400, 259200};

namespace {

bool IsRunFinished(const DagRun& run) {
  return run.state == airflow::DagRunState::kSuccess || run.state == airflow::DagRunState::kFailed;
}

std::string WatermarkName(std::string_view kind, std::string_view rule, std::string_view dag) {
  std::string out(kind);
  out += "/";
  out += rule;
  out += "/";
  out += dag;
  return out;
}

}  // namespace

InstanceEngine::InstanceEngine(EngineOptions options, std::shared_ptr<const rules::RuleSet> rules,
                               store::Store* store)
    : options_(std::move(options)),
      rules_(std::move(rules)),
      store_(store),
      durations_(options_.durations) {}

Status InstanceEngine::Restore(Timestamp now) {
  if (store_ == nullptr) return Status::Ok();
  auto open = store_->OpenItems(options_.instance);
  if (!open) return open.error().WithContext("restore open items");
  std::erase_if(*open, [&](const Item& item) { return item.need_by < now - options_.horizon; });
  store::ItemFilter filter;
  filter.instance = options_.instance;
  filter.need_by_from = now - options_.horizon;
  auto recent = store_->Items(filter);
  if (!recent) return recent.error().WithContext("restore recent items");
  std::erase_if(*recent, [](const Item& item) { return item.open(); });
  const size_t n_open = open->size();
  tracker_.Restore(std::move(*open), *recent);
  LogInfo("restored deadline items", {{"instance", options_.instance},
                                      {"open", n_open},
                                      {"recent_final", recent->size()}});
  return Status::Ok();
}

void InstanceEngine::SetRules(std::shared_ptr<const rules::RuleSet> rules) {
  rules_ = std::move(rules);
  dags_read_at_.reset();  // re-match every DAG
}

Status InstanceEngine::ReadDags(airflow::AirflowSource& source, Timestamp now) {
  if (dags_read_at_ && now - *dags_read_at_ < options_.dag_refresh) return Status::Ok();
  auto dags = source.Dags();
  if (!dags) return dags.error().WithContext("read dags");
  return SetDags(std::move(*dags), now);
}

Status InstanceEngine::SetDags(std::vector<airflow::Dag> dags, Timestamp now) {
  std::map<std::string, DagInfo> next;
  for (airflow::Dag& dag : dags) {
    DagInfo info;
    info.rules = rules_->Matching(dag);
    for (const CompiledRule* rule : info.rules) {
      const config::Rule& r = rule->rule;
      if (r.deadline && r.deadline->CountsExpectedRuns()) info.needs_serialized = true;
      if (rule->task_level()) info.needs_serialized = info.needs_tasks = true;
      if (r.at || r.freshness) info.needs_latest_success = true;
    }
    if (!first_seen_.contains(dag.dag_id) && info.needs_latest_success) {
      std::optional<Timestamp> seen;
      if (store_ != nullptr) {
        auto mark = store_->Watermark(options_.instance, "first_seen/" + dag.dag_id);
        if (mark && *mark) seen = **mark;
      }
      if (!seen) {
        seen = now;
        if (store_ != nullptr) {
          Status st = store_->SetWatermark(options_.instance, "first_seen/" + dag.dag_id, now);
          if (!st.ok()) return st.WithContext("store");
        }
      }
      first_seen_[dag.dag_id] = *seen;
    }
    std::string id = dag.dag_id;
    info.dag = std::move(dag);
    next.emplace(std::move(id), std::move(info));
  }
  dags_ = std::move(next);
  dags_read_at_ = now;
  return Status::Ok();
}

Status InstanceEngine::ReadSerialized(airflow::AirflowSource& source,
                                      const std::set<std::string>& dag_ids, bool refresh) {
  std::vector<std::string> missing;
  for (const std::string& id : dag_ids) {
    if (refresh || !serialized_.contains(id)) missing.push_back(id);
  }
  if (missing.empty()) return Status::Ok();
  auto read = source.SerializedDags(missing);
  if (!read) return read.error().WithContext("read serialized dags");
  for (const std::string& id : missing) serialized_[id].reset();
  for (airflow::SerializedDag& dag : *read) {
    std::string id = dag.dag_id;
    serialized_[id] = std::move(dag);
  }
  return Status::Ok();
}

std::vector<Timestamp> InstanceEngine::WallClockTicks(const CompiledRule& rule,
                                                      const std::string& dag_id, Timestamp now,
                                                      bool advance) {
  const rules::WallClockSchedule& schedule = *rule.wall_clock;
  std::set<Timestamp> ticks;
  const auto key = std::make_pair(rule.name(), dag_id);
  std::optional<Timestamp> until;
  if (auto it = wall_clock_until_.find(key); it != wall_clock_until_.end()) {
    until = it->second;
  } else if (store_ != nullptr) {
    auto mark = store_->Watermark(options_.instance, WatermarkName("wall_clock", rule.name(), dag_id));
    if (mark && *mark) until = **mark;
  }
  if (!until) {
    // First sight: start with the latest tick, so a miss in progress is seen at once (older
    // ticks are history: `slayer backfill`).
    if (auto prev = schedule.Prev(now + std::chrono::microseconds(1))) {
      until = *prev - std::chrono::microseconds(1);
    } else {
      until = now;
    }
  }
  until = std::max(*until, now - options_.horizon);
  for (Timestamp t : schedule.TicksBetween(*until, now, 100)) ticks.insert(t);
  if (auto next = schedule.Next(now)) ticks.insert(*next);
  const bool advanced = !wall_clock_until_.contains(key) || wall_clock_until_[key] < now;
  if (advance && advanced && store_ != nullptr && !ticks.empty()) {
    // Persist only when a tick was passed, not on every poll.
    auto passed = schedule.Prev(now + std::chrono::microseconds(1));
    auto it = wall_clock_until_.find(key);
    if (passed && (it == wall_clock_until_.end() || it->second < *passed)) {
      (void)store_->SetWatermark(options_.instance, WatermarkName("wall_clock", rule.name(), dag_id),
                                 now);
    }
  }
  if (advance) wall_clock_until_[key] = now;
  for (const auto& [k, item] : tracker_.open()) {
    if (k.rule == rule.name() && k.dag_id == dag_id && !k.slot.empty()) {
      if (auto t = ParseTimestamp(k.slot)) ticks.insert(*t);
    }
  }
  return {ticks.begin(), ticks.end()};
}

Status InstanceEngine::ReadRunsByKey(airflow::AirflowSource& source,
                                     const std::vector<DagRunKey>& keys, Timestamp now,
                                     std::vector<DagRun>* runs) {
  if (keys.empty()) return Status::Ok();
  auto found = source.DagRunsByKey(keys);
  if (!found) return found.error().WithContext("read dag runs by key");
  std::set<DagRunKey> seen;
  for (DagRun& run : *found) {
    seen.insert(run.key());
    runs->push_back(std::move(run));
  }
  for (const DagRunKey& key : keys) {
    if (seen.contains(key)) continue;
    SLAYER_RETURN_IF_ERROR(Record(tracker_.AbandonRun(key.dag_id, key.run_id, now), now));
  }
  return Status::Ok();
}

Status InstanceEngine::Poll(airflow::AirflowSource& source,
                            const std::vector<DagRun>& active_runs, Timestamp now,
                            const std::vector<airflow::TaskInstance>* active_task_instances) {
  SLAYER_RETURN_IF_ERROR(ReadDags(source, now));
  const bool full = !full_read_at_ || now - *full_read_at_ >= options_.full_refresh;
  const bool native = options_.airflow_native;

  // The DAGs to evaluate: those with rules, and with airflow_native those with active runs.
  std::set<std::string> dag_ids;
  for (const auto& [id, info] : dags_) {
    if (!info.rules.empty()) dag_ids.insert(id);
  }
  std::vector<DagRun> runs;
  for (const DagRun& run : active_runs) {
    auto dag = dags_.find(run.dag_id);
    if (dag == dags_.end()) continue;
    if (!dag->second.rules.empty() || native) {
      runs.push_back(run);
      dag_ids.insert(run.dag_id);
    }
  }
  // Runs of open items that are not active any more (finished, or created since).
  std::set<DagRunKey> have;
  for (const DagRun& run : runs) have.insert(run.key());
  std::vector<DagRunKey> lookup;
  std::set<DagRunKey> lookup_set;
  for (const auto& [key, item] : tracker_.open()) {
    if (key.run_id.empty()) continue;
    DagRunKey run{key.dag_id, key.run_id};
    if (have.contains(run) || !lookup_set.insert(run).second) continue;
    lookup.push_back(std::move(run));
    dag_ids.insert(key.dag_id);
  }
  SLAYER_RETURN_IF_ERROR(ReadRunsByKey(source, lookup, now, &runs));
  for (const DagRun& run : runs) have.insert(run.key());
  // Recent runs of DAGs with deadline rules: those that started and finished between polls.
  if (full) {
    const Timestamp since = full_read_at_ ? *full_read_at_ - 2 * options_.full_refresh
                                          : now - options_.horizon;
    std::vector<std::string> with_deadlines;
    for (const auto& [id, info] : dags_) {
      if (std::any_of(info.rules.begin(), info.rules.end(),
                      [](const CompiledRule* r) { return r->rule.deadline; })) {
        with_deadlines.push_back(id);
      }
    }
    if (!with_deadlines.empty()) {
      // One statement per few hundred DAGs, each an index range per DAG.
      auto window = source.DagRunsInWindow(std::span<const std::string>(with_deadlines), since,
                                           now + std::chrono::seconds(1));
      if (!window) return window.error().WithContext("read recent dag runs");
      for (DagRun& run : *window) {
        if (have.insert(run.key()).second) runs.push_back(std::move(run));
      }
    }
  }
  std::optional<TaskInstancesByRun> known;
  if (active_task_instances != nullptr) {
    known.emplace();
    for (const DagRun& run : active_runs) (*known)[run.key()];  // read, possibly none
    for (const airflow::TaskInstance& ti : *active_task_instances) {
      auto it = known->find(ti.run_key());
      if (it != known->end()) it->second.push_back(ti);
    }
  }
  SLAYER_RETURN_IF_ERROR(EvaluateDags(source, dag_ids, std::move(runs), /*full=*/true, now,
                                      known ? &*known : nullptr));
  if (full) full_read_at_ = now;
  tracker_.Expire(now - options_.horizon);
  if (store_ != nullptr &&
      (!retention_applied_at_ || now - *retention_applied_at_ >= std::chrono::hours(1))) {
    auto deleted = store_->DeleteFinalBefore(now - options_.retention);
    if (!deleted) return deleted.error().WithContext("store retention");
    if (*deleted > 0) {
      LogInfo("deleted items past the retention",
              {{"instance", options_.instance}, {"items", *deleted}});
    }
    retention_applied_at_ = now;
  }
  return Status::Ok();
}

Status InstanceEngine::CheckDue(airflow::AirflowSource& source, Timestamp now) {
  std::vector<ItemKey> due = tracker_.Due(now);
  if (due.empty()) return Status::Ok();
  std::set<std::string> dag_ids;
  std::vector<DagRunKey> lookup;
  std::set<DagRunKey> lookup_set;
  for (const ItemKey& key : due) {
    dag_ids.insert(key.dag_id);
    if (key.run_id.empty()) continue;
    DagRunKey run{key.dag_id, key.run_id};
    if (lookup_set.insert(run).second) lookup.push_back(std::move(run));
  }
  std::vector<DagRun> runs;
  SLAYER_RETURN_IF_ERROR(ReadRunsByKey(source, lookup, now, &runs));
  return EvaluateDags(source, dag_ids, std::move(runs), /*full=*/false, now);
}

Status InstanceEngine::EvaluateDags(airflow::AirflowSource& source,
                                    const std::set<std::string>& dag_ids, std::vector<DagRun> runs,
                                    bool full, Timestamp now, const TaskInstancesByRun* known) {
  auto facts = ReadFacts(source, dag_ids, std::move(runs), full, /*advance=*/true, now, known);
  if (!facts) return facts.error();
  ApplyResult result = tracker_.Apply(EvaluateFacts(*facts, now), now);
  PredictAtRisk(*facts, now, result);
  return Record(result, now);
}

void InstanceEngine::PredictAtRisk(const std::vector<rules::DagFacts>& facts, Timestamp now,
                                   ApplyResult& result) {
  // Per DAG: its facts and its runs by run_id.
  std::map<std::string_view, std::pair<const rules::DagFacts*,
                                       std::map<std::string_view, const DagRun*>>>
      by_dag;
  for (const rules::DagFacts& f : facts) {
    auto& [dag_facts, run_of] = by_dag[f.dag.dag_id];
    dag_facts = &f;
    for (const DagRun& run : f.runs) {
      durations_.ObserveRun(run);
      run_of.emplace(run.run_id, &run);
    }
    for (const auto& [run_id, tis] : f.task_instances) {
      auto run = run_of.find(run_id);
      if (run == run_of.end()) continue;
      for (const airflow::TaskInstance& ti : tis) durations_.ObserveTask(ti, *run->second);
    }
  }
  std::vector<ItemKey> at_risk;
  for (const auto& [key, item] : tracker_.open()) {
    // Run and task items only: wall-clock and freshness items have no run to predict.
    if (item.state != ItemState::kPending || item.need_by <= now || key.run_id.empty()) continue;
    auto f = by_dag.find(key.dag_id);
    if (f == by_dag.end()) continue;
    const rules::DagFacts& dag = *f->second.first;
    auto found = f->second.second.find(key.run_id);
    const DagRun* run = found == f->second.second.end() ? nullptr : found->second;
    if (run == nullptr && !item.expected) continue;  // not read this time
    std::optional<Timestamp> predicted;
    if (key.task_id.empty()) {
      predicted = durations_.PredictRun(key.dag_id, run, now);
    } else {
      const airflow::TaskInstance* ti = nullptr;
      if (auto tis = dag.task_instances.find(key.run_id); tis != dag.task_instances.end()) {
        for (const airflow::TaskInstance& t : tis->second) {
          if (t.task_id == key.task_id && (ti == nullptr || t.map_index < ti->map_index)) ti = &t;
        }
      }
      predicted = durations_.PredictTask(key.dag_id, key.task_id, run, ti, now);
    }
    if (predicted && *predicted > item.need_by) at_risk.push_back(key);
  }
  const size_t before = result.transitions.size();
  tracker_.MarkAtRisk(at_risk, now, result);
  for (size_t i = before; i < result.transitions.size(); ++i) {
    const Item& item = result.transitions[i].item;
    LogInfo("deadline at risk", {{"instance", item.key.instance},
                                 {"rule", item.key.rule},
                                 {"dag_id", item.key.dag_id},
                                 {"run_id", item.key.run_id},
                                 {"task_id", item.key.task_id},
                                 {"need_by", FormatRfc3339(item.need_by)}});
  }
}

std::vector<rules::Observation> InstanceEngine::EvaluateFacts(
    const std::vector<rules::DagFacts>& facts, Timestamp now) {
  rules::EvaluateOptions eval;
  eval.instance = options_.instance;
  eval.airflow_native = options_.airflow_native;
  eval.horizon = options_.horizon;
  std::vector<rules::Observation> observations;
  for (const rules::DagFacts& f : facts) {
    auto obs = rules::Evaluate(*rules_, f, now, eval, &counters_.oddities);
    observations.insert(observations.end(), std::make_move_iterator(obs.begin()),
                        std::make_move_iterator(obs.end()));
  }
  return observations;
}

Result<std::vector<rules::DagFacts>> InstanceEngine::ReadFacts(
    airflow::AirflowSource& source, const std::set<std::string>& dag_ids,
    std::vector<DagRun> runs, bool full, bool advance, Timestamp now,
    const TaskInstancesByRun* known) {
  const bool native = options_.airflow_native;
  std::map<std::string, std::vector<DagRun>> runs_by_dag;
  for (DagRun& run : runs) runs_by_dag[run.dag_id].push_back(std::move(run));

  // Serialized DAGs: timetables, task ids, task slas.
  std::set<std::string> want_serialized;
  for (const std::string& id : dag_ids) {
    auto dag = dags_.find(id);
    if (dag == dags_.end()) continue;
    if (dag->second.needs_serialized || (native && runs_by_dag.contains(id))) {
      want_serialized.insert(id);
    }
  }
  {
    Status st = ReadSerialized(source, want_serialized,
                               full && (!full_read_at_ ||
                                        now - *full_read_at_ >= options_.full_refresh));
    if (!st.ok()) return st;
  }

  // Task instances: runs of DAGs with task-level rules or task slas that are unfinished, have
  // open items, or finished recently.
  std::set<std::pair<std::string, std::string>> open_runs;
  for (const auto& [key, item] : tracker_.open()) open_runs.insert({key.dag_id, key.run_id});
  std::vector<DagRunKey> ti_runs;
  for (const auto& [dag_id, dag_runs] : runs_by_dag) {
    auto info = dags_.find(dag_id);
    if (info == dags_.end()) continue;
    bool wants = info->second.needs_tasks;
    if (!wants && native) {
      auto ser = serialized_.find(dag_id);
      if (ser != serialized_.end() && ser->second) {
        for (const auto& task : ser->second->tasks) wants = wants || task.sla.has_value();
      }
    }
    if (!wants) continue;
    for (const DagRun& run : dag_runs) {
      bool recent = run.end_date && *run.end_date >= now - 2 * options_.full_refresh;
      if (!IsRunFinished(run) || recent || open_runs.contains({run.dag_id, run.run_id})) {
        ti_runs.push_back(run.key());
      }
    }
  }
  TaskInstancesByRun tis;
  std::vector<DagRunKey> to_read;
  for (const DagRunKey& key : ti_runs) {
    if (known != nullptr) {
      if (auto have = known->find(key); have != known->end()) {
        tis[key] = have->second;
        continue;
      }
    }
    to_read.push_back(key);
  }
  if (!to_read.empty()) {
    auto read = source.TaskInstancesOfRuns(to_read);
    if (!read) return read.error().WithContext("read task instances");
    for (const DagRunKey& key : to_read) tis[key];  // read, possibly none
    for (airflow::TaskInstance& ti : *read) tis[ti.run_key()].push_back(std::move(ti));
  }

  // Latest successes for wall-clock and freshness rules.
  std::vector<std::string> success_ids;
  for (const std::string& id : dag_ids) {
    auto info = dags_.find(id);
    if (info != dags_.end() && info->second.needs_latest_success) success_ids.push_back(id);
  }
  std::map<std::string, DagRun> latest;
  if (!success_ids.empty()) {
    auto read = source.LatestSuccessfulDagRuns(success_ids);
    if (!read) return read.error().WithContext("read latest successful runs");
    for (DagRun& run : *read) {
      std::string id = run.dag_id;
      latest.emplace(std::move(id), std::move(run));
    }
  }

  // Airflow 3.1+ deadline rows of these runs, and those of open airflow:deadline items (gone
  // rows: met or deleted; the run decides).
  std::map<std::string, std::vector<airflow::Deadline>> deadlines;
  if (native && source.schema().deadline != airflow::DeadlineFlavor::kNone) {
    std::vector<int64_t> ids;
    for (const auto& [dag_id, dag_runs] : runs_by_dag) {
      for (const DagRun& run : dag_runs) ids.push_back(run.id);
    }
    if (!ids.empty()) {
      auto read = source.DeadlinesOfRuns(ids);
      if (!read) return read.error().WithContext("read deadlines");
      for (airflow::Deadline& d : *read) {
        if (d.dag_id) deadlines[*d.dag_id].push_back(std::move(d));
      }
    }
    for (const auto& [key, item] : tracker_.open()) {
      if (key.rule != rules::kAirflowDeadlineRule) continue;
      auto& list = deadlines[key.dag_id];
      bool present = std::any_of(list.begin(), list.end(),
                                 [&](const airflow::Deadline& d) { return d.id == key.slot; });
      if (present) continue;
      airflow::Deadline d;
      d.id = key.slot;
      d.dag_id = key.dag_id;
      d.run_id = key.run_id;
      d.deadline_time = item.need_by;
      list.push_back(std::move(d));
    }
  }

  std::vector<rules::DagFacts> out;
  for (const std::string& id : dag_ids) {
    auto info = dags_.find(id);
    if (info == dags_.end()) continue;
    rules::DagFacts facts;
    facts.dag = info->second.dag;
    if (auto s = serialized_.find(id); s != serialized_.end()) facts.serialized = s->second;
    if (auto r = runs_by_dag.find(id); r != runs_by_dag.end()) facts.runs = r->second;
    for (const DagRun& run : facts.runs) {
      if (auto t = tis.find(run.key()); t != tis.end()) facts.task_instances[run.run_id] = t->second;
    }
    if (info->second.needs_latest_success) {
      facts.latest_success_read = true;
      if (auto l = latest.find(id); l != latest.end()) facts.latest_success = l->second;
    }
    if (auto d = deadlines.find(id); d != deadlines.end()) facts.deadlines = d->second;
    // Expected runs need a fresh DAG row (next_dagrun): polls only. A due check re-reads runs
    // by key, not the DAG, so an expected run's miss waits for the next poll.
    facts.expected_runs = full;
    if (auto f = first_seen_.find(id); f != first_seen_.end()) facts.first_seen = f->second;
    for (const CompiledRule* rule : info->second.rules) {
      if (rule->wall_clock) {
        if (full) {
          facts.wall_clock_ticks[rule->name()] = WallClockTicks(*rule, id, now, advance);
        } else {
          auto& ticks = facts.wall_clock_ticks[rule->name()];
          for (const auto& [k, item] : tracker_.open()) {
            if (k.rule == rule->name() && k.dag_id == id) {
              if (auto t = ParseTimestamp(k.slot)) ticks.push_back(*t);
            }
          }
        }
      }
      if (rule->rule.freshness) {
        auto& slots = facts.freshness_open_slots[rule->name()];
        for (const auto& [k, item] : tracker_.open()) {
          if (k.rule == rule->name() && k.dag_id == id) slots.push_back(k.slot);
        }
      }
    }
    out.push_back(std::move(facts));
  }
  return out;
}

void InstanceEngine::Count(const Transition& t) {
  const Item& item = t.item;
  const auto& k = item.key;
  switch (item.state) {
    case ItemState::kMissed:
      ++counters_.misses[{k.rule, k.dag_id, k.task_id, item.severity}];
      ++counters_.outcomes[{k.rule, k.dag_id, "missed"}];
      break;
    case ItemState::kMet:
      ++counters_.outcomes[{k.rule, k.dag_id, "met"}];
      break;
    case ItemState::kMetLate: {
      ++counters_.outcomes[{k.rule, k.dag_id, "met_late"}];
      auto& h = counters_.lateness[{k.rule, k.dag_id}];
      if (h.buckets.empty()) h.buckets.assign(kLatenessBuckets.size(), 0);
      const double seconds = std::chrono::duration<double>(item.lateness()).count();
      for (size_t i = 0; i < kLatenessBuckets.size(); ++i) {
        if (seconds <= kLatenessBuckets[i]) ++h.buckets[i];
      }
      h.sum += seconds;
      ++h.count;
      break;
    }
    case ItemState::kAbandoned:
      ++counters_.outcomes[{k.rule, k.dag_id, "abandoned"}];
      break;
    default:
      break;
  }
}

void InstanceEngine::SetNotifier(std::shared_ptr<const notify::Router> router,
                                 AfterRecord after_record) {
  router_ = std::move(router);
  after_record_ = std::move(after_record);
}

Status InstanceEngine::Record(const ApplyResult& result, Timestamp now) {
  std::map<ItemKey, const Item*> last;
  std::vector<store::OutboxEvent> events;
  std::vector<notify::Suppressed> suppressed;
  for (const Transition& t : result.transitions) {
    if (t.from && *t.from == t.item.state) continue;
    if (t.from || t.item.state != ItemState::kPending) Count(t);
    last[t.item.key] = &t.item;
    if (t.item.state == ItemState::kMissed) {
      LogWarn("deadline missed", {{"instance", t.item.key.instance},
                                  {"rule", t.item.key.rule},
                                  {"dag_id", t.item.key.dag_id},
                                  {"run_id", t.item.key.run_id},
                                  {"task_id", t.item.key.task_id},
                                  {"need_by", FormatRfc3339(t.item.need_by)}});
    }
    if (router_) {
      notify::DagContext context;
      context.airflow_major = airflow_major_;
      std::string owners;
      if (auto dag = dags_.find(t.item.key.dag_id); dag != dags_.end()) {
        context.tags = &dag->second.dag.tags;
        owners = airflow::OwnersText(dag->second.dag);
        context.owners = owners;
      }
      notify::Routed routed = router_->Route(t.item, t.from, context, now);
      std::move(routed.events.begin(), routed.events.end(), std::back_inserter(events));
      std::move(routed.suppressed.begin(), routed.suppressed.end(),
                std::back_inserter(suppressed));
    }
  }
  for (const Transition& t : result.transitions) last.try_emplace(t.item.key, &t.item);
  if (store_ == nullptr) return Status::Ok();
  // What a failed write left behind goes first, so that nothing decided is lost: the tracker
  // has moved on already and will not decide it again.
  Unrecorded& u = unrecorded_;
  for (const auto& [key, item] : last) u.items[key] = *item;
  u.removed.insert(u.removed.end(), result.removed.begin(), result.removed.end());
  u.rekeyed.insert(u.rekeyed.end(), result.rekeyed.begin(), result.rekeyed.end());
  std::move(events.begin(), events.end(), std::back_inserter(u.events));
  if (u.items.empty() && u.removed.empty()) return Status::Ok();
  std::vector<Item> items;
  items.reserve(u.items.size());
  for (const auto& [key, item] : u.items) items.push_back(item);
  Status st = store_->Record({.upsert = items,
                              .remove = u.removed,
                              .rekey = u.rekeyed,
                              .events = u.events});
  if (!st.ok()) return st.WithContext("store (kept for the next write)");
  const bool queued = !u.events.empty();
  u = Unrecorded{};
  if (after_record_ && (queued || !suppressed.empty())) after_record_(suppressed);
  return Status::Ok();
}

EngineSnapshot InstanceEngine::Snapshot() const {
  EngineSnapshot snap;
  snap.open.reserve(tracker_.open().size());
  for (const auto& [key, item] : tracker_.open()) snap.open.push_back(item);
  snap.counters = counters_;
  return snap;
}

Result<std::vector<rules::Observation>> InstanceEngine::Explain(airflow::AirflowSource& source,
                                                                std::string_view dag_id,
                                                                std::string_view run_id,
                                                                Timestamp now) {
  SLAYER_RETURN_IF_ERROR(ReadDags(source, now));
  auto info = dags_.find(std::string(dag_id));
  if (info == dags_.end()) {
    return Status(StatusCode::kNotFound, "no DAG '" + std::string(dag_id) + "' in Airflow");
  }
  std::vector<DagRun> runs;
  if (!run_id.empty()) {
    std::vector<DagRunKey> key{{std::string(dag_id), std::string(run_id)}};
    auto found = source.DagRunsByKey(key);
    if (!found) return found.error().WithContext("read dag run");
    if (found->empty()) {
      return Status(StatusCode::kNotFound, "no run '" + std::string(run_id) + "' of DAG '" +
                                               std::string(dag_id) + "'");
    }
    runs = std::move(*found);
  } else {
    auto recent = source.DagRunsInWindow(dag_id, now - options_.horizon,
                                         now + std::chrono::seconds(1));
    if (!recent) return recent.error().WithContext("read recent dag runs");
    runs = std::move(*recent);
    auto active = source.ActiveDagRuns();
    if (!active) return active.error().WithContext("read active dag runs");
    for (DagRun& run : *active) {
      if (run.dag_id != dag_id) continue;
      bool dup = std::any_of(runs.begin(), runs.end(),
                             [&](const DagRun& r) { return r.run_id == run.run_id; });
      if (!dup) runs.push_back(std::move(run));
    }
  }
  std::set<std::string> ids{std::string(dag_id)};
  auto facts = ReadFacts(source, ids, std::move(runs), /*full=*/true, /*advance=*/false, now);
  if (!facts) return facts.error();
  rules::Oddities scratch;
  std::swap(scratch, counters_.oddities);
  std::vector<rules::Observation> out = EvaluateFacts(*facts, now);
  std::swap(scratch, counters_.oddities);
  return out;
}

}  // namespace slayer::engine

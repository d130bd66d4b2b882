#include "rules/evaluate.h"

#include <algorithm>
#include <set>

#include "airflow/dag_run_state.h"
#include "airflow/task_instance_state.h"
#include "rules/reference.h"

namespace slayer::rules {
namespace {

using airflow::DagRun;
using airflow::DagRunState;
using airflow::TaskInstance;
using airflow::TaskInstanceState;

struct ProgressOf {
  Progress progress = Progress::kOpen;
  std::optional<Timestamp> at;
  std::string why;
};

class Evaluator {
 public:
  Evaluator(const DagFacts& facts, Timestamp now, const EvaluateOptions& options,
            Oddities* oddities)
      : facts_(facts), now_(now), options_(options), oddities_(oddities) {}

  std::vector<Observation> Run(const RuleSet& rules) {
    for (const CompiledRule* rule : rules.Matching(facts_.dag)) {
      const config::Rule& r = rule->rule;
      if (r.deadline) {
        Deadline(*rule);
      } else if (r.at) {
        WallClock(*rule);
      } else if (r.freshness) {
        Freshness(*rule);
      }
    }
    if (options_.airflow_native) {
      NativeSla();
      NativeDeadlines();
    }
    return std::move(out_);
  }

 private:
  // --- progress of runs and tasks ---

  ProgressOf RunProgress(const DagRun& run) {
    switch (run.state) {
      case DagRunState::kSuccess:
        if (!run.end_date) ++Odd().null_dates;
        return {Progress::kDone, run.end_date, "run succeeded"};
      case DagRunState::kFailed:
        return {Progress::kFailed, run.end_date, "run failed"};
      case DagRunState::kUnknown:
        ++Odd().unknown_states;
        return {Progress::kOpen, std::nullopt,
                "run state '" + run.state_text.value_or("") + "' is unknown: treated as not done"};
      default:
        return {Progress::kOpen, std::nullopt,
                "run is " + std::string(airflow::DagRunStateName(run.state))};
    }
  }

  // A task is done when every map index of it succeeded or was skipped; failed when every map
  // index finished and one failed or was removed. `run` decides for tasks of a finished run
  // that never got to run.
  ProgressOf TaskProgress(const std::vector<const TaskInstance*>& tis, const DagRun& run) {
    if (tis.empty()) {
      if (run.state == DagRunState::kFailed) {
        return {Progress::kFailed, run.end_date, "run failed before the task ran"};
      }
      return {Progress::kOpen, std::nullopt, "no task instance yet"};
    }
    bool all_finished = true, all_success = true, any_failed = false;
    std::optional<Timestamp> last_end;
    std::string state_text;
    for (const TaskInstance* ti : tis) {
      if (ti->state == TaskInstanceState::kUnknown) ++Odd().unknown_states;
      if (!airflow::IsFinished(ti->state)) all_finished = false;
      if (!airflow::IsSuccessLike(ti->state)) all_success = false;
      if (airflow::IsFailureLike(ti->state) || ti->state == TaskInstanceState::kRemoved) {
        any_failed = true;
      }
      if (ti->end_date && (!last_end || *ti->end_date > *last_end)) last_end = ti->end_date;
      if (ti->start_date && ti->end_date && *ti->end_date < *ti->start_date) {
        ++Odd().end_before_start;
      }
      state_text = std::string(airflow::TaskInstanceStateName(ti->state));
    }
    if (all_success) {
      if (!last_end) ++Odd().null_dates;
      return {Progress::kDone, last_end, "task " + state_text};
    }
    if (all_finished && any_failed) {
      return {Progress::kFailed, last_end, "task " + state_text};
    }
    if (run.state == DagRunState::kFailed && !all_finished) {
      return {Progress::kFailed, run.end_date, "run failed while the task was " + state_text};
    }
    return {Progress::kOpen, std::nullopt, "task is " + state_text};
  }

  // --- items ---

  Observation Base(const std::string& rule, std::string_view severity) const {
    Observation o;
    o.item.key.instance = options_.instance;
    o.item.key.rule = rule;
    o.item.key.dag_id = facts_.dag.dag_id;
    o.item.severity = std::string(severity);
    o.item.paused = facts_.dag.is_paused;
    return o;
  }

  static std::optional<Timestamp> LogicalDateOf(const DagRun& run) {
    if (run.logical_date) return run.logical_date;
    return run.run_after;
  }

  void Emit(Observation o, const ProgressOf& progress) {
    o.progress = progress.progress;
    o.progress_at = progress.at;
    if (!o.why.empty() && !progress.why.empty()) o.why += "; ";
    o.why += progress.why;
    out_.push_back(std::move(o));
  }

  // Task instances of `run` grouped by task_id (map indexes together), when they were read.
  const std::vector<TaskInstance>* TisOf(const DagRun& run) const {
    auto it = facts_.task_instances.find(run.run_id);
    return it == facts_.task_instances.end() ? nullptr : &it->second;
  }

  // Task ids a task-level rule covers in `run`: those of the serialized DAG and of the run's
  // task instances that match its globs, sorted.
  std::set<std::string> TaskIds(const CompiledRule& rule, const std::vector<TaskInstance>* tis) {
    std::set<std::string> ids;
    if (facts_.serialized) {
      for (const auto& task : facts_.serialized->tasks) {
        if (rule.MatchesTask(task.task_id)) ids.insert(task.task_id);
      }
    }
    if (tis) {
      for (const TaskInstance& ti : *tis) {
        if (rule.MatchesTask(ti.task_id)) ids.insert(ti.task_id);
      }
    }
    return ids;
  }

  // The runs the timetable scheduled from dag.next_dagrun on that are due and were not
  // created (the scheduler creates every run before next_dagrun), newest `limit` kept out.
  std::vector<RunSlot> MissingSlots() {
    if (!slots_computed_) {
      slots_computed_ = true;
      const airflow::Dag& dag = facts_.dag;
      if (!facts_.expected_runs || !facts_.serialized || !dag.next_dagrun || !dag.is_active) {
        return {};
      }
      auto schedule = RunSchedule::Make(facts_.serialized->timetable, dag.next_dagrun);
      if (!schedule) return {};
      Timestamp from = std::max(*dag.next_dagrun, now_ - options_.horizon);
      for (RunSlot& slot : schedule->SlotsBetween(from, now_, options_.max_expected_slots)) {
        bool exists = std::any_of(facts_.runs.begin(), facts_.runs.end(), [&](const DagRun& r) {
          return r.run_id == slot.run_id || r.logical_date == slot.logical_date;
        });
        if (!exists) slots_.push_back(std::move(slot));
      }
    }
    return slots_;
  }

  static std::optional<Timestamp> SlotReference(config::Reference reference,
                                                const RunSlot& slot) {
    switch (reference) {
      case config::Reference::kLogicalDate:
        return slot.logical_date;
      case config::Reference::kDataIntervalStart:
        return slot.data_interval_start;
      case config::Reference::kDataIntervalEnd:
        return slot.data_interval_end;
      case config::Reference::kRunAfter:
        return slot.run_after;
      default:
        return std::nullopt;
    }
  }

  Observation SlotObservation(const std::string& rule, std::string_view severity,
                              const RunSlot& slot, const std::string& task_id) {
    Observation o = Base(rule, severity);
    o.item.key.run_id = slot.run_id;
    o.item.key.task_id = task_id;
    o.item.logical_date = slot.logical_date;
    o.schedule_slot = task_id.empty();
    o.item.expected = true;
    o.why = "run not created yet: the timetable scheduled it for " + FormatRfc3339(slot.run_after);
    return o;
  }

  // --- rule kinds ---

  void Deadline(const CompiledRule& rule) {
    const config::Deadline& d = *rule.rule.deadline;
    const std::string severity(config::SeverityName(rule.rule.severity));
    for (const DagRun& run : facts_.runs) {
      if (!rule.task_level()) {
        Observation o = Base(rule.name(), severity);
        o.item.key.run_id = run.run_id;
        o.item.logical_date = LogicalDateOf(run);
        o.schedule_slot = config::IsScheduleReference(d.reference);
        Arm(o, ResolveReference(d, run, nullptr), d.interval);
        Emit(std::move(o), RunProgress(run));
        continue;
      }
      const std::vector<TaskInstance>* tis = TisOf(run);
      if (tis == nullptr) continue;
      for (const std::string& task_id : TaskIds(rule, tis)) {
        std::vector<const TaskInstance*> mine;
        TaskInstance first;  // the earliest queue / start over the map indexes
        for (const TaskInstance& ti : *tis) {
          if (ti.task_id != task_id) continue;
          mine.push_back(&ti);
          if (mine.size() == 1) first = ti;
          if (ti.queued_dttm && (!first.queued_dttm || *ti.queued_dttm < *first.queued_dttm)) {
            first.queued_dttm = ti.queued_dttm;
          }
          if (ti.start_date && (!first.start_date || *ti.start_date < *first.start_date)) {
            first.start_date = ti.start_date;
          }
        }
        // A task with no instance in a run that succeeded was added to the DAG after the run:
        // it is not part of that run.
        if (mine.empty() && run.state == DagRunState::kSuccess) continue;
        Observation o = Base(rule.name(), severity);
        o.item.key.run_id = run.run_id;
        o.item.key.task_id = task_id;
        o.item.logical_date = LogicalDateOf(run);
        Arm(o, ResolveReference(d, run, mine.empty() ? nullptr : &first), d.interval);
        Emit(std::move(o), TaskProgress(mine, run));
      }
    }
    if (!d.CountsExpectedRuns()) return;
    for (const RunSlot& slot : MissingSlots()) {
      std::vector<std::string> task_ids{""};
      if (rule.task_level()) {
        std::set<std::string> ids = TaskIds(rule, nullptr);
        task_ids.assign(ids.begin(), ids.end());
      }
      for (const std::string& task_id : task_ids) {
        Observation o = SlotObservation(rule.name(), severity, slot, task_id);
        std::optional<Timestamp> ref = SlotReference(d.reference, slot);
        Arm(o, {ref, std::string(config::ReferenceName(d.reference)) + " (from the timetable)"},
            d.interval);
        Emit(std::move(o), {});
      }
    }
  }

  static void Arm(Observation& o, const ResolvedReference& ref, Duration interval) {
    o.item.reference = ref.note;
    o.item.reference_time = ref.time;
    o.armed = ref.time.has_value();
    if (ref.time) o.item.need_by = *ref.time + interval;
  }

  // The earliest success (among the runs read and the latest success) that ended after `after`.
  std::optional<std::pair<Timestamp, std::string>> FirstSuccessAfter(Timestamp after) const {
    std::optional<std::pair<Timestamp, std::string>> best;
    auto consider = [&](const DagRun& run) {
      if (run.state != DagRunState::kSuccess || !run.end_date || *run.end_date <= after) return;
      if (!best || *run.end_date < best->first) best = {{*run.end_date, run.run_id}};
    };
    for (const DagRun& run : facts_.runs) consider(run);
    if (facts_.latest_success) consider(*facts_.latest_success);
    return best;
  }

  void WallClock(const CompiledRule& rule) {
    auto ticks = facts_.wall_clock_ticks.find(rule.name());
    if (ticks == facts_.wall_clock_ticks.end() || !facts_.latest_success_read) return;
    const std::string severity(config::SeverityName(rule.rule.severity));
    for (Timestamp tick : ticks->second) {
      Observation o = Base(rule.name(), severity);
      o.item.key.slot = FormatRfc3339(tick);
      o.item.need_by = tick;
      const Timestamp window_start = rule.wall_clock->WindowStart(tick);
      o.item.reference = "at " + rule.rule.at->cron + " " + rule.rule.at->timezone +
                         ", window from " + FormatRfc3339(window_start);
      o.item.reference_time = window_start;
      ProgressOf progress;
      if (auto success = FirstSuccessAfter(window_start)) {
        progress = {Progress::kDone, success->first,
                    "run " + success->second + " succeeded at " + FormatRfc3339(success->first)};
      } else {
        progress.why = "no successful run ended after " + FormatRfc3339(window_start);
      }
      Emit(std::move(o), progress);
    }
  }

  void Freshness(const CompiledRule& rule) {
    if (!facts_.latest_success_read) return;
    const Duration limit = *rule.rule.freshness;
    const std::string severity(config::SeverityName(rule.rule.severity));
    std::optional<Timestamp> last_end;
    std::string last_run;
    if (facts_.latest_success && facts_.latest_success->end_date) {
      last_end = facts_.latest_success->end_date;
      last_run = facts_.latest_success->run_id;
    } else if (facts_.latest_success) {
      ++Odd().null_dates;
    }
    // Close the open items of older successes.
    auto open = facts_.freshness_open_slots.find(rule.name());
    if (open != facts_.freshness_open_slots.end() && last_end) {
      for (const std::string& slot : open->second) {
        std::optional<Timestamp> base;
        if (!slot.empty()) {
          auto parsed = ParseTimestamp(slot);
          if (!parsed) continue;
          base = *parsed;
          if (*last_end <= *base) continue;  // the slot's own success (or an older one)
        }
        Observation o = Base(rule.name(), severity);
        o.item.key.slot = slot;
        o.item.need_by = base ? *base + limit : facts_.first_seen.value_or(now_) + limit;
        o.item.reference = slot.empty() ? "first seen (no success yet)" : "last success";
        o.item.reference_time = base ? base : facts_.first_seen;
        Emit(std::move(o), {Progress::kDone, last_end,
                            "run " + last_run + " succeeded at " + FormatRfc3339(*last_end)});
      }
    }
    Observation o = Base(rule.name(), severity);
    if (last_end) {
      o.item.key.slot = FormatRfc3339(*last_end);
      o.item.need_by = *last_end + limit;
      o.item.reference = "last success (run " + last_run + ")";
      o.item.reference_time = last_end;
      o.why = "the next success is due within " + FormatDuration(limit) + " of the last";
    } else {
      const Timestamp base = facts_.first_seen.value_or(now_);
      o.item.need_by = base + limit;
      o.item.reference = "first seen (no success yet)";
      o.item.reference_time = base;
      o.why = "the DAG has no successful run";
    }
    Emit(std::move(o), {});
  }

  void NativeSla() {
    if (!facts_.serialized) return;
    std::vector<const airflow::SerializedTask*> with_sla;
    for (const auto& task : facts_.serialized->tasks) {
      if (task.sla && task.sla->count() > 0) with_sla.push_back(&task);
    }
    if (with_sla.empty()) return;
    const std::string rule(kAirflowSlaRule);
    for (const DagRun& run : facts_.runs) {
      const std::vector<TaskInstance>* tis = TisOf(run);
      if (tis == nullptr) continue;
      for (const airflow::SerializedTask* task : with_sla) {
        std::vector<const TaskInstance*> mine;
        for (const TaskInstance& ti : *tis) {
          if (ti.task_id == task->task_id) mine.push_back(&ti);
        }
        if (mine.empty() && run.state == DagRunState::kSuccess) continue;  // added later
        Observation o = Base(rule, "warning");
        o.item.key.run_id = run.run_id;
        o.item.key.task_id = task->task_id;
        o.item.logical_date = LogicalDateOf(run);
        std::optional<Timestamp> end = run.data_interval_end;
        std::string note = "dagrun.data_interval_end + task sla " + FormatDuration(*task->sla);
        if (!end) {
          end = run.run_after;
          note = "dagrun.run_after (data_interval_end is NULL) + task sla " +
                 FormatDuration(*task->sla);
        }
        Arm(o, {end, note}, *task->sla);
        Emit(std::move(o), TaskProgress(mine, run));
      }
    }
    for (const RunSlot& slot : MissingSlots()) {
      for (const airflow::SerializedTask* task : with_sla) {
        Observation o = SlotObservation(rule, "warning", slot, task->task_id);
        Arm(o, {slot.data_interval_end, "dagrun.data_interval_end (from the timetable) + task sla " +
                                            FormatDuration(*task->sla)},
            *task->sla);
        Emit(std::move(o), {});
      }
    }
  }

  void NativeDeadlines() {
    const std::string rule(kAirflowDeadlineRule);
    for (const airflow::Deadline& deadline : facts_.deadlines) {
      const DagRun* run = nullptr;
      for (const DagRun& r : facts_.runs) {
        if ((deadline.dagrun_id && r.id == *deadline.dagrun_id) ||
            (deadline.run_id && r.run_id == *deadline.run_id)) {
          run = &r;
        }
      }
      if (run == nullptr) continue;
      Observation o = Base(rule, "warning");
      o.item.key.run_id = run->run_id;
      o.item.key.slot = deadline.id;
      o.item.logical_date = LogicalDateOf(*run);
      o.item.need_by = deadline.deadline_time;
      o.item.reference = "deadline.deadline_time";
      o.item.reference_time = deadline.deadline_time;
      Emit(std::move(o), RunProgress(*run));
    }
  }

  Oddities& Odd() { return oddities_ ? *oddities_ : scratch_; }

  const DagFacts& facts_;
  const Timestamp now_;
  const EvaluateOptions& options_;
  Oddities* oddities_;
  Oddities scratch_;
  bool slots_computed_ = false;
  std::vector<RunSlot> slots_;
  std::vector<Observation> out_;
};

}  // namespace

ItemState ProjectedState(const Observation& o, Timestamp now) {
  if (!o.armed) return ItemState::kPending;
  switch (o.progress) {
    case Progress::kDone:
      return o.progress_at.value_or(now) <= o.item.need_by ? ItemState::kMet : ItemState::kMetLate;
    case Progress::kFailed:
      return ItemState::kAbandoned;
    case Progress::kOpen:
      break;
  }
  return o.item.need_by <= now ? ItemState::kMissed : ItemState::kPending;
}

std::vector<Observation> Evaluate(const RuleSet& rules, const DagFacts& facts, Timestamp now,
                                  const EvaluateOptions& options, Oddities* oddities) {
  return Evaluator(facts, now, options, oddities).Run(rules);
}

}  // namespace slayer::rules

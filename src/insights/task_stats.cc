#include "insights/task_stats.h"

#include <algorithm>
#include <utility>

namespace slayer::insights {

std::optional<double> TaskStats::success_rate() const {
  const int64_t decided = success + failed;
  if (decided == 0) return std::nullopt;
  return static_cast<double>(success) / static_cast<double>(decided);
}

std::optional<double> TaskStats::retry_rate() const {
  if (ran == 0) return std::nullopt;
  return static_cast<double>(retried) / static_cast<double>(ran);
}

void TaskReportBuilder::Add(std::string_view instance,
                            std::span<const airflow::TaskInstanceTiming> tis) {
  using airflow::TaskInstanceState;
  for (const airflow::TaskInstanceTiming& ti : tis) {
    int64_t TaskStats::*outcome = nullptr;
    switch (ti.state) {
      case TaskInstanceState::kSuccess:
        outcome = &TaskStats::success;
        break;
      case TaskInstanceState::kFailed:
        outcome = &TaskStats::failed;
        break;
      case TaskInstanceState::kSkipped:
        outcome = &TaskStats::skipped;
        break;
      case TaskInstanceState::kUpstreamFailed:
        outcome = &TaskStats::upstream_failed;
        break;
      default:
        continue;
    }
    auto key = std::make_tuple(std::string(instance), ti.dag_id, ti.task_id);
    auto it = tasks_.find(key);
    if (it == tasks_.end()) {
      it = tasks_.emplace(std::move(key), Accumulator{}).first;
      it->second.stats.airflow_instance = instance;
      it->second.stats.dag_id = ti.dag_id;
      it->second.stats.task_id = ti.task_id;
    }
    Accumulator& acc = it->second;
    TaskStats& s = acc.stats;
    ++s.task_instances;
    ++(s.*outcome);
    const int64_t tries = std::max<int64_t>(0, ti.try_number.value_or(0));
    s.tries += tries;
    if (tries < 1) continue;
    ++s.ran;
    if (tries > 1) ++s.retried;
    if (ti.start_date && ti.queued_dttm && *ti.start_date >= *ti.queued_dttm) {
      acc.queues.push_back(*ti.start_date - *ti.queued_dttm);
    }
    const bool decided =
        ti.state == TaskInstanceState::kSuccess || ti.state == TaskInstanceState::kFailed;
    if (decided && ti.start_date && ti.end_date && *ti.end_date >= *ti.start_date) {
      acc.durations.push_back(*ti.end_date - *ti.start_date);
    }
  }
}

TaskReport TaskReportBuilder::Build() && {
  TaskReport report;
  report.since = since_;
  report.until = until_;
  report.dag_runs = dag_runs_;
  report.tasks.reserve(tasks_.size());
  for (auto& [key, acc] : tasks_) {
    // The same nearest-rank summary as the report's lateness.
    acc.stats.duration = SummarizeLateness(std::move(acc.durations));
    acc.stats.queue = SummarizeLateness(std::move(acc.queues));
    report.tasks.push_back(std::move(acc.stats));
  }
  return report;
}

}  // namespace slayer::insights

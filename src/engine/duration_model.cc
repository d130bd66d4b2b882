#include "engine/duration_model.h"

#include <algorithm>
#include <cmath>

namespace slayer::engine {

using airflow::DagRun;
using airflow::TaskInstance;

namespace {

double Seconds(Duration d) { return std::chrono::duration<double>(d).count(); }

}  // namespace

void DurationModel::Series::Add(const std::string& run_id, double seconds, size_t max) {
  for (const auto& [id, value] : samples) {
    if (id == run_id) return;
  }
  if (samples.size() >= max) samples.erase(samples.begin());
  samples.emplace_back(run_id, seconds);
}

void DurationModel::ObserveRun(const DagRun& run) {
  if (run.state != airflow::DagRunState::kSuccess || !run.start_date || !run.end_date) return;
  if (*run.end_date < *run.start_date) return;
  durations_[{run.dag_id, ""}].Add(run.run_id, Seconds(*run.end_date - *run.start_date),
                                   options_.max_samples);
}

void DurationModel::ObserveTask(const TaskInstance& ti, const DagRun& run) {
  if (ti.state != airflow::TaskInstanceState::kSuccess || !ti.start_date || !ti.end_date) return;
  if (*ti.end_date < *ti.start_date) return;
  durations_[{ti.dag_id, ti.task_id}].Add(ti.run_id, Seconds(*ti.end_date - *ti.start_date),
                                          options_.max_samples);
  if (run.start_date && *ti.end_date >= *run.start_date) {
    end_offsets_[{ti.dag_id, ti.task_id}].Add(ti.run_id, Seconds(*ti.end_date - *run.start_date),
                                              options_.max_samples);
  }
}

const DurationModel::Series* DurationModel::Find(
    const std::map<std::pair<std::string, std::string>, Series>& in, const std::string& dag_id,
    const std::string& task_id) const {
  auto it = in.find({dag_id, task_id});
  return it == in.end() ? nullptr : &it->second;
}

std::optional<Timestamp> DurationModel::Predict(const Series* series, Timestamp origin,
                                                Timestamp now) const {
  if (series == nullptr || series->samples.size() < options_.min_samples) return std::nullopt;
  const double elapsed = std::max(0.0, Seconds(now - origin));
  std::vector<double> longer;
  for (const auto& [id, seconds] : series->samples) {
    if (seconds > elapsed) longer.push_back(seconds);
  }
  if (longer.empty()) return std::nullopt;  // longer than ever seen: no estimate
  std::sort(longer.begin(), longer.end());
  // The (1 - confidence) quantile, nearest rank.
  const double rank = std::ceil((1.0 - options_.confidence) * static_cast<double>(longer.size()));
  const size_t index = std::clamp<size_t>(static_cast<size_t>(rank), 1, longer.size()) - 1;
  return origin + std::chrono::duration_cast<Duration>(std::chrono::duration<double>(longer[index]));
}

std::optional<Timestamp> DurationModel::PredictRun(const std::string& dag_id, const DagRun* run,
                                                   Timestamp now) const {
  const Timestamp origin = run != nullptr && run->start_date ? *run->start_date : now;
  return Predict(Find(durations_, dag_id, ""), origin, now);
}

std::optional<Timestamp> DurationModel::PredictTask(const std::string& dag_id,
                                                    const std::string& task_id, const DagRun* run,
                                                    const TaskInstance* ti, Timestamp now) const {
  if (ti != nullptr && ti->start_date) {
    return Predict(Find(durations_, dag_id, task_id), *ti->start_date, now);
  }
  const Timestamp origin = run != nullptr && run->start_date ? *run->start_date : now;
  return Predict(Find(end_offsets_, dag_id, task_id), origin, now);
}

size_t DurationModel::samples(const std::string& dag_id, const std::string& task_id) const {
  const Series* s = Find(durations_, dag_id, task_id);
  return s == nullptr ? 0 : s->samples.size();
}

}  // namespace slayer::engine

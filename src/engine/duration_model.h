// DurationModel: how long a DAG's runs and its tasks have taken lately, learned from the runs
// and task instances the engine reads anyway (no query of its own), to predict when pending
// work will finish: the at-risk state (SPEC section 3; docs/insights.md#at-risk).
//
// Per DAG it keeps the durations of recent successful runs; per (DAG, task) the durations of
// recent successful task instances and when they ended relative to their run's start (which
// includes the wait for upstream tasks: the critical path up to that task). A prediction is
// conditional on what has been seen of the work so far: among the past durations longer than
// the time already elapsed (the comparable runs), the finish time that at least `confidence` of
// them went beyond, counted from when the work started. So a run that is evidently one of the
// slow ones is predicted as slow as those were, and one still within the usual time as usual;
// "predicted after the need-by" means at least `confidence` of the comparable past runs would
// have missed it. Not thread-safe: the engine's poll thread owns it.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "airflow/dag_run.h"
#include "airflow/task_instance.h"
#include "common/time.h"

namespace slayer::engine {

struct DurationModelOptions {
  size_t max_samples = 30;  // the most recent successful runs kept per series
  size_t min_samples = 10;  // fewer: no prediction
  // The share of comparable past runs that must have run longer than the prediction: 0.9
  // predicts their 10th percentile, 0.1 their 90th (measured in docs/insights.md#at-risk).
  double confidence = 0.9;
};

class DurationModel {
 public:
  explicit DurationModel(DurationModelOptions options = {}) : options_(options) {}

  // A run read by the engine: a success with start and end dates is a sample (once per run).
  void ObserveRun(const airflow::DagRun& run);
  // A task instance of `run`: a success with start and end dates is a sample of its duration,
  // and, with the run's start date, of when it ended after the run started.
  void ObserveTask(const airflow::TaskInstance& ti, const airflow::DagRun& run);

  // When the run will have finished: `run` is the run as read now (nullptr: not created yet).
  // std::nullopt: too little history, or it has run longer than every past run.
  std::optional<Timestamp> PredictRun(const std::string& dag_id, const airflow::DagRun* run,
                                      Timestamp now) const;
  // When the task will have finished in `run` (`ti`: as read now, nullptr when not read or not
  // created yet).
  std::optional<Timestamp> PredictTask(const std::string& dag_id, const std::string& task_id,
                                       const airflow::DagRun* run,
                                       const airflow::TaskInstance* ti, Timestamp now) const;

  // Samples held for a DAG (task_id empty) or a task: durations (run or task instance).
  size_t samples(const std::string& dag_id, const std::string& task_id = {}) const;

 private:
  // Recent samples of one series: (run_id, seconds), newest last, at most max_samples.
  struct Series {
    std::vector<std::pair<std::string, double>> samples;
    void Add(const std::string& run_id, double seconds, size_t max);
  };
  std::optional<Timestamp> Predict(const Series* series, Timestamp origin, Timestamp now) const;
  const Series* Find(const std::map<std::pair<std::string, std::string>, Series>& in,
                     const std::string& dag_id, const std::string& task_id) const;

  DurationModelOptions options_;
  std::map<std::pair<std::string, std::string>, Series> durations_;  // (dag, task or "")
  std::map<std::pair<std::string, std::string>, Series> end_offsets_;  // (dag, task)
};

}  // namespace slayer::engine

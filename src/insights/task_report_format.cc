#include "insights/task_report_format.h"

#include <cstdio>
#include <nlohmann/json.hpp>
#include <set>

#include "insights/report_csv.h"
#include "insights/report_values.h"
#include "insights/text_columns.h"

namespace slayer::insights {
namespace {

using Json = nlohmann::ordered_json;

std::string Human(const LatenessStats& s, Duration d) {
  if (s.count == 0) return "-";
  if (d < std::chrono::minutes(1)) {
    char buf[16];
    std::snprintf(buf, sizeof(buf), "%.1fs", Seconds(d));
    return buf;
  }
  return RoundedDuration(d);
}

}  // namespace

std::string TaskReportJson(const TaskReport& report) {
  Json tasks = Json::array();
  for (const TaskStats& t : report.tasks) {
    Json j;
    j["airflow_instance"] = t.airflow_instance;
    j["dag_id"] = t.dag_id;
    j["task_id"] = t.task_id;
    j["task_instances"] = t.task_instances;
    j["success"] = t.success;
    j["failed"] = t.failed;
    j["skipped"] = t.skipped;
    j["upstream_failed"] = t.upstream_failed;
    j["tries"] = t.tries;
    j["retried"] = t.retried;
    j["success_rate"] = NullableJson(t.success_rate());
    j["retry_rate"] = NullableJson(t.retry_rate());
    j["duration_seconds"] = StatsJson(t.duration);
    j["queue_seconds"] = StatsJson(t.queue);
    tasks.push_back(std::move(j));
  }
  Json j;
  j["since"] = FormatRfc3339(report.since);
  j["until"] = FormatRfc3339(report.until);
  j["dag_runs"] = report.dag_runs;
  j["tasks"] = std::move(tasks);
  return j.dump();
}

std::string TaskReportCsv(const TaskReport& report) {
  std::string out =
      "airflow_instance,dag_id,task_id,task_instances,success,failed,skipped,upstream_failed,"
      "tries,retried,success_rate,retry_rate,duration_mean_seconds,duration_p50_seconds,"
      "duration_p95_seconds,duration_max_seconds,queue_mean_seconds,queue_p50_seconds,"
      "queue_p95_seconds,queue_max_seconds\n";
  for (const TaskStats& t : report.tasks) {
    std::string line =
        CsvField(t.airflow_instance) + "," + CsvField(t.dag_id) + "," + CsvField(t.task_id);
    for (int64_t n : {t.task_instances, t.success, t.failed, t.skipped, t.upstream_failed, t.tries,
                      t.retried}) {
      line += "," + std::to_string(n);
    }
    for (std::optional<double> rate : {t.success_rate(), t.retry_rate()}) {
      line += ",";
      if (rate) line += NumberText(*rate);
    }
    for (const LatenessStats* s : {&t.duration, &t.queue}) {
      for (Duration d : {s->mean, s->p50, s->p95, s->max}) {
        line += ",";
        if (s->count > 0) line += NumberText(Seconds(d));
      }
    }
    out += line + "\n";
  }
  return out;
}

std::string TaskReportTable(const TaskReport& report) {
  std::string out = "Finished task instances of the DAG runs with a logical date from " +
                    FormatRfc3339(report.since) + " to " + FormatRfc3339(report.until) + " (" +
                    std::to_string(report.dag_runs) + " runs)\n\n";
  if (report.tasks.empty()) {
    out +=
        "No finished task instances in this window. Widen --since, check --dag, or check "
        "that the DAGs ran in the window.\n";
    return out;
  }
  std::set<std::string> instances;
  for (const TaskStats& t : report.tasks) instances.insert(t.airflow_instance);
  const bool with_instance = instances.size() > 1;
  std::vector<std::string> header;
  std::vector<bool> right;
  if (with_instance) {
    header.push_back("INSTANCE");
    right.push_back(false);
  }
  for (const char* h : {"DAG", "TASK"}) {
    header.push_back(h);
    right.push_back(false);
  }
  for (const char* h :
       {"TIS", "SUCCESS", "FAILED", "SKIPPED", "UPSTREAM_FAILED", "TRIES", "SUCCESS_RATE",
        "RETRY_RATE", "DURATION_MEAN", "DURATION_P95", "QUEUE_MEAN"}) {
    header.push_back(h);
    right.push_back(true);
  }
  TextColumns table(right);
  table.Add(header);
  for (const TaskStats& t : report.tasks) {
    std::vector<std::string> row;
    if (with_instance) row.push_back(t.airflow_instance);
    row.push_back(t.dag_id);
    row.push_back(t.task_id);
    for (int64_t n :
         {t.task_instances, t.success, t.failed, t.skipped, t.upstream_failed, t.tries}) {
      row.push_back(std::to_string(n));
    }
    row.push_back(PercentText(t.success_rate(), 1));
    row.push_back(PercentText(t.retry_rate(), 1, /*round_up=*/true));
    row.push_back(Human(t.duration, t.duration.mean));
    row.push_back(Human(t.duration, t.duration.p95));
    row.push_back(Human(t.queue, t.queue.mean));
    table.Add(std::move(row));
  }
  out += table.Render();
  return out;
}

}  // namespace slayer::insights

#include "insights/health_report_format.h"

#include <nlohmann/json.hpp>

#include "insights/report_csv.h"
#include "insights/report_values.h"
#include "insights/text_columns.h"

namespace slayer::insights {
namespace {

using Json = nlohmann::ordered_json;

// Rounded down: five minutes down in a week is 99.95%, never 100.00%.
std::string Percent(std::optional<double> fraction) { return PercentText(fraction, 2); }

}  // namespace

std::string HealthReportJson(const HealthReport& report) {
  Json windows = Json::array();
  for (const UptimeWindow& w : report.windows) {
    windows.push_back(Json{
        {"window", w.name}, {"since", FormatRfc3339(w.since)}, {"until", FormatRfc3339(w.until)}});
  }
  Json instances = Json::array();
  for (const InstanceUptime& row : report.instances) {
    Json stats = Json::array();
    for (size_t i = 0; i < row.windows.size() && i < report.windows.size(); ++i) {
      const UptimeStats& s = row.windows[i];
      Json j;
      j["window"] = report.windows[i].name;
      j["uptime"] = NullableJson(s.uptime());
      j["up_seconds"] = Seconds(s.up);
      j["down_seconds"] = Seconds(s.down);
      j["unknown_seconds"] = Seconds(s.unknown);
      j["outages"] = s.outages;
      j["longest_outage_seconds"] = Seconds(s.longest_outage);
      stats.push_back(std::move(j));
    }
    Json j;
    j["airflow_instance"] = row.instance;
    j["windows"] = std::move(stats);
    instances.push_back(std::move(j));
  }
  Json j;
  j["windows"] = std::move(windows);
  j["instances"] = std::move(instances);
  return j.dump();
}

std::string HealthReportCsv(const HealthReport& report) {
  std::string out =
      "airflow_instance,window,since,until,uptime,up_seconds,down_seconds,unknown_seconds,"
      "outages,longest_outage_seconds\n";
  for (const InstanceUptime& row : report.instances) {
    for (size_t i = 0; i < row.windows.size() && i < report.windows.size(); ++i) {
      const UptimeStats& s = row.windows[i];
      const UptimeWindow& w = report.windows[i];
      const std::optional<double> uptime = s.uptime();
      out += CsvField(row.instance) + "," + CsvField(w.name) + "," + FormatRfc3339(w.since) + "," +
             FormatRfc3339(w.until) + "," + (uptime ? NumberText(*uptime) : "") + "," +
             NumberText(Seconds(s.up)) + "," + NumberText(Seconds(s.down)) + "," +
             NumberText(Seconds(s.unknown)) + "," + std::to_string(s.outages) + "," +
             NumberText(Seconds(s.longest_outage)) + "\n";
    }
  }
  return out;
}

std::string HealthReportTable(const HealthReport& report) {
  std::string out = "Airflow uptime: time with a live scheduler / time known";
  if (!report.windows.empty()) out += ", up to " + FormatRfc3339(report.windows.front().until);
  out += "\n\n";
  if (report.instances.empty()) {
    out +=
        "No health history in these windows. `slayer serve` records airflow_up at every poll "
        "into its store (storage:); check that it runs with this storage, or widen --since.\n";
    return out;
  }
  TextColumns table({false, false, true, true, true, true, true, true});
  table.Add({"INSTANCE", "WINDOW", "UPTIME", "UP", "DOWN", "UNKNOWN", "OUTAGES", "LONGEST_OUTAGE"});
  for (const InstanceUptime& row : report.instances) {
    for (size_t i = 0; i < row.windows.size() && i < report.windows.size(); ++i) {
      const UptimeStats& s = row.windows[i];
      table.Add({row.instance, report.windows[i].name, Percent(s.uptime()), RoundedDuration(s.up),
                 RoundedDuration(s.down), RoundedDuration(s.unknown), std::to_string(s.outages),
                 s.outages > 0 ? RoundedDuration(s.longest_outage) : "-"});
    }
  }
  out += table.Render();
  return out;
}

}  // namespace slayer::insights

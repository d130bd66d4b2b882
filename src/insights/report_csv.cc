#include "insights/report_csv.h"

#include <charconv>
#include <cstdio>
#include <optional>

namespace slayer::insights {
namespace {

// The shortest text that reads back as the same double (as in the JSON).
std::string Number(double v) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  return ec == std::errc() ? std::string(buf, end) : std::string();
}

std::string Seconds(Duration d) { return Number(std::chrono::duration<double>(d).count()); }

}  // namespace

std::string CsvField(std::string_view text) {
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(text);
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

std::string ReportCsv(const Report& report) {
  std::string out;
  std::string header;
  switch (report.group_by) {
    case GroupBy::kDag:
      header = "dag_id";
      break;
    case GroupBy::kRule:
      header = "rule";
      break;
    case GroupBy::kTask:
      header = "dag_id,task_id";
      break;
  }
  header +=
      ",evaluated,met,met_late,missed,abandoned,compliance,lateness_mean_seconds,"
      "lateness_p50_seconds,lateness_p95_seconds,lateness_max_seconds";
  for (int h = 0; h < 24; ++h) {
    char name[32];
    std::snprintf(name, sizeof(name), ",misses_hour_%02d", h);
    header += name;
  }
  out += header + "\n";
  for (const ReportGroup& g : report.groups) {
    std::string line;
    switch (report.group_by) {
      case GroupBy::kDag:
        line = CsvField(g.key.dag_id);
        break;
      case GroupBy::kRule:
        line = CsvField(g.key.rule);
        break;
      case GroupBy::kTask:
        line = CsvField(g.key.dag_id) + "," + CsvField(g.key.task_id);
        break;
    }
    for (int64_t n : {g.evaluated, g.met, g.met_late, g.missed, g.abandoned}) {
      line += ",";
      line += std::to_string(n);
    }
    const std::optional<double> compliance = g.compliance();
    line += ",";
    if (compliance) line += Number(*compliance);
    for (Duration d : {g.lateness.mean, g.lateness.p50, g.lateness.p95, g.lateness.max}) {
      line += ",";
      if (g.lateness.count > 0) line += Seconds(d);
    }
    for (int64_t n : g.by_hour) {
      line += ",";
      line += std::to_string(n);
    }
    out += line + "\n";
  }
  return out;
}

}  // namespace slayer::insights

#include "insights/report_csv.h"

#include <cstdio>
#include <optional>

#include "insights/report_values.h"

namespace slayer::insights {

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
  for (const KeyField& f : KeyFields(report.group_by)) {
    if (!header.empty()) header += ",";
    header += f.name;
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
    const char* separator = "";
    for (const KeyField& f : KeyFields(report.group_by)) {
      line += separator + CsvField(g.key.*f.value);
      separator = ",";
    }
    for (int64_t n : {g.evaluated, g.met, g.met_late, g.missed, g.abandoned}) {
      line += ",";
      line += std::to_string(n);
    }
    const std::optional<double> compliance = g.compliance();
    line += ",";
    if (compliance) line += NumberText(*compliance);
    for (Duration d : {g.lateness.mean, g.lateness.p50, g.lateness.p95, g.lateness.max}) {
      line += ",";
      if (g.lateness.count > 0) line += NumberText(Seconds(d));
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

#include "insights/report_table.h"

#include <algorithm>
#include <cstdio>
#include <optional>
#include <vector>

#include "insights/report_values.h"
#include "insights/text_columns.h"

namespace slayer::insights {
namespace {

constexpr int kBarWidth = 40;

// Rounded down: 99.96% met is not 100.0%.
std::string Percent(std::optional<double> fraction) { return PercentText(fraction, 1); }

std::string Human(const LatenessStats& stats, Duration d) {
  return stats.count == 0 ? "-" : RoundedDuration(d);
}

// The empty task id of a by-task report's DAG-level group (its run, wall-clock and freshness
// items), which the table shows as "-" and a title as "(DAG level)".
bool IsDagLevel(const KeyField& field, const GroupKey& key) {
  return field.value == &GroupKey::task_id && key.task_id.empty();
}

// "dag_id=etl", "rule=by-9", "dag_id=etl task_id=load", "dag_id=etl (DAG level)".
std::string GroupTitle(const GroupKey& key, GroupBy group_by) {
  std::string title;
  for (const KeyField& f : KeyFields(group_by)) {
    if (!title.empty()) title += " ";
    title +=
        IsDagLevel(f, key) ? std::string("(DAG level)") : std::string(f.name) + "=" + key.*f.value;
  }
  return title;
}

}  // namespace

std::string HourHistogram(const ReportGroup& group, const std::string& title) {
  std::string out = title + "\n";
  const int64_t busiest = *std::max_element(group.by_hour.begin(), group.by_hour.end());
  for (int h = 0; h < 24; ++h) {
    const int64_t n = group.by_hour[h];
    // Round up, so that an hour with one miss is never drawn empty.
    const int64_t bar = busiest == 0 ? 0 : (n * kBarWidth + busiest - 1) / busiest;
    char head[16];
    std::snprintf(head, sizeof(head), "  %02d | ", h);
    out += head + std::string(static_cast<size_t>(bar), '#') + (bar > 0 ? " " : "") +
           std::to_string(n) + "\n";
  }
  return out;
}

std::string ReportTable(const Report& report, const TableOptions& options) {
  std::string out = "Deadlines with a need-by from " + FormatRfc3339(report.since) + " to " +
                    FormatRfc3339(report.until) + ", by " +
                    std::string(GroupByName(report.group_by)) + "\n\n";
  if (report.groups.empty()) {
    out +=
        "No items in this window. Widen --since, check --dag and --rule, or check that "
        "`slayer serve` has rules for these DAGs (history older than storage.retention is "
        "deleted).\n";
    return out;
  }
  const std::span<const KeyField> key_fields = KeyFields(report.group_by);
  std::vector<bool> right;
  std::vector<std::string> header;
  for (const KeyField& f : key_fields) header.emplace_back(f.column);
  right.assign(header.size(), false);
  for (const char* h : {"EVALUATED", "MET", "MET_LATE", "MISSED", "ABANDONED", "COMPLIANCE",
                        "LATE_MEAN", "LATE_P95", "LATE_MAX"}) {
    header.push_back(h);
    right.push_back(true);
  }
  TextColumns table(right);
  table.Add(header);
  auto numbers = [](const ReportGroup& g, std::vector<std::string>& row) {
    for (int64_t n : {g.evaluated, g.met, g.met_late, g.missed, g.abandoned}) {
      row.push_back(std::to_string(n));
    }
    row.push_back(Percent(g.compliance()));
    row.push_back(Human(g.lateness, g.lateness.mean));
    row.push_back(Human(g.lateness, g.lateness.p95));
    row.push_back(Human(g.lateness, g.lateness.max));
  };
  for (const ReportGroup& g : report.groups) {
    std::vector<std::string> row;
    for (const KeyField& f : key_fields) row.push_back(IsDagLevel(f, g.key) ? "-" : g.key.*f.value);
    numbers(g, row);
    table.Add(std::move(row));
  }
  if (report.groups.size() > 1) {
    std::vector<std::string> row = {"TOTAL"};
    row.resize(key_fields.size());  // the other key columns empty
    numbers(report.total, row);
    table.Add(std::move(row));
  }
  out += table.Render();

  const bool single = report.groups.size() == 1;
  if (!single && !options.hours) return out;
  for (const ReportGroup& g : report.groups) {
    const std::string title = "\nMisses by need-by hour in " + report.display_timezone + ", " +
                              GroupTitle(g.key, report.group_by) + ": " +
                              std::to_string(g.misses());
    if (g.misses() == 0) {
      if (single) out += title + "\n";
      continue;
    }
    out += HourHistogram(g, title);
  }
  return out;
}

}  // namespace slayer::insights

#include <cstdio>
#include <iostream>

#include "api/json_views.h"
#include "app/scan.h"
#include "cli/commands.h"
#include "config/load.h"

namespace slayer::cli {
namespace {

std::string Overdue(Duration d) {
  return FormatDuration(std::chrono::duration_cast<std::chrono::seconds>(d));
}

void PrintTable(const app::ScanResult& result, Timestamp now) {
  for (const auto& s : result.instances) {
    std::printf("instance %s: airflow %s, database %s, %zu violation(s)\n", s.name.c_str(),
                s.schema ? s.schema->airflow_version.c_str() : "unknown",
                s.db_up ? "up" : "DOWN", s.violations.size());
  }
  bool any = false;
  for (const auto& s : result.instances) any = any || !s.violations.empty();
  if (!any) return;
  std::printf("\n%-12s %-16s %-28s %-36s %-24s %-20s %-10s %s\n", "INSTANCE", "RULE", "DAG",
              "RUN", "TASK", "NEED_BY", "OVERDUE", "STATE");
  for (const auto& s : result.instances) {
    for (const auto& v : s.violations) {
      std::printf("%-12s %-16s %-28s %-36s %-24s %-20s %-10s %s\n", s.name.c_str(),
                  v.rule.c_str(), v.dag_id.c_str(), v.run_id.empty() ? "-" : v.run_id.c_str(),
                  v.task_id.empty() ? "-" : v.task_id.c_str(), FormatRfc3339(v.need_by).c_str(),
                  Overdue(now - v.need_by).c_str(), v.state.c_str());
    }
  }
}

}  // namespace

int RunScan(const GlobalOptions& global, const std::string& format) {
  if (format != "table" && format != "json") {
    std::cerr << "--format: must be table or json, not '" << format << "'\n";
    return 2;
  }
  auto config = config::LoadConfigFile(global.config_file);
  if (!config) {
    std::cerr << config.error().message() << "\n";
    return 2;
  }
  SystemClock clock;
  app::ScanResult result = app::ScanOnce(*config, clock, app::SqlSourceFactory());
  for (const auto& e : result.errors) std::cerr << "error: " << e.message() << "\n";
  const Timestamp now = clock.Now();
  if (format == "json") {
    std::cout << api::ViolationsJson(result.instances, now) << "\n";
  } else {
    PrintTable(result, now);
  }
  return app::ScanExitCode(result);
}

}  // namespace slayer::cli

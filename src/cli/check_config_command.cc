#include <iostream>

#include "cli/commands.h"
#include "common/clock.h"
#include "config/describe.h"
#include "config/load.h"
#include "rules/schedule.h"

namespace slayer::cli {
namespace {

// What need-by times each rule produces: the next ticks of wall-clock rules, the instant of a
// fixed reference, and the formula of the others (their times come from Airflow's runs).
void PrintNeedBys(const config::Config& config, Timestamp now) {
  if (config.rules.empty()) return;
  std::cout << "need-by times (from " << FormatRfc3339(now) << "):\n";
  for (const config::Rule& rule : config.rules) {
    std::cout << "  " << rule.name << ": ";
    const std::string per = rule.tasks.empty() ? "each run" : "each matching task instance";
    if (rule.at) {
      auto schedule = rules::WallClockSchedule::Make(*rule.at);
      if (!schedule) {
        std::cout << schedule.error().message() << "\n";
        continue;
      }
      std::cout << "ticks of '" << rule.at->cron << "' in " << rule.at->timezone << ":";
      Timestamp t = now;
      for (int i = 0; i < 3; ++i) {
        auto next = schedule->Next(t);
        if (!next) break;
        std::cout << (i ? ", " : " ") << FormatRfc3339(*next);
        t = *next;
      }
      std::cout << "\n";
    } else if (rule.freshness) {
      std::cout << "the DAG's last successful run's end + " << FormatDuration(*rule.freshness)
                << "\n";
    } else if (rule.deadline) {
      const config::Deadline& d = *rule.deadline;
      if (d.reference == config::Reference::kFixed) {
        std::cout << FormatRfc3339(d.fixed + d.interval) << " for " << per << "\n";
        continue;
      }
      std::cout << per << ": " << config::ReferenceName(d.reference)
                << (d.interval.count() < 0 ? " - " : " + ")
                << FormatDuration(d.interval.count() < 0 ? -d.interval : d.interval);
      if (d.CountsExpectedRuns()) std::cout << " (runs the timetable expects count too)";
      std::cout << "\n";
    }
  }
}

}  // namespace

int RunCheckConfig(const GlobalOptions& global) {
  auto config = config::LoadConfigFile(global.config_file);
  if (!config) {
    std::cerr << config.error().message() << "\n";
    return 1;
  }
  std::cout << config::DescribeConfig(*config);
  PrintNeedBys(**config, SystemClock().Now());
  std::cout << global.config_file << ": OK\n";
  return 0;
}

}  // namespace slayer::cli

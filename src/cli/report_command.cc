// `slayer report`: the history report (SPEC sections 2 and 6) from the store that `slayer serve`
// writes, as a table, JSON (the document of /api/v1/report, byte for byte) or CSV; with
// --health the Airflow uptime from the same store (/api/v1/health), with --tasks task analytics
// read from Airflow's databases (/api/v1/tasks).
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>

#include "api/query_params.h"
#include "app/instance_poller.h"
#include "app/task_analytics.h"
#include "cli/commands.h"
#include "common/clock.h"
#include "common/glob.h"
#include "config/load.h"
#include "insights/display_zone.h"
#include "insights/health_report.h"
#include "insights/health_report_format.h"
#include "insights/history_query.h"
#include "insights/report.h"
#include "insights/report_csv.h"
#include "insights/report_json.h"
#include "insights/report_table.h"
#include "insights/task_report_format.h"
#include "insights/time_bound.h"
#include "store/store.h"

namespace slayer::cli {
namespace {

int Fail(const std::string& message) {
  std::cerr << message << "\n";
  return 2;
}

int Print(const std::string& text) {
  std::cout << text;
  std::cout.flush();
  return std::cout ? 0 : 2;
}

// The store `slayer serve` writes: --storage.path, else the config's. A report reads history;
// it never starts one (OpenStore would create a missing file).
Result<std::unique_ptr<store::Store>> OpenHistory(const db::Dsn& storage) {
  if (storage.backend == db::Backend::kSqlite && !std::filesystem::exists(storage.database)) {
    return NotFoundError("no history at " + storage.database +
                         ": has `slayer serve` run with this storage? (the config's `storage:`, "
                         "or --storage.path sqlite:///path/to/slayer.db)");
  }
  auto store = store::OpenStore(storage);
  if (!store) return store.error().WithContext("open the history store");
  return store;
}

// A flag given with a mode it does not apply to.
std::optional<std::string> Inapplicable(const ReportOptions& o, std::string_view mode) {
  const bool tasks = mode == "--tasks";
  if (!o.rule.empty()) return "--rule";
  if (o.hours) return "--hours";
  if (o.group_by != "dag") return "--group-by";
  if (!tasks && !o.dag.empty()) return "--dag";
  if (tasks && !o.storage_path.empty()) return "--storage.path";
  return std::nullopt;
}

// [--since, --until) against `now`, which the caller floors to whole seconds as the API does;
// --since defaults to `default_since`, --until to now. The error names the flag.
struct Window {
  Timestamp since;
  Timestamp until;
};
Result<Window> ParseWindow(const ReportOptions& options, std::string_view default_since,
                           Timestamp now) {
  Result<Timestamp> since =
      insights::ParseTimeBound(options.since.empty() ? default_since : options.since, now);
  if (!since) return InvalidArgumentError("--since: " + since.error().message());
  Window window{*since, now};
  if (!options.until.empty()) {
    Result<Timestamp> until = insights::ParseTimeBound(options.until, now);
    if (!until) return InvalidArgumentError("--until: " + until.error().message());
    window.until = *until;
  }
  return window;
}

// --storage.path, parsed; std::nullopt when not given (the config's storage then).
Result<std::optional<db::Dsn>> StorageOverride(const ReportOptions& options) {
  if (options.storage_path.empty()) return std::optional<db::Dsn>();
  auto dsn = db::Dsn::Parse(options.storage_path);
  if (!dsn) return InvalidArgumentError("--storage.path: " + dsn.error().message());
  return std::optional<db::Dsn>(std::move(*dsn));
}

// --health: each instance's uptime over 7d, 30d and 90d (or [--since, --until)).
int RunHealthReport(const GlobalOptions& global, const ReportOptions& options, Timestamp now) {
  if (auto flag = Inapplicable(options, "--health")) {
    return Fail(*flag + ": does not apply to --health");
  }
  Timestamp until = now;
  if (!options.until.empty()) {
    Result<Timestamp> t = insights::ParseTimeBound(options.until, now);
    if (!t) return Fail("--until: " + t.error().message());
    until = *t;
  }
  std::vector<insights::UptimeWindow> windows = insights::DefaultUptimeWindows(until);
  if (!options.since.empty()) {
    Result<Timestamp> since = insights::ParseTimeBound(options.since, now);
    if (!since) return Fail("--since: " + since.error().message());
    if (*since >= until) {
      return Fail("--since: " + FormatRfc3339(*since) + " is not before --until " +
                  FormatRfc3339(until));
    }
    windows = {{options.since, *since, until}};
  }
  Result<std::optional<db::Dsn>> storage_override = StorageOverride(options);
  if (!storage_override) return Fail(storage_override.error().message());
  auto config = config::LoadConfigFile(global.config_file);
  if (!config) return Fail(config.error().message());
  auto store = OpenHistory(storage_override->value_or((*config)->storage.url));
  if (!store) return Fail(store.error().message());
  Result<insights::HealthReport> report =
      insights::ReadHealthReport(**store, std::move(windows), options.instance);
  if (!report) return Fail(report.error().message());
  if (options.format == "json") return Print(insights::HealthReportJson(*report) + "\n");
  if (options.format == "csv") return Print(insights::HealthReportCsv(*report));
  return Print(insights::HealthReportTable(*report));
}

// --tasks: task analytics of the DAG runs of [--since, --until), read from Airflow.
int RunTaskReport(const GlobalOptions& global, const ReportOptions& options, Timestamp now) {
  if (auto flag = Inapplicable(options, "--tasks")) {
    return Fail(*flag + ": does not apply to --tasks");
  }
  app::TaskQuery query;
  Result<Window> window = ParseWindow(options, "7d", now);
  if (!window) return Fail(window.error().message());
  query.since = window->since;
  query.until = window->until;
  if (Status st = app::CheckTaskWindow(query.since, query.until); !st.ok()) {
    return Fail("--since: " + st.message());
  }
  if (!options.dag.empty()) {
    Result<Glob> glob = Glob::Compile(options.dag);
    if (!glob) return Fail("--dag: " + glob.error().message());
    query.dag_id = std::move(*glob);
  }
  query.instance = options.instance;
  auto config = config::LoadConfigFile(global.config_file);
  if (!config) return Fail(config.error().message());
  app::TaskQueryField field = app::TaskQueryField::kNone;
  Result<insights::TaskReport> report =
      app::ReadTaskReport((*config)->airflow, app::SqlSourceFactory(), query, &field);
  if (!report) {
    std::string flag;
    switch (field) {
      case app::TaskQueryField::kSince:
        flag = "--since: ";
        break;
      case app::TaskQueryField::kDagId:
        flag = "--dag: ";
        break;
      case app::TaskQueryField::kInstance:
        flag = "--instance: ";
        break;
      case app::TaskQueryField::kNone:
        break;
    }
    return Fail(flag + report.error().message());
  }
  if (options.format == "json") return Print(insights::TaskReportJson(*report) + "\n");
  if (options.format == "csv") return Print(insights::TaskReportCsv(*report));
  return Print(insights::TaskReportTable(*report));
}

}  // namespace

int RunReport(const GlobalOptions& global, const ReportOptions& options) {
  // The command line first: its errors need no config or store.
  if (options.format != "table" && options.format != "json" && options.format != "csv") {
    return Fail("--format: must be table, json or csv, not '" + options.format + "'");
  }
  if (options.health && options.tasks) return Fail("--health, --tasks: choose one");
  SystemClock clock;
  // Whole seconds, as the API does: the same flags give the same windows there.
  const Timestamp now = api::NowSeconds(clock);
  if (options.health) return RunHealthReport(global, options, now);
  if (options.tasks) return RunTaskReport(global, options, now);
  if (!options.instance.empty()) return Fail("--instance: only with --health or --tasks");
  std::optional<insights::GroupBy> group_by = insights::ParseGroupBy(options.group_by);
  if (!group_by) {
    return Fail("--group-by: must be dag, rule or task, not '" + options.group_by + "'");
  }
  insights::HistoryFilter filter;
  Result<Window> window = ParseWindow(options, "30d", now);
  if (!window) return Fail(window.error().message());
  filter.since = window->since;
  filter.until = window->until;
  if (filter.since >= filter.until) {
    return Fail("--since: " + FormatRfc3339(filter.since) + " is not before --until " +
                FormatRfc3339(filter.until));
  }
  if (!options.dag.empty()) {
    Result<Glob> glob = Glob::Compile(options.dag);
    if (!glob) return Fail("--dag: " + glob.error().message());
    filter.dag_id = std::move(*glob);
  }
  filter.rule = options.rule;
  Result<std::optional<db::Dsn>> storage_override = StorageOverride(options);
  if (!storage_override) return Fail(storage_override.error().message());

  auto config = config::LoadConfigFile(global.config_file);
  if (!config) return Fail(config.error().message());
  Result<insights::DisplayZone> zone = insights::DisplayZone::Make((*config)->display_timezone);
  if (!zone) return Fail("display_timezone: " + zone.error().message());

  auto store = OpenHistory(storage_override->value_or((*config)->storage.url));
  if (!store) return Fail(store.error().message());
  Result<std::vector<rules::Item>> items = insights::ReadHistory(**store, filter);
  if (!items) return Fail(items.error().message());

  insights::ReportOptions report_options;
  report_options.since = filter.since;
  report_options.until = filter.until;
  report_options.group_by = *group_by;
  report_options.zone = *zone;
  const insights::Report report = insights::BuildReport(*items, report_options);
  if (options.format == "json") return Print(insights::ReportJson(report) + "\n");
  if (options.format == "csv") return Print(insights::ReportCsv(report));
  return Print(insights::ReportTable(report, {.hours = options.hours}));
}

}  // namespace slayer::cli

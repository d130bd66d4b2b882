// slayer: flags -> command. Each command lives in src/cli/; this file has no logic of its own.
#include <CLI/CLI.hpp>

#include <iostream>

#include "cli/commands.h"
#include "cli/version.h"

int main(int argc, char** argv) {
  using namespace slayer::cli;
  CLI::App app{
      "SLAyer: a deadline and SLA monitor for Apache Airflow.\n\n"
      "Reads Airflow's metadata database read-only (PostgreSQL, MySQL/MariaDB, SQLite; Airflow\n"
      "2.2 to 3.x), finds what should have finished by now and has not, and exports it to\n"
      "Prometheus (airflow_sla_misses and slayer_* metrics).\n\n"
      "Examples:\n"
      "  slayer --config.file=/etc/slayer/slayer.yml          serve on :9469\n"
      "  slayer check-config --config.file=slayer.yml         validate, print the rules\n"
      "  slayer scan --format=json                            one poll, print violations\n"
      "  slayer explain --dag daily_sales_report              why a DAG is (not) late\n"
      "  slayer report --since 7d --dag 'finance_*'           how deadlines went, from history\n"
      "  slayer backfill --since 30d                          history from Airflow's past runs\n\n"
      "Secrets (database passwords, webhook URLs) go in the config as ${ENV_VAR} or *_file\n"
      "keys, never in flags. Docs: docs/configuration.md, docs/operations.md.",
      "slayer"};
  app.set_version_flag("--version", std::string("slayer ") + std::string(kVersion));
  app.require_subcommand(0, 1);
  app.fallthrough();

  GlobalOptions global;
  ServeOptions serve;
  app.add_option("--config.file", global.config_file, "Configuration file (YAML)")
      ->capture_default_str();
  CLI::Option* log_level =
      app.add_option("--log.level", global.log_level,
                     "debug, info, warn or error (scan and check-config: error unless given)")
          ->capture_default_str();
  app.add_option("--log.format", global.log_format, "logfmt or json")->capture_default_str();

  auto add_serve_flags = [&serve](CLI::App* cmd) {
    cmd->add_option("--web.listen-address", serve.listen_address,
                    "Address to serve metrics and the API on (host:port, :port)")
        ->capture_default_str();
    cmd->add_option("--web.telemetry-path", serve.telemetry_path, "Path of the metrics")
        ->capture_default_str();
    cmd->add_option("--web.config.file", serve.web_config_file,
                    "TLS and basic auth (Prometheus exporter-toolkit format), see "
                    "docs/web-config.md");
    cmd->add_option("--storage.path", serve.storage_path,
                    "Overrides the config's storage (sqlite:///path or postgresql://...)");
  };
  add_serve_flags(&app);  // `slayer` alone serves
  CLI::App* serve_cmd = app.add_subcommand(
      "serve", "Poll, evaluate and serve /metrics and the API until SIGTERM (the default).\n"
               "SIGHUP or POST /-/reload re-reads the config; an invalid one is rejected and "
               "the running config stays.");
  add_serve_flags(serve_cmd);

  std::string format = "table";
  CLI::App* scan_cmd = app.add_subcommand(
      "scan", "Poll every Airflow instance once and print the current violations.\n"
              "Exit code: 0 none, 1 some, 2 error (database unreachable, bad config).");
  scan_cmd->add_option("--format", format, "table or json")->capture_default_str();

  ExplainOptions explain;
  CLI::App* explain_cmd = app.add_subcommand(
      "explain", "Show every rule that applies to a DAG (a run, a task): the reference value\n"
                 "and which fallback was used, the need-by, the state and why. Reads Airflow\n"
                 "once and changes nothing.\n"
                 "Exit code: 0 explained, 1 no instance has the DAG, 2 error.\n"
                 "  slayer explain --dag daily_sales_report\n"
                 "  slayer explain --dag finance_etl --run scheduled__2026-11-23T00:00:00+00:00 "
                 "--task extract_orders");
  explain_cmd->add_option("--dag", explain.dag_id, "DAG id")->required();
  explain_cmd->add_option("--run", explain.run_id, "run_id (default: recent and active runs)");
  explain_cmd->add_option("--task", explain.task_id, "task_id (default: every task)");
  explain_cmd->add_option("--instance", explain.instance,
                          "airflow instance name (default: every instance)");
  explain_cmd->add_option("--format", explain.format, "table or json")->capture_default_str();

  ReportOptions report;
  CLI::App* report_cmd = app.add_subcommand(
      "report",
      "How the deadlines went, from the history store that `slayer serve` writes. Per DAG,\n"
      "rule or task, over the items whose need-by falls in [--since, --until):\n"
      "  evaluated   met + met_late + missed + abandoned (pending items are not evaluated yet)\n"
      "  met         done by the need-by\n"
      "  met_late    missed, then done; lateness = done - need-by\n"
      "  missed      missed and still not done\n"
      "  abandoned   the run or task failed or was removed first\n"
      "  compliance  met / evaluated\n"
      "  late_*      mean, p95, max lateness of the met_late items (nearest rank)\n"
      "and misses (met_late + missed) by need-by hour in the config's display_timezone,\n"
      "drawn for a single group or with --hours. --format json prints exactly the document of\n"
      "GET /api/v1/report. Reads the store only and never creates one.\n"
      "Exit code: 0 printed (also an empty report), 2 error (no store, bad flag or config).\n"
      "  slayer report                                       last 30 days, by DAG\n"
      "  slayer report --since 7d --dag 'finance_*' --hours  with by-hour histograms\n"
      "  slayer report --group-by rule --format csv > rules.csv\n"
      "  slayer report --since 2026-11-01 --until 2026-12-01 --format json\n"
      "With --health: each Airflow instance's uptime (time with a live scheduler / time known)\n"
      "over the last 7, 30 and 90 days (or --since), with down and unknown time, the number\n"
      "of outages and the longest, from the same store (GET /api/v1/health).\n"
      "With --tasks: per DAG and task over the DAG runs of the window (default 7d, at most\n"
      "30d): task instances by outcome, tries, success and retry rate, mean and p95 duration,\n"
      "mean queue time, read from Airflow's database through the config's instances with\n"
      "bounded queries (GET /api/v1/tasks).\n"
      "  slayer report --health\n"
      "  slayer report --tasks --dag 'finance_*' --since 3d --format csv\n"
      "Docs: docs/report.md, docs/health.md.");
  report_cmd->add_option("--since", report.since,
                         "Start of the window: a duration back from now (30d, 12h, 1h30m) or an "
                         "RFC 3339 instant (2026-11-01T00:00:00Z; a date alone is midnight UTC). "
                         "Default 30d; --tasks 7d; --health the windows 7d, 30d and 90d");
  report_cmd->add_option("--until", report.until,
                         "End of the window (excluded), in the same forms (default: now)");
  report_cmd->add_option("--dag", report.dag,
                         "Only DAG ids matching this glob (finance_*, etl_?; default: every DAG)");
  report_cmd->add_option("--rule", report.rule, "Only this rule (default: every rule)");
  report_cmd
      ->add_option("--group-by", report.group_by,
                   "dag, rule or task (task: one group per dag_id and task_id; DAG-level items "
                   "have an empty task)")
      ->capture_default_str();
  report_cmd->add_option("--format", report.format, "table, json or csv")->capture_default_str();
  report_cmd->add_flag("--hours", report.hours,
                       "Table: draw the by-hour histogram of every group with misses");
  report_cmd->add_option("--storage.path", report.storage_path,
                         "Overrides the config's storage (sqlite:///path/to/slayer.db)");
  report_cmd->add_flag("--health", report.health,
                       "Airflow uptime per instance from the store instead (docs/health.md)");
  report_cmd->add_flag("--tasks", report.tasks,
                       "Task analytics per DAG and task, read from Airflow instead "
                       "(docs/health.md)");
  report_cmd->add_option("--instance", report.instance,
                         "--health, --tasks: only this airflow instance (default: every one)");

  BackfillOptions backfill;
  CLI::App* backfill_cmd = app.add_subcommand(
      "backfill",
      "Evaluate Airflow's past runs against the rules, from Airflow's own timestamps, into the\n"
      "store, so that `slayer report`, the API and the web page have history from day one.\n"
      "`serve` does it once (30 days) on its first start. Idempotent: outcomes already in the\n"
      "store stay as they are, so running it twice changes nothing. Resumable: an interrupted\n"
      "backfill continues where it got to (per DAG). Sends no notifications.\n"
      "Exit code: 0 done, 2 error (what was recorded stays; run it again to resume).\n"
      "  slayer backfill                           the last 30 days\n"
      "  slayer backfill --since 90d --instance prod\n"
      "  slayer backfill --since 2026-10-01 --restart   evaluate the whole window again\n"
      "Docs: docs/insights.md#backfill.");
  backfill_cmd->add_option("--since", backfill.since,
                           "Runs with a logical date from: a duration back from now (30d) or an "
                           "RFC 3339 instant (default 30d)");
  backfill_cmd->add_option("--instance", backfill.instance,
                           "Only this airflow instance (default: every one)");
  backfill_cmd->add_flag("--restart", backfill.restart,
                         "Evaluate every DAG from --since again, not from where an earlier "
                         "backfill got to");
  backfill_cmd->add_option("--storage.path", backfill.storage_path,
                           "Overrides the config's storage (sqlite:///path/to/slayer.db)");
  backfill_cmd
      ->add_option("--progress", backfill.progress,
                   "auto (a bar on a terminal, log lines otherwise), bar or log")
      ->check(CLI::IsMember({"auto", "bar", "log"}))
      ->capture_default_str();

  CLI::App* check_cmd = app.add_subcommand(
      "check-config", "Validate the config and print the rules as understood.\n"
                      "Exit code 1 with file:line:col messages when invalid.");

  DemoOptions demo;
  CLI::App* demo_cmd = app.add_subcommand(
      "demo", "A self-contained demo: a SQLite Airflow 2 database driven by the simulator\n"
              "(DAGs that go late, then finish) and `serve` on it. `make run` starts it.");
  add_serve_flags(demo_cmd);
  demo_cmd->add_option("--demo.dir", demo.data_dir, "Directory for the demo database and config")
      ->capture_default_str();
  demo_cmd->add_option("--demo.speed", demo.speed, "Simulated seconds per real second")
      ->capture_default_str();
  demo_cmd->add_option("--demo.seed", demo.seed, "Simulator seed")->capture_default_str();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }
  // One-shot commands print their result and one line per error; progress logs would only be
  // noise there unless asked for.
  if ((*scan_cmd || *check_cmd || *explain_cmd || *report_cmd) && log_level->count() == 0) {
    global.log_level = "error";
  }
  if (!SetUpLogging(global)) return 2;
  if (*scan_cmd) return RunScan(global, format);
  if (*check_cmd) return RunCheckConfig(global);
  if (*explain_cmd) return RunExplain(global, explain);
  if (*report_cmd) return RunReport(global, report);
  if (*backfill_cmd) return RunBackfill(global, backfill);
  if (*demo_cmd) return RunDemo(global, serve, demo);
  (void)serve_cmd;
  return RunServe(global, serve);
}

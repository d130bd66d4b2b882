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
      "  slayer explain --dag daily_sales_report              why a DAG is (not) late\n\n"
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
  if ((*scan_cmd || *check_cmd || *explain_cmd) && log_level->count() == 0) global.log_level = "error";
  if (!SetUpLogging(global)) return 2;
  if (*scan_cmd) return RunScan(global, format);
  if (*check_cmd) return RunCheckConfig(global);
  if (*explain_cmd) return RunExplain(global, explain);
  if (*demo_cmd) return RunDemo(global, serve, demo);
  (void)serve_cmd;
  return RunServe(global, serve);
}

// The `slayer` subcommands, each a function from its options to an exit code. main.cc parses
// flags (CLI11) and calls one of these; they print user-facing lines and never throw.
#pragma once

#include <csignal>

#include "common/clock.h"

#include <cstdint>
#include <string>

namespace slayer::cli {

// Process flags shared by every command (SPEC section 2).
struct GlobalOptions {
  std::string config_file = "slayer.yml";  // --config.file
  std::string log_level = "info";          // --log.level
  std::string log_format = "logfmt";       // --log.format
};

struct ServeOptions {
  std::string listen_address = ":9469";   // --web.listen-address
  std::string telemetry_path = "/metrics";  // --web.telemetry-path
  std::string web_config_file;            // --web.config.file; empty = plain HTTP, no auth
  std::string storage_path;               // --storage.path; empty = the config's storage
};

// `slayer serve`: runs until SIGTERM/SIGINT; SIGHUP reloads. 0 on a clean stop, 2 when it
// cannot start (bad config, address in use).
int RunServe(const GlobalOptions& global, const ServeOptions& serve);
// The same with another clock (the demo's, which runs as fast as its simulator).
int RunServeWithClock(const GlobalOptions& global, const ServeOptions& serve, const Clock& clock);

struct DemoOptions {
  std::string data_dir = "data/demo";  // --demo.dir: the SQLite Airflow DB and the config
  double speed = 10;                   // --demo.speed: simulated seconds per real second
  uint64_t seed = 1;                   // --demo.seed
};

// `slayer demo`: creates a SQLite Airflow 2 database in `data_dir`, runs the simulator on it
// (examples/sim/demo.yml, accelerated) and serves it like `slayer serve`. Exit codes as serve.
int RunDemo(const GlobalOptions& global, const ServeOptions& serve, const DemoOptions& demo);

// `slayer scan`: one poll, prints the violations (`format` "table" or "json"). 0 none, 1 some,
// 2 error.
int RunScan(const GlobalOptions& global, const std::string& format);

struct ExplainOptions {
  std::string dag_id;    // --dag (required)
  std::string run_id;    // --run; empty = the DAG's active runs and those of the last horizon
  std::string task_id;   // --task; empty = every task
  std::string instance;  // --instance; empty = every configured instance
  std::string format = "table";  // --format table|json
};

// `slayer explain`: each rule that applies to the DAG (run, task): the reference value and the
// fallback used, the need-by, the state and why. 0 when explained, 1 when no instance has the
// DAG, 2 on error.
int RunExplain(const GlobalOptions& global, const ExplainOptions& options);

struct BackfillOptions {
  std::string since;         // --since: a duration back from now or an RFC 3339 instant; 30d
  std::string instance;      // --instance: one airflow instance; empty = every one
  bool restart = false;      // --restart: from --since again, ignoring earlier progress
  std::string storage_path;  // --storage.path; empty = the config's storage
  std::string progress = "auto";  // --progress auto|bar|log
};

// `slayer backfill`: evaluates Airflow's past runs against the rules into the store
// (docs/insights.md#backfill). 0 done, 2 error (what was recorded stays; run again to resume).
int RunBackfill(const GlobalOptions& global, const BackfillOptions& options);

struct ReportOptions {
  // --since: a duration back from now, or an RFC 3339 instant; empty = the mode's default
  // (30d; --tasks 7d; --health the windows 7d, 30d and 90d).
  std::string since;
  std::string until;             // --until: the same; empty = now
  std::string dag;               // --dag: a DAG id glob; empty = every DAG
  std::string rule;              // --rule: exact rule name; empty = every rule
  std::string group_by = "dag";  // --group-by dag|rule|task
  std::string format = "table";  // --format table|json|csv
  bool hours = false;            // --hours: by-hour histograms of every group (table)
  std::string storage_path;      // --storage.path; empty = the config's storage
  bool health = false;           // --health: Airflow uptime from the store instead
  bool tasks = false;            // --tasks: task analytics read from Airflow instead
  std::string instance;          // --instance (--health, --tasks): one airflow instance
};

// `slayer report`: the history of the deadlines whose need-by is in [since, until), from the
// store (docs/report.md); with --health each Airflow instance's uptime from the store, with
// --tasks task analytics read from Airflow's database through the config's instances
// (docs/health.md). Never creates a store. 0 when printed (also when empty), 2 on error (bad
// flag, bad config, no store at the configured path, store or Airflow unreadable).
int RunReport(const GlobalOptions& global, const ReportOptions& options);

// `slayer check-config`: prints the config as understood; 1 with file:line:col errors.
int RunCheckConfig(const GlobalOptions& global);

// Blocks SIGTERM, SIGINT and SIGHUP in the calling thread (and the threads it starts later) and
// returns that set, for sigwait: the serving thread takes them synchronously.
sigset_t BlockShutdownSignals();

// Applies --log.level and --log.format; prints the error and returns false when invalid.
bool SetUpLogging(const GlobalOptions& global);

}  // namespace slayer::cli

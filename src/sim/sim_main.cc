// slayer-sim: the Airflow simulator's command line (docs/simulator.md). Flags -> Simulator ->
// a real-time x speed loop; no simulation logic of its own.
#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <string>
#include <string_view>
#include <thread>

#include "common/log.h"
#include "common/time.h"
#include "db/connect.h"
#include "db/dsn.h"
#include "sim/dag_file.h"
#include "sim/dag_scaling.h"
#include "sim/simulator.h"

namespace {

using slayer::Duration;
using slayer::Status;
using slayer::Timestamp;

std::atomic<bool> g_stop{false};

void OnSignal(int) { g_stop = true; }

// Startup errors: one line, exit 2 (bad input: flags, DSN, DAG file, unreachable database).
int Fail(const std::string& message) {
  std::fprintf(stderr, "slayer-sim: %s\n", message.c_str());
  return 2;
}

// Runtime errors (the database failed while simulating): logged, exit 1.
int FailRunning(const Status& status) {
  slayer::LogError("simulation failed", {{"error", status.message()}});
  return 1;
}

Timestamp RealNow() {
  return std::chrono::time_point_cast<Duration>(std::chrono::system_clock::now());
}

constexpr char kDescription[] = R"(slayer-sim - write Airflow metadata rows as Airflow would

Simulates an Apache Airflow deployment against its metadata database (PostgreSQL, MySQL/MariaDB
or SQLite; Airflow 2.10, 3.0 or 3.1 schema): DAG rows, DAG runs created on their schedules, task
instances moving through their states, job heartbeats, sla_miss rows (Airflow 2) and deadline
rows (Airflow 3.1). It drives SLAyer's demo, integration tests and benchmarks.

Simulated time starts at --start (default: now) and runs --speed times faster than real time
until SIGINT/SIGTERM or until --duration of simulated time has passed. --history first writes a
past window in bulk (fast: COPY on PostgreSQL), then continues live when --speed or --duration
is given. The same --seed, DAG file and --start give the same rows.
)";

constexpr char kFooter[] = R"(EXAMPLES
  Create an Airflow 2 SQLite database and run the demo DAGs 60x faster:
    slayer-sim --database sqlite:///tmp/airflow.db --airflow 2 --dags examples/sim/demo.yml \
      --init --speed 60

  Airflow 3.1 on PostgreSQL, recreate the schema, one simulated day as fast as possible:
    slayer-sim --database postgresql://airflow:pw@localhost/airflow --airflow 3.1 \
      --dags examples/sim/demo.yml --reset --speed 10000 --duration 1d

  Bulk history for benchmarks: 10000 generated DAGs over 30 days, 200 runs left running:
    slayer-sim --database postgresql://airflow:pw@localhost/airflow --airflow 3.1 \
      --dags 10000 --history 30d --active-runs 200 --reset

  History, then live with a scheduler outage 10 simulated minutes in, lasting 5 minutes:
    slayer-sim --database mysql://airflow:pw@localhost/airflow --airflow 2 \
      --dags examples/sim/etl.yml --reset --history 2d --speed 30 \
      --outage-at 10m --outage-for 5m

EXIT STATUS
  0 done (or stopped by a signal), 1 a database error while running, 2 bad input (flags, DAG
  file, DSN, unreachable database, schema mismatch).

See docs/simulator.md for the DAG file format and the rows written per Airflow version.)";

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{kDescription, "slayer-sim"};
  app.footer(kFooter);
  app.get_formatter()->column_width(34);
  std::string database, airflow = "2", dags_arg, start_text, duration_text, history_text;
  std::string outage_at_text, outage_for_text, log_level = "info", log_format = "logfmt";
  double speed = 1;
  int dag_count = 0, tasks_per_dag = 4, active_runs = 0, workers = 4;
  uint64_t seed = 1;
  bool init = false, reset = false, compress = false, local_task_jobs = false;
  app.add_option("--database", database,
                 "Airflow metadata DB: postgresql://user:pw@host/db, mysql://..., "
                 "sqlite:///abs/path.db")
      ->required();
  app.add_option("--airflow", airflow, "Airflow schema to write: 2 (2.10), 3.0 or 3.1")
      ->capture_default_str();
  app.add_option("--dags", dags_arg,
                 "YAML DAG file (docs/simulator.md), or a number N for N generated DAGs")
      ->required();
  app.add_option("--dag-count", dag_count,
                 "Clone the file's DAGs round-robin up to N DAGs (benchmarks)");
  app.add_option("--tasks-per-dag", tasks_per_dag, "Tasks per generated DAG (--dags N)")
      ->capture_default_str();
  app.add_flag("--init", init, "Create the Airflow schema first (error if tables exist)");
  app.add_flag("--reset", reset, "Drop existing Airflow tables, then create the schema");
  app.add_option("--speed", speed, "Simulated seconds per real second")->capture_default_str();
  app.add_option("--start", start_text, "Simulated start time, RFC 3339 (default: now)");
  app.add_option("--duration", duration_text,
                 "Stop after this much simulated time (e.g. 2h, 1d); default: until a signal");
  app.add_option("--history", history_text,
                 "First write this past window in bulk (e.g. 30d), ending at --start");
  app.add_option("--active-runs", active_runs,
                 "With --history: leave N runs hanging (running tasks) at the end");
  app.add_option("--seed", seed, "Random seed; same seed + input + start = same rows")
      ->capture_default_str();
  app.add_flag("--compress-serialized", compress,
               "Write serialized_dag.data_compressed (zlib) instead of data");
  app.add_flag("--local-task-jobs", local_task_jobs,
               "Airflow 2: a LocalTaskJob row per task try (task_instance.job_id)");
  app.add_option("--workers", workers, "Worker hostnames tasks run on")->capture_default_str();
  app.add_option("--outage-at", outage_at_text,
                 "Live: stop the scheduler (heartbeat and scheduling) this long after the start");
  app.add_option("--outage-for", outage_for_text,
                 "Live: restart the scheduler after this long (default: never)");
  app.add_option("--log.level", log_level, "debug, info, warn or error")->capture_default_str();
  app.add_option("--log.format", log_format, "logfmt or json")->capture_default_str();
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    return Fail(std::string(e.what()) + " (see --help)");
  }

  auto level = slayer::ParseLogLevel(log_level);
  if (!level) return Fail("--log.level: " + level.error().message());
  auto format = slayer::ParseLogFormat(log_format);
  if (!format) return Fail("--log.format: " + format.error().message());
  slayer::SetLogLevel(*level);
  slayer::SetLogFormat(*format);

  auto version = slayer::sim::ParseAirflowVersion(airflow);
  if (!version) return Fail(version.error().message());
  if (!(speed > 0)) return Fail("--speed must be positive");
  auto parse_duration = [](const std::string& flag, const std::string& text,
                           std::optional<Duration>& out) -> std::optional<std::string> {
    if (text.empty()) return std::nullopt;
    auto d = slayer::ParseDuration(text);
    if (!d) return flag + ": " + d.error().message();
    if (*d <= Duration::zero()) return flag + " must be positive";
    out = *d;
    return std::nullopt;
  };
  std::optional<Duration> duration, history, outage_at, outage_for;
  struct DurationFlag {
    const char* flag;
    const std::string& text;
    std::optional<Duration>& out;
  };
  for (const DurationFlag& f : {DurationFlag{"--duration", duration_text, duration},
                                DurationFlag{"--history", history_text, history},
                                DurationFlag{"--outage-at", outage_at_text, outage_at},
                                DurationFlag{"--outage-for", outage_for_text, outage_for}}) {
    if (auto err = parse_duration(f.flag, f.text, f.out)) return Fail(*err);
  }
  Timestamp start = RealNow();
  if (!start_text.empty()) {
    auto t = slayer::ParseTimestamp(start_text);
    if (!t) return Fail("--start: " + t.error().message() + " (use RFC 3339)");
    start = *t;
  }

  // The DAGs: a file (optionally cloned up to --dag-count) or N generated ones.
  slayer::sim::DagFile dags;
  bool numeric = !dags_arg.empty() && dags_arg.find_first_not_of("0123456789") == std::string::npos;
  if (numeric) {
    int n = 0;
    try {
      n = std::stoi(dags_arg);
    } catch (const std::exception&) {
      return Fail("--dags: " + dags_arg + " is too large");
    }
    if (n <= 0) return Fail("--dags: the number of DAGs must be positive");
    dags = slayer::sim::GenerateDags(n, std::max(1, tasks_per_dag));
  } else {
    auto file = slayer::sim::LoadDagFile(dags_arg);
    if (!file) return Fail(file.error().message());
    dags = std::move(*file);
    if (dag_count > 0) dags = slayer::sim::CloneDags(dags, dag_count);
  }

  auto dsn = slayer::db::Dsn::Parse(database);
  if (!dsn) return Fail(dsn.error().message());
  slayer::db::ConnectOptions copts;
  copts.read_only = false;
  copts.statement_timeout = std::chrono::minutes(10);  // bulk COPY of millions of rows
  auto conn = slayer::db::Connect(*dsn, copts);
  if (!conn) return Fail(conn.error().message());

  slayer::sim::SimulatorOptions options;
  options.version = *version;
  options.seed = seed;
  options.init_schema = init;
  options.reset = reset;
  options.compress_serialized = compress;
  options.local_task_jobs = local_task_jobs;
  options.workers = workers;
  options.active_runs = active_runs;
  auto sim = slayer::sim::Simulator::Create(**conn, std::move(dags), options);
  if (!sim) return Fail(sim.error().message());
  slayer::sim::Simulator& s = **sim;

  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);

  const Timestamp first = history ? start - *history : start;
  if (Status st = s.Init(first); !st.ok()) {
    return Fail(st.message());
  }
  slayer::LogInfo("simulator started", {{"airflow", slayer::sim::AirflowVersionName(*version)},
                                        {"database", dsn->ToString()},
                                        {"start", slayer::FormatRfc3339(first)},
                                        {"seed", seed}});
  auto summary = [&](std::string_view msg) {
    const auto& st = s.stats();
    slayer::LogInfo(msg, {{"sim_time", slayer::FormatRfc3339(s.now())},
                          {"dag_runs", st.runs_created},
                          {"task_instances", st.task_instances_created},
                          {"sla_misses", st.sla_misses},
                          {"deadlines", st.deadlines_created},
                          {"deadlines_missed", st.deadlines_missed}});
  };
  auto log_sim_time = [&](std::string_view msg) {
    slayer::LogInfo(msg, {{"sim_time", slayer::FormatRfc3339(s.now())}});
  };
  if (history) {
    auto t0 = std::chrono::steady_clock::now();
    int last_decile = -1;
    Status st = s.RunHistory(start, [&](double f) {
      int decile = static_cast<int>(f * 10);
      if (decile != last_decile) {
        last_decile = decile;
        slayer::LogInfo("history progress", {{"done_percent", decile * 10}});
      }
    });
    if (!st.ok()) return FailRunning(st);
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    summary("history written");
    slayer::LogInfo("history timing", {{"elapsed_seconds", secs},
                                       {"simulate_seconds", s.simulate_seconds()},
                                       {"write_seconds", s.write_seconds()},
                                       {"task_instance_rows", s.counts().task_instances}});
  }
  const bool live = !history || app.count("--speed") > 0 || duration.has_value();
  if (!live) {
    Status st = s.Finish();
    if (!st.ok()) return FailRunning(st);
    return 0;
  }

  // Live: simulated time = start + real elapsed x speed, advanced a few times a second.
  const auto real0 = std::chrono::steady_clock::now();
  // Timestamp::max() = never (plain values: GCC 12 misreports optionals here).
  const Timestamp end = duration ? start + *duration : Timestamp::max();
  const Timestamp outage_start = outage_at ? start + *outage_at : Timestamp::max();
  const Timestamp outage_end =
      outage_at && outage_for ? outage_start + *outage_for : Timestamp::max();
  bool outage_begun = false, outage_over = false;
  auto last_summary = std::chrono::steady_clock::now();
  Status st;
  while (!g_stop) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - real0).count();
    Timestamp target = start + Duration(static_cast<int64_t>(elapsed * speed * 1e6));
    if (target > end) target = end;
    if (target < s.now()) continue;
    // Scheduler outage boundaries are hit exactly, so a rerun writes the same rows.
    if (!outage_begun && target >= outage_start) {
      if (st = s.AdvanceTo(outage_start); !st.ok()) break;
      s.SetSchedulerRunning(false);
      outage_begun = true;
      log_sim_time("scheduler outage begins");
    }
    if (outage_begun && !outage_over && target >= outage_end) {
      if (st = s.AdvanceTo(outage_end); !st.ok()) break;
      s.SetSchedulerRunning(true);
      outage_over = true;
      log_sim_time("scheduler outage ends");
    }
    if (st = s.AdvanceTo(target); !st.ok()) break;
    if (std::chrono::steady_clock::now() - last_summary > std::chrono::seconds(10)) {
      last_summary = std::chrono::steady_clock::now();
      summary("progress");
    }
    if (s.now() >= end) break;
  }
  if (st.ok()) st = s.Finish();
  if (!st.ok()) return FailRunning(st);
  summary(g_stop ? "stopped by signal" : "done");
  return 0;
}

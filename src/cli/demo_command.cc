#include <csignal>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>

#include "cli/commands.h"
#include "common/clock.h"
#include "common/log.h"
#include "db/connect.h"
#include "sim/dag_file.h"
#include "sim/simulator.h"

namespace slayer::cli {

// examples/sim/demo.yml, embedded at build time (src/cli/CMakeLists.txt).
extern const std::string_view kDemoDags;

namespace {

constexpr const char* kDemoConfig = R"(# Written by `slayer demo`: SLAyer watching the simulator's SQLite Airflow database.
airflow:
  - name: demo
    database: sqlite://{DB}
    poll_interval: 2s
storage: sqlite://{STORE}
rules:
  # The ten-minute events must land within 4 minutes of the end of their interval.
  - name: events-by-4m
    match: {dag_id: demo_events_10min}
    reference: dagrun.data_interval_end
    interval: 4m
    severity: critical
  # A transform may not run longer than 2 minutes.
  - name: transform-max-2m
    match: {dag_id: demo_events_10min}
    tasks: [transform]
    reference: task.start_date
    interval: 2m
  # Order snapshots (every 15 minutes) must be published within 20 minutes of their logical date.
  - name: orders-in-20m
    match: {dag_id: demo_orders_15min}
    reference: dagrun.logical_date
    interval: 20m
  # The hourly report must succeed at least every 75 minutes.
  - name: report-fresh-75m
    match: {dag_id: demo_hourly_report}
    freshness: 75m
)";

// The demo's clock: simulated time, start + real elapsed x speed, the same as the simulator's,
// so SLAyer judges the simulated rows at the simulated now.
class ScaledClock final : public Clock {
 public:
  ScaledClock(Timestamp start, double speed)
      : start_(start), speed_(speed), real_start_(std::chrono::steady_clock::now()) {}
  Timestamp Now() const override {
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - real_start_).count();
    return start_ + std::chrono::duration_cast<Duration>(
                        std::chrono::duration<double>(elapsed * speed_));
  }
  std::chrono::steady_clock::time_point Monotonic() const override {
    return std::chrono::steady_clock::now();
  }

 private:
  Timestamp start_;
  double speed_;
  std::chrono::steady_clock::time_point real_start_;
};

// Runs the simulator live on its own connection until `stop`: simulated time = start + real
// elapsed x speed.
void RunSimulator(sim::Simulator& sim, Timestamp start, double speed, std::stop_token stop) {
  const auto real_start = std::chrono::steady_clock::now();
  while (!stop.stop_requested()) {
    double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - real_start).count();
    Timestamp target = start + Duration(static_cast<int64_t>(elapsed * speed * 1e6));
    if (Status st = sim.AdvanceTo(target); !st.ok()) {
      LogError("demo simulator stopped", {{"err", st.message()}});
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
}

}  // namespace

int RunDemo(const GlobalOptions& global, const ServeOptions& serve, const DemoOptions& demo) {
  // Signals go to RunServe's sigwait only: block them before the simulator thread starts, so it
  // inherits the mask.
  BlockShutdownSignals();

  std::error_code ec;
  std::filesystem::path dir = std::filesystem::absolute(demo.data_dir, ec);
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    std::cerr << "demo: cannot create " << dir << ": " << ec.message() << "\n";
    return 2;
  }
  const std::string db_path = (dir / "airflow.db").string();
  const std::string config_path = (dir / "slayer.yml").string();

  auto dags = sim::ParseDagFile(kDemoDags, "demo.yml");
  if (!dags) {
    std::cerr << "demo: " << dags.error().message() << "\n";
    return 2;
  }
  db::ConnectOptions writer_options;
  writer_options.read_only = false;
  auto conn = db::Connect(*db::Dsn::Parse("sqlite://" + db_path), writer_options);
  if (!conn) {
    std::cerr << "demo: " << conn.error().message() << "\n";
    return 2;
  }
  sim::SimulatorOptions options;
  options.version = sim::AirflowVersion::kV2;  // Airflow 2 writes sla_miss rows
  options.init_schema = true;
  options.reset = true;
  options.seed = demo.seed;
  auto simulator = sim::Simulator::Create(**conn, std::move(*dags), options);
  if (!simulator) {
    std::cerr << "demo: " << simulator.error().message() << "\n";
    return 2;
  }
  SystemClock clock;
  // Start an hour of simulated time in the past, so there is history and open misses at once.
  const Timestamp now = clock.Now();
  const Timestamp start = now - std::chrono::hours(1);
  if (Status st = (*simulator)->Init(start); !st.ok()) {
    std::cerr << "demo: " << st.message() << "\n";
    return 2;
  }
  if (Status st = (*simulator)->RunHistory(now); !st.ok()) {
    std::cerr << "demo: " << st.message() << "\n";
    return 2;
  }
  {
    std::string config = kDemoConfig;
    config.replace(config.find("{DB}"), 4, db_path);
    config.replace(config.find("{STORE}"), 7, (dir / "slayer.db").string());
    std::ofstream out(config_path);
    out << config;
    if (!out) {
      std::cerr << "demo: cannot write " << config_path << "\n";
      return 2;
    }
  }
  const std::string base =
      "http://" + (serve.listen_address.starts_with(":") ? "localhost" + serve.listen_address
                                                         : serve.listen_address);
  std::cout << "SLAyer demo: a simulated Airflow 2 (SQLite " << db_path << ") at " << demo.speed
            << "x speed.\nOpen " << base << "/ (the web page: violations, at-risk items, "
            << "history charts), " << base << "/api/v1/violations (JSON) and " << base
            << serve.telemetry_path << " (airflow_sla_misses). Ctrl-C stops.\n"
            << std::flush;
  ScaledClock demo_clock(now, demo.speed);
  std::jthread sim_thread([&](std::stop_token stop) {
    RunSimulator(**simulator, now, demo.speed, std::move(stop));
  });
  GlobalOptions with_config = global;
  with_config.config_file = config_path;
  int rc = RunServeWithClock(with_config, serve, demo_clock);
  sim_thread.request_stop();
  sim_thread.join();
  return rc;
}

}  // namespace slayer::cli

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
rules: []
)";

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
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

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
            << "x speed.\nOpen " << base << "/api/v1/violations (current violations) and "
            << base << serve.telemetry_path << " (airflow_sla_misses). Ctrl-C stops.\n"
            << std::flush;
  std::jthread sim_thread([&](std::stop_token stop) {
    RunSimulator(**simulator, now, demo.speed, std::move(stop));
  });
  GlobalOptions with_config = global;
  with_config.config_file = config_path;
  int rc = RunServe(with_config, serve);
  sim_thread.request_stop();
  sim_thread.join();
  return rc;
}

}  // namespace slayer::cli

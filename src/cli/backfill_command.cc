// `slayer backfill`: the history of the rules from Airflow's past runs, into the store
// (docs/insights.md#backfill). A progress bar on a terminal, progress log lines otherwise.
#include <unistd.h>

#include <cstdio>
#include <iostream>

#include "app/history_backfill.h"
#include "cli/commands.h"
#include "common/log.h"
#include "config/load.h"
#include "insights/time_bound.h"
#include "store/store.h"

namespace slayer::cli {
namespace {

constexpr int kBarWidth = 30;

// "[##########....................]  3400/10000 DAGs  81234 runs  5120 outcomes (4100 new)"
void DrawBar(const std::string& instance, const engine::BackfillStats& s) {
  const double done = s.dags_total == 0 ? 1.0 : double(s.dags_done) / double(s.dags_total);
  const int filled = static_cast<int>(done * kBarWidth);
  std::string bar(static_cast<size_t>(filled), '#');
  bar.append(static_cast<size_t>(kBarWidth - filled), '.');
  std::fprintf(stderr, "\r%s [%s] %zu/%zu DAGs  %lld runs  %lld outcomes (%lld new)\033[K",
               instance.c_str(), bar.c_str(), s.dags_done, s.dags_total,
               static_cast<long long>(s.runs), static_cast<long long>(s.items),
               static_cast<long long>(s.written));
  std::fflush(stderr);
}

}  // namespace

int RunBackfill(const GlobalOptions& global, const BackfillOptions& options) {
  auto config = config::LoadConfigFile(global.config_file);
  if (!config) {
    std::cerr << config.error().message() << "\n";
    return 2;
  }
  SystemClock clock;
  const Timestamp now = clock.Now();
  app::BackfillRequest request;
  if (!options.since.empty()) {
    auto from = insights::ParseTimeBound(options.since, now);
    if (!from) {
      std::cerr << "--since: " << from.error().message() << "\n";
      return 2;
    }
    if (*from >= now) {
      std::cerr << "--since: must be in the past\n";
      return 2;
    }
    request.from = *from;
  }
  request.restart = options.restart;
  request.instance = options.instance;
  db::Dsn storage = (*config)->storage.url;
  if (!options.storage_path.empty()) {
    auto dsn = db::Dsn::Parse(options.storage_path);
    if (!dsn) {
      std::cerr << "--storage.path: " << dsn.error().message() << "\n";
      return 2;
    }
    storage = std::move(*dsn);
  }
  auto store = store::OpenStore(storage);
  if (!store) {
    std::cerr << store.error().WithContext("open the history store (storage: / --storage.path)")
                     .message()
              << "\n";
    return 2;
  }
  const bool tty = options.progress == "bar" ||
                   (options.progress == "auto" && ::isatty(STDERR_FILENO) == 1);
  std::string drawing;  // the instance whose bar is on the line
  request.progress = [&](const std::string& instance, const engine::BackfillStats& s) {
    if (tty) {
      DrawBar(instance, s);
      drawing = instance;
    } else {
      LogInfo("backfill progress", {{"instance", instance},
                                    {"dags_done", s.dags_done},
                                    {"dags_total", s.dags_total},
                                    {"runs", s.runs},
                                    {"outcomes", s.items},
                                    {"written", s.written}});
    }
  };
  auto results = app::BackfillInstances(*config, **store, app::SqlSourceFactory(), clock, request);
  if (!drawing.empty()) std::fputs("\n", stderr);
  if (!results) {
    std::cerr << results.error().message() << "\n";
    return 2;
  }
  int rc = 0;
  for (const app::InstanceBackfill& r : *results) {
    const engine::BackfillStats& s = r.stats;
    if (!r.status.ok()) {
      std::cerr << "error: " << r.status.message()
                << " (what was recorded stays; run it again to resume)\n";
      rc = 2;
      continue;
    }
    std::printf("%s: %zu DAGs (%zu already settled), %lld runs, %lld outcomes, %lld new to the "
                "store, %lld still ahead of their need-by, %.1f s\n",
                r.instance.c_str(), s.dags_total, s.dags_settled, static_cast<long long>(s.runs),
                static_cast<long long>(s.items), static_cast<long long>(s.written),
                static_cast<long long>(s.pending), r.seconds);
  }
  return rc;
}

}  // namespace slayer::cli

#include "app/history_backfill.h"

#include <chrono>

#include "common/log.h"

namespace slayer::app {

Result<std::vector<InstanceBackfill>> BackfillInstances(const config::ValidatedConfig& config,
                                                        store::Store& store,
                                                        const SourceFactory& factory,
                                                        const Clock& clock,
                                                        const BackfillRequest& request) {
  auto rules = rules::RuleSet::Make(config->rules);
  if (!rules) return rules.error();
  bool found = request.instance.empty();
  std::vector<InstanceBackfill> out;
  for (const config::AirflowInstance& instance : config->airflow) {
    if (!request.instance.empty() && instance.name != request.instance) continue;
    found = true;
    InstanceBackfill& result = out.emplace_back();
    result.instance = instance.name;
    if (request.first_start) {
      auto done = store.Watermark(instance.name, kBackfillDoneWatermark);
      if (!done) {
        result.status = done.error();
        continue;
      }
      if (*done) {
        result.skipped = true;
        continue;
      }
    }
    const auto started = std::chrono::steady_clock::now();
    auto source = factory(instance);
    if (!source) {
      result.status = source.error().WithContext("instance " + instance.name);
      continue;
    }
    const Timestamp now = clock.Now();
    engine::BackfillOptions options;
    options.instance = instance.name;
    options.airflow_native = instance.airflow_native;
    options.from = request.from.value_or(now - kFirstStartBackfill);
    options.restart = request.restart;
    options.should_stop = request.should_stop;
    auto stats = engine::Backfill(
        **source, *rules, store, options, now, [&](const engine::BackfillStats& s) {
          result.stats = s;
          if (request.progress) request.progress(instance.name, s);
        });
    result.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    if (!stats) {
      result.status = stats.error().WithContext("instance " + instance.name);
      continue;
    }
    result.stats = *stats;
    if (request.first_start) {
      result.status = store.SetWatermark(instance.name, kBackfillDoneWatermark, now);
    }
  }
  if (!found) {
    return NotFoundError("--instance: no Airflow instance named '" + request.instance +
                         "' in the config");
  }
  return out;
}

}  // namespace slayer::app

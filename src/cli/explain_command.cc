// `slayer explain`: every rule that applies to a DAG (a run, a task), with the reference value
// and the fallback used, the need-by, the state and why. Reads Airflow once, changes nothing;
// the recorded state comes from the store when it exists.
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "app/instance_poller.h"
#include "cli/commands.h"
#include "config/load.h"
#include "engine/instance_engine.h"
#include "rules/evaluate.h"
#include "store/store.h"

namespace slayer::cli {
namespace {

using nlohmann::json;

std::string Seconds(Duration d) {
  return FormatDuration(std::chrono::duration_cast<std::chrono::seconds>(d));
}

// What `explain` says about one observation.
struct Line {
  const rules::Observation* o;
  rules::ItemState state;
  std::optional<rules::Item> recorded;  // from the store
};

std::string StateText(const Line& l, Timestamp now) {
  if (!l.o->armed) return "not armed";
  const rules::Item& item = l.o->item;
  std::string out(rules::ItemStateName(l.state));
  if (l.state == rules::ItemState::kMissed) out += " (" + Seconds(now - item.need_by) + " over)";
  if (l.state == rules::ItemState::kMetLate && l.o->progress_at) {
    out += " (" + Seconds(*l.o->progress_at - item.need_by) + " late)";
  }
  if (l.state == rules::ItemState::kPending) out += " (" + Seconds(item.need_by - now) + " left)";
  return out;
}

}  // namespace

int RunExplain(const GlobalOptions& global, const ExplainOptions& options) {
  if (options.format != "table" && options.format != "json") {
    std::cerr << "--format: must be table or json, not '" << options.format << "'\n";
    return 2;
  }
  auto config = config::LoadConfigFile(global.config_file);
  if (!config) {
    std::cerr << config.error().message() << "\n";
    return 2;
  }
  auto rule_set = rules::RuleSet::Make((*config)->rules);
  if (!rule_set) {
    std::cerr << rule_set.error().message() << "\n";
    return 2;
  }
  auto shared = std::make_shared<const rules::RuleSet>(std::move(*rule_set));
  // The store, only if it exists already: explain never creates one.
  std::unique_ptr<store::Store> store;
  const db::Dsn& storage = (*config)->storage.url;
  if (storage.backend == db::Backend::kSqlite && std::filesystem::exists(storage.database)) {
    if (auto opened = store::OpenStore(storage)) store = std::move(*opened);
  }

  SystemClock clock;
  const Timestamp now = clock.Now();
  auto factory = app::SqlSourceFactory();
  json out_instances = json::array();
  bool found_any = false;
  int rc = 0;
  for (const config::AirflowInstance& instance : (*config)->airflow) {
    if (!options.instance.empty() && instance.name != options.instance) continue;
    auto source = factory(instance);
    if (!source) {
      std::cerr << "error: airflow instance " << instance.name << ": "
                << source.error().message() << "\n";
      rc = 2;
      continue;
    }
    engine::EngineOptions engine_options;
    engine_options.instance = instance.name;
    engine_options.horizon = instance.horizon;
    engine_options.airflow_native = instance.airflow_native;
    engine::InstanceEngine engine(engine_options, shared, nullptr);
    auto observations = engine.Explain(**source, options.dag_id, options.run_id, now);
    if (!observations) {
      if (observations.error().code() == StatusCode::kNotFound) {
        if (options.format == "table") {
          std::printf("instance %s: %s\n", instance.name.c_str(),
                      observations.error().message().c_str());
        }
        continue;
      }
      std::cerr << "error: airflow instance " << instance.name << ": "
                << observations.error().message() << "\n";
      rc = 2;
      continue;
    }
    found_any = true;
    std::vector<Line> lines;
    for (const rules::Observation& o : *observations) {
      if (!options.task_id.empty() && o.item.key.task_id != options.task_id) continue;
      Line line{&o, rules::ProjectedState(o, now), std::nullopt};
      if (store) {
        if (auto rec = store->Find(o.item.key); rec && *rec) line.recorded = **rec;
      }
      lines.push_back(std::move(line));
    }
    if (options.format == "json") {
      json items = json::array();
      for (const Line& l : lines) {
        const rules::Item& item = l.o->item;
        json j = {{"rule", item.key.rule},
                  {"run_id", item.key.run_id},
                  {"task_id", item.key.task_id},
                  {"slot", item.key.slot},
                  {"reference", item.reference},
                  {"reference_time", item.reference_time ? json(FormatRfc3339(*item.reference_time))
                                                         : json(nullptr)},
                  {"armed", l.o->armed},
                  {"need_by", l.o->armed ? json(FormatRfc3339(item.need_by)) : json(nullptr)},
                  {"state", std::string(rules::ItemStateName(l.state))},
                  {"expected_run", item.expected},
                  {"paused", item.paused},
                  {"why", l.o->why}};
        if (l.recorded) j["recorded_state"] = std::string(rules::ItemStateName(l.recorded->state));
        items.push_back(std::move(j));
      }
      out_instances.push_back({{"name", instance.name}, {"dag_id", options.dag_id},
                               {"items", std::move(items)}});
      continue;
    }
    std::printf("instance %s, DAG %s: %zu item(s)\n", instance.name.c_str(),
                options.dag_id.c_str(), lines.size());
    if (lines.empty()) {
      std::printf("  no rule applies to this DAG%s (or it has no runs in the last %s)\n",
                  instance.airflow_native ? "" : " and airflow_native is off",
                  Seconds(instance.horizon).c_str());
    }
    for (const Line& l : lines) {
      const rules::Item& item = l.o->item;
      std::printf("\n  rule %s", item.key.rule.c_str());
      if (!item.key.run_id.empty()) std::printf(", run %s", item.key.run_id.c_str());
      if (!item.key.task_id.empty()) std::printf(", task %s", item.key.task_id.c_str());
      if (!item.key.slot.empty()) std::printf(", slot %s", item.key.slot.c_str());
      std::printf("\n    reference: %s%s\n", item.reference.c_str(),
                  item.reference_time ? (" = " + FormatRfc3339(*item.reference_time)).c_str() : "");
      if (l.o->armed) std::printf("    need-by:   %s\n", FormatRfc3339(item.need_by).c_str());
      std::printf("    state:     %s%s\n", StateText(l, now).c_str(),
                  item.paused ? " [DAG paused: reported, not alerted]" : "");
      if (l.recorded) {
        std::printf("    recorded:  %s\n",
                    std::string(rules::ItemStateName(l.recorded->state)).c_str());
      }
      std::printf("    why:       %s\n", l.o->why.c_str());
    }
  }
  if (options.format == "json") {
    std::cout << json({{"instances", std::move(out_instances)}}).dump(2) << "\n";
  }
  if (rc == 0 && !found_any) return 1;
  return rc;
}

}  // namespace slayer::cli

#include "notify/router.h"

#include <algorithm>
#include <chrono>

#include "common/ascii.h"

namespace slayer::notify {
namespace {

using rules::Item;
using rules::ItemState;

double Seconds(Duration d) {
  return std::chrono::duration<double>(std::max(d, Duration::zero())).count();
}

// The notification an item change causes, if any.
std::optional<EventKind> KindOf(const Item& item, std::optional<ItemState> from,
                                const config::Rule& rule) {
  if (from && *from == item.state) return std::nullopt;
  switch (item.state) {
    case ItemState::kMissed:
      return EventKind::kMissed;
    case ItemState::kMetLate:
      return EventKind::kRecovered;
    case ItemState::kAbandoned:
      if (rule.on_failure == config::OnFailure::kIgnore) return std::nullopt;
      return EventKind::kAbandoned;
    case ItemState::kAtRisk:
      if (!rule.at_risk) return std::nullopt;
      return EventKind::kAtRisk;
    case ItemState::kPending:
    case ItemState::kMet:
      return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace

Result<std::shared_ptr<const Router>> Router::Make(const config::Config& config) {
  std::shared_ptr<Router> router(new Router());
  for (const config::Rule& rule : config.rules) router->rules_.emplace(rule.name, rule);
  for (const config::Channel& channel : config.channels) {
    router->channels_.emplace(channel.name, channel);
  }
  for (const config::AirflowInstance& instance : config.airflow) {
    std::string url = instance.airflow_url;
    while (!url.empty() && url.back() == '/') url.pop_back();
    if (!url.empty()) router->airflow_urls_.emplace(instance.name, std::move(url));
  }
  for (size_t i = 0; i < config.silences.size(); ++i) {
    const config::Silence& silence = config.silences[i];
    auto cron = cron::CronExpression::Parse(silence.cron);
    if (!cron) return cron.error().WithContext("silence #" + std::to_string(i + 1));
    auto schedule = cron::ZonedSchedule::Make(std::move(*cron), silence.timezone);
    if (!schedule) return schedule.error().WithContext("silence #" + std::to_string(i + 1));
    router->silences_.push_back({silence, std::move(*schedule)});
  }
  return std::shared_ptr<const Router>(std::move(router));
}

std::optional<size_t> Router::ActiveSilence(std::string_view dag_id, const DagContext& dag,
                                            Timestamp now) const {
  static const std::vector<std::string> kNoTags;
  const std::vector<std::string>& tags = dag.tags ? *dag.tags : kNoTags;
  for (size_t i = 0; i < silences_.size(); ++i) {
    const CompiledSilence& s = silences_[i];
    if (!s.silence.match.Matches(dag_id, tags, dag.owners)) continue;
    // The latest window start at or before now covers now if any does (all last as long).
    std::optional<Timestamp> start = s.schedule.Prev(now + Duration(1));
    if (start && now < *start + s.silence.duration) return i + 1;
  }
  return std::nullopt;
}

std::string Router::AirflowLink(const rules::ItemKey& key, int airflow_major) const {
  auto base = airflow_urls_.find(key.instance);
  if (base == airflow_urls_.end()) return "";
  std::string url = base->second + "/dags/" + PercentEncode(key.dag_id);
  if (airflow_major >= 3) {
    if (!key.run_id.empty()) {
      url += "/runs/" + PercentEncode(key.run_id);
      if (!key.task_id.empty()) url += "/tasks/" + PercentEncode(key.task_id);
    }
    return url;
  }
  url += "/grid";
  if (!key.run_id.empty()) {
    url += "?dag_run_id=" + PercentEncode(key.run_id);
    if (!key.task_id.empty()) url += "&task_id=" + PercentEncode(key.task_id);
  }
  return url;
}

Event Router::MakeEvent(const Item& item, EventKind kind, std::optional<ItemState> from,
                        int airflow_major, Timestamp now) const {
  Event e;
  e.item_key = item.key.ToString();
  e.key = e.item_key + "#" + std::string(EventKindName(kind));
  e.kind = kind;
  e.instance = item.key.instance;
  e.rule = item.key.rule;
  e.severity = item.severity;
  e.dag_id = item.key.dag_id;
  e.run_id = item.key.run_id;
  e.task_id = item.key.task_id;
  e.logical_date = item.logical_date;
  e.need_by = item.need_by;
  switch (kind) {
    case EventKind::kMissed:
      e.event_time = item.missed_at.value_or(now);
      break;
    case EventKind::kRecovered:
      e.event_time = item.done_at.value_or(now);
      e.lateness_seconds = Seconds(item.lateness());
      break;
    case EventKind::kAbandoned:
      e.event_time = item.done_at.value_or(now);
      e.was_missed = from == ItemState::kMissed;
      break;
    case EventKind::kAtRisk:
      e.event_time = now;
      break;
  }
  if (kind != EventKind::kRecovered) e.overdue_seconds = Seconds(e.event_time - item.need_by);
  if (auto rule = rules_.find(item.key.rule); rule != rules_.end()) e.labels = rule->second.labels;
  e.url = AirflowLink(item.key, airflow_major);
  return e;
}

Routed Router::Route(const Item& item, std::optional<ItemState> from, const DagContext& dag,
                     Timestamp now) const {
  Routed routed;
  auto rule = rules_.find(item.key.rule);
  if (rule == rules_.end() || rule->second.notify.empty()) return routed;
  std::optional<EventKind> kind = KindOf(item, from, rule->second);
  if (!kind) return routed;

  std::string why;
  if (item.paused && !rule->second.alert_when_paused) {
    why = "paused DAG";
  } else if (std::optional<size_t> silence = ActiveSilence(item.key.dag_id, dag, now)) {
    why = "silence #" + std::to_string(*silence);
  }
  const Event event = MakeEvent(item, *kind, from, dag.airflow_major, now);
  std::string payload;
  for (const std::string& name : rule->second.notify) {
    auto channel = channels_.find(name);
    if (channel == channels_.end()) continue;  // a ValidatedConfig has none such
    if (*kind == EventKind::kRecovered && !channel->second.send_resolved) continue;
    if (!why.empty()) {
      routed.suppressed.push_back({name, *kind, why});
      continue;
    }
    if (payload.empty()) payload = EventToJson(event);
    store::OutboxEvent out;
    out.channel = name;
    out.event_key = event.key;
    out.kind = std::string(EventKindName(*kind));
    out.item = item.key;
    out.payload = payload;
    // A recovery follows its miss: where the miss was not sent (silenced, paused), neither is
    // the recovery. A late finish whose miss was never declared is sent on its own.
    if (*kind == EventKind::kRecovered && from == ItemState::kMissed) {
      out.only_after_kind = std::string(EventKindName(EventKind::kMissed));
    }
    routed.events.push_back(std::move(out));
  }
  return routed;
}

}  // namespace slayer::notify

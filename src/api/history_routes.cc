#include "api/history_routes.h"

#include <charconv>
#include <initializer_list>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "api/query_params.h"
#include "insights/display_zone.h"
#include "insights/health_report.h"
#include "insights/health_report_format.h"
#include "insights/history_query.h"
#include "insights/incidents.h"
#include "insights/incidents_json.h"
#include "insights/report.h"
#include "insights/report_json.h"
#include "insights/time_bound.h"
#include "store/store.h"

namespace slayer::api {
namespace {

constexpr size_t kDefaultIncidentLimit = 1000;
constexpr size_t kMaxIncidentLimit = 10000;

// A parsed request, or the 400 that answers it.
template <typename T>
struct Parsed {
  std::optional<T> value;
  std::optional<HttpResponse> error;
};

// since, until, dag_id and rule, shared by both endpoints.
Parsed<insights::HistoryFilter> ParseFilter(const HttpRequest& request, Timestamp now) {
  insights::HistoryFilter filter;
  filter.since = now - std::chrono::days(30);
  filter.until = now;
  if (auto e = ReadTimeBound(request, "since", now, &filter.since)) return {std::nullopt, e};
  if (auto e = ReadTimeBound(request, "until", now, &filter.until)) return {std::nullopt, e};
  if (filter.since >= filter.until) {
    return {std::nullopt,
            BadParameter("since", "must be before until (" + FormatRfc3339(filter.until) + ")")};
  }
  if (auto e = ReadGlob(request, "dag_id", &filter.dag_id)) return {std::nullopt, e};
  filter.rule = std::string(request.FindQuery("rule").value_or(""));
  return {std::move(filter), std::nullopt};
}

// The store, or the 503 that says why there is none.
Parsed<store::Store*> StoreOf(const HistoryAccess& history) {
  store::Store* store = history.store ? history.store() : nullptr;
  if (store == nullptr) {
    return {std::nullopt,
            JsonError(503,
                      "no history store is open: history endpoints need `storage:` in the "
                      "config (or --storage.path) and a started `slayer serve`")};
  }
  return {store, std::nullopt};
}

HttpResponse StoreError(const Status& status) {
  return JsonError(status.code() == StatusCode::kUnavailable ? 503 : 500, status.message());
}

}  // namespace

HttpHandler ReportHandler(HistoryAccess history, const Clock& clock) {
  return [history = std::move(history), &clock](const HttpRequest& request) {
    if (auto e = CheckKnownParameters(request, {"since", "until", "dag_id", "rule", "group_by"}))
      return *e;
    Parsed<insights::HistoryFilter> filter = ParseFilter(request, NowSeconds(clock));
    if (filter.error) return *filter.error;
    insights::ReportOptions options;
    options.since = filter.value->since;
    options.until = filter.value->until;
    if (auto g = request.FindQuery("group_by"); g && !g->empty()) {
      std::optional<insights::GroupBy> group_by = insights::ParseGroupBy(*g);
      if (!group_by) {
        return BadParameter("group_by", "must be dag, rule or task, not '" + std::string(*g) + "'");
      }
      options.group_by = *group_by;
    }
    const std::string zone_name = history.display_timezone ? history.display_timezone() : "UTC";
    Result<insights::DisplayZone> zone = insights::DisplayZone::Make(zone_name);
    if (!zone) return JsonError(500, "display_timezone: " + zone.error().message());
    options.zone = *zone;
    Parsed<store::Store*> store = StoreOf(history);
    if (store.error) return *store.error;
    Result<std::vector<rules::Item>> items = insights::ReadHistory(**store.value, *filter.value);
    if (!items) return StoreError(items.error());
    return HttpResponse::Json(200, insights::ReportJson(insights::BuildReport(*items, options)));
  };
}

HttpHandler IncidentsHandler(HistoryAccess history, const Clock& clock) {
  return [history = std::move(history), &clock](const HttpRequest& request) {
    if (auto e =
            CheckKnownParameters(request, {"since", "until", "dag_id", "rule", "state", "limit"})) {
      return *e;
    }
    const Timestamp now = NowSeconds(clock);
    Parsed<insights::HistoryFilter> filter = ParseFilter(request, now);
    if (filter.error) return *filter.error;
    insights::IncidentOptions options;
    options.since = filter.value->since;
    options.until = filter.value->until;
    options.now = clock.Now();
    options.limit = kDefaultIncidentLimit;
    if (auto states = request.FindQuery("state"); states && !states->empty()) {
      std::string_view rest = *states;
      while (!rest.empty()) {
        const size_t comma = rest.find(',');
        const std::string_view name = rest.substr(0, comma);
        rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
        std::optional<rules::ItemState> state = rules::ParseItemState(name);
        if (!state ||
            (*state != rules::ItemState::kMissed && *state != rules::ItemState::kMetLate &&
             *state != rules::ItemState::kAbandoned)) {
          return BadParameter("state",
                              "must be missed, met_late or abandoned (or a "
                              "comma-separated list of them), not '" +
                                  std::string(name) + "'");
        }
        options.states.push_back(*state);
      }
    }
    if (auto limit = request.FindQuery("limit"); limit && !limit->empty()) {
      size_t n = 0;
      auto [end, ec] = std::from_chars(limit->data(), limit->data() + limit->size(), n);
      if (ec != std::errc() || end != limit->data() + limit->size() || n < 1 ||
          n > kMaxIncidentLimit) {
        return BadParameter("limit", "must be a whole number from 1 to " +
                                         std::to_string(kMaxIncidentLimit) + ", not '" +
                                         std::string(*limit) + "'");
      }
      options.limit = n;
    }
    Parsed<store::Store*> store = StoreOf(history);
    if (store.error) return *store.error;
    Result<std::vector<rules::Item>> items = insights::ReadHistory(**store.value, *filter.value);
    if (!items) return StoreError(items.error());
    return HttpResponse::Json(200,
                              insights::IncidentsJson(insights::BuildIncidents(*items, options)));
  };
}

HttpHandler HealthHandler(HistoryAccess history, const Clock& clock) {
  return [history = std::move(history), &clock](const HttpRequest& request) {
    if (auto e = CheckKnownParameters(request, {"since", "until", "instance"})) return *e;
    const Timestamp now = NowSeconds(clock);
    Timestamp until = now;
    if (auto e = ReadTimeBound(request, "until", now, &until)) return *e;
    std::vector<insights::UptimeWindow> windows = insights::DefaultUptimeWindows(until);
    if (auto text = request.FindQuery("since"); text && !text->empty()) {
      Result<Timestamp> since = insights::ParseTimeBound(*text, now);
      if (!since) return BadParameter("since", since.error().message());
      if (*since >= until) {
        return BadParameter("since", "must be before until (" + FormatRfc3339(until) + ")");
      }
      windows = {{std::string(*text), *since, until}};
    }
    Parsed<store::Store*> store = StoreOf(history);
    if (store.error) return *store.error;
    Result<insights::HealthReport> report = insights::ReadHealthReport(
        **store.value, std::move(windows), request.FindQuery("instance").value_or(""));
    if (!report) return StoreError(report.error());
    return HttpResponse::Json(200, insights::HealthReportJson(*report));
  };
}

}  // namespace slayer::api

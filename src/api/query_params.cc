#include "api/query_params.h"

#include <nlohmann/json.hpp>

#include "common/edit_distance.h"
#include "insights/time_bound.h"

namespace slayer::api {

HttpResponse JsonError(int status, const std::string& message) {
  return HttpResponse::Json(status, nlohmann::ordered_json{{"error", message}}.dump());
}

HttpResponse BadParameter(std::string_view name, const std::string& message) {
  return HttpResponse::Json(400,
                            nlohmann::ordered_json{{"error", std::string(name) + ": " + message},
                                                   {"parameter", std::string(name)}}
                                .dump());
}

std::optional<HttpResponse> CheckKnownParameters(const HttpRequest& request,
                                                 std::initializer_list<std::string_view> known) {
  for (const auto& [name, value] : request.query) {
    bool ok = false;
    std::string_view nearest;
    size_t best = 4;  // suggest only close names: group -> group_by, dag -> dag_id
    for (std::string_view k : known) {
      if (k == name) ok = true;
      if (const size_t d = EditDistance(name, k); d < best) {
        best = d;
        nearest = k;
      }
    }
    if (ok) continue;
    std::string list;
    for (std::string_view k : known) list += (list.empty() ? "" : ", ") + std::string(k);
    std::string message = "unknown parameter";
    if (!nearest.empty()) message += " (did you mean " + std::string(nearest) + "?)";
    return BadParameter(name, message + "; known: " + list);
  }
  return std::nullopt;
}

std::optional<HttpResponse> ReadTimeBound(const HttpRequest& request, std::string_view name,
                                          Timestamp now, Timestamp* out) {
  std::optional<std::string_view> text = request.FindQuery(name);
  if (!text || text->empty()) return std::nullopt;
  Result<Timestamp> t = insights::ParseTimeBound(*text, now);
  if (!t) return BadParameter(name, t.error().message());
  *out = *t;
  return std::nullopt;
}

std::optional<HttpResponse> ReadGlob(const HttpRequest& request, std::string_view name,
                                     std::optional<Glob>* out) {
  std::optional<std::string_view> text = request.FindQuery(name);
  if (!text || text->empty()) return std::nullopt;
  Result<Glob> glob = Glob::Compile(*text);
  if (!glob) return BadParameter(name, glob.error().message());
  *out = std::move(*glob);
  return std::nullopt;
}

Timestamp NowSeconds(const Clock& clock) {
  return std::chrono::floor<std::chrono::seconds>(clock.Now());
}

}  // namespace slayer::api

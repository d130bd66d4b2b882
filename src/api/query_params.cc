#include "api/query_params.h"

#include <nlohmann/json.hpp>

#include "common/edit_distance.h"

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

Timestamp NowSeconds(const Clock& clock) {
  return std::chrono::floor<std::chrono::seconds>(clock.Now());
}

}  // namespace slayer::api

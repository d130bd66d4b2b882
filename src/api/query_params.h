// Helpers shared by the JSON API handlers that take query parameters (report, incidents,
// health, tasks): JSON error replies that name the parameter, and the check for parameters an
// endpoint does not know. Pure; thread-safe.
#pragma once

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include "api/http_server.h"
#include "common/clock.h"
#include "common/time.h"

namespace slayer::api {

// A JSON reply {"error": message} with `status`.
HttpResponse JsonError(int status, const std::string& message);

// 400 {"error": "<name>: <message>", "parameter": "<name>"}.
HttpResponse BadParameter(std::string_view name, const std::string& message);

// 400 for the first parameter of `request` not in `known`, with the nearest known name as a
// hint ("unknown parameter (did you mean group_by?); known: ..."): a misspelt parameter silently
// ignored would answer another question. std::nullopt when all are known.
std::optional<HttpResponse> CheckKnownParameters(const HttpRequest& request,
                                                 std::initializer_list<std::string_view> known);

// The clock's time in whole seconds, so that windows derived from it read back as given.
Timestamp NowSeconds(const Clock& clock);

}  // namespace slayer::api

// Helpers shared by the JSON API handlers that take query parameters (report, incidents,
// health, tasks): JSON error replies that name the parameter, the check for parameters an
// endpoint does not know, time bounds and globs. Pure; thread-safe.
#pragma once

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include "api/http_server.h"
#include "common/clock.h"
#include "common/glob.h"
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

// Reads the time bound in parameter `name` (a duration back from `now` or an RFC 3339 instant,
// as insights::ParseTimeBound reads it) into `*out`, which keeps its value when the parameter is
// absent or empty. The 400 that names the parameter when it cannot be read.
std::optional<HttpResponse> ReadTimeBound(const HttpRequest& request, std::string_view name,
                                          Timestamp now, Timestamp* out);

// Reads the DAG id glob in parameter `name` into `*out`, which keeps its value when the parameter
// is absent or empty. The 400 that names the parameter when it is not a valid glob.
std::optional<HttpResponse> ReadGlob(const HttpRequest& request, std::string_view name,
                                     std::optional<Glob>* out);

// The clock's time in whole seconds, so that windows derived from it read back as given.
Timestamp NowSeconds(const Clock& clock);

}  // namespace slayer::api

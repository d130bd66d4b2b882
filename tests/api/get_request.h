// Test helper for the API handler tests: a GET request as the HTTP server hands it to a handler.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <utility>

#include "api/http_server.h"

namespace slayer::api {

// GET `path` (percent-decoded) with the query parameters `query`.
inline HttpRequest GetRequest(std::string path,
                              std::multimap<std::string, std::string, std::less<>> query) {
  HttpRequest r;
  r.method = "GET";
  r.path = std::move(path);
  r.query = std::move(query);
  return r;
}

}  // namespace slayer::api

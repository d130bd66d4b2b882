// HttpServer: the HTTP server behind /metrics, /-/ endpoints and the JSON API, as a small
// interface so that the library serving it stays at the edge (the adapter is httplib_server.h).
// HttpRequest and HttpResponse are plain values. Handlers run concurrently on the server's
// threads, so they must be thread-safe.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/ascii.h"
#include "common/status.h"

namespace slayer::api {

// HTTP compares header names and tokens ("gzip") ignoring ASCII case.
using slayer::EqualsIgnoreCase;

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string path;    // percent-decoded, without the query: "/api/v1/incidents"
  // Query parameters, percent-decoded ('+' as space), in order; a name may repeat.
  std::multimap<std::string, std::string, std::less<>> query;
  // Request headers as received; look them up with FindHeader (names are case-insensitive).
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string remote_address;  // "127.0.0.1:51234", "[::1]:51234"

  // The first value of header `name` (compared case-insensitively), or nullopt.
  std::optional<std::string_view> FindHeader(std::string_view name) const;
  // The first value of query parameter `name`, or nullopt.
  std::optional<std::string_view> FindQuery(std::string_view name) const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  // Extra response headers. Content-Type and Content-Length are set from the fields above.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  static HttpResponse Text(int status, std::string body);
  // `body` must be a JSON document; the content type is application/json.
  static HttpResponse Json(int status, std::string body);
};

using HttpHandler = std::function<HttpResponse(const HttpRequest& request)>;

class HttpServer {
 public:
  virtual ~HttpServer() = default;

  // Routes `method` ("GET", "POST", ...) requests for `path` to `handler`, replacing an earlier
  // route for the same pair. `path` is matched exactly, except that a path ending in "/*"
  // ("/static/*") matches every path below that prefix; an exact route wins over a prefix, and
  // the longer prefix wins. GET routes also answer HEAD. May be called before or after Start().
  // Other requests get 404, or 405 with an Allow header when the path has routes for other
  // methods; under /api/ both come with a JSON body. See router.h.
  virtual void Handle(std::string method, std::string path, HttpHandler handler) = 0;

  // Binds the listen address and starts serving on the server's threads; returns once requests
  // are accepted. Errors (kUnavailable) name the address: in use, not local, permission denied.
  // Fails with kFailedPrecondition when called twice.
  virtual Status Start() = 0;

  // Stops accepting connections and returns once requests in flight have been answered. Idle
  // keep-alive connections are closed after at most the keep-alive timeout. Idempotent; a no-op
  // before Start(). The server cannot be started again.
  virtual void Stop() = 0;

  // The bound port after a successful Start() (the chosen one for port 0), else the configured
  // port.
  virtual int port() const = 0;
};

}  // namespace slayer::api

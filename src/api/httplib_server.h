// The HttpServer adapter on cpp-httplib (Debian's libcpp-httplib, built with OpenSSL): a fixed
// thread pool, TLS and client certificates from the web config, basic auth, the web config's
// extra headers, gzip for large bodies when the client accepts it, and a debug-level access log.
// httplib stays behind this header: nothing here includes it.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "api/http_server.h"
#include "api/web_config.h"
#include "common/clock.h"
#include "common/result.h"

namespace slayer::api {

struct HttpServerOptions {
  // --web.listen-address: see ParseListenAddress. ":0" picks a free port (see port()).
  std::string listen_address = ":9469";
  // Worker threads. Each serves one connection at a time, including its keep-alive wait, so this
  // bounds concurrent connections; more are queued. Default 8.
  int threads = 8;
  // TLS, basic auth and extra headers (--web.config.file). Default: plain HTTP, no auth.
  WebConfig web_config;
  // Bodies of at least this many bytes are gzipped when the client accepts gzip. Default 1 KiB.
  size_t gzip_min_bytes = 1024;
  // How long an idle keep-alive connection is kept; also bounds how long Stop() waits for one.
  // Default 5s.
  std::chrono::seconds keep_alive_timeout{5};
  // Per read and per write on a connection (also the TLS handshake). Default 5s each.
  std::chrono::seconds read_timeout{5};
  std::chrono::seconds write_timeout{5};
  // Requests with a larger body get 413. Default 1 MiB.
  size_t max_request_body_bytes = 1 << 20;
  // How long a successful basic-auth check is remembered. Default 60s.
  std::chrono::seconds auth_cache_ttl{60};
  // For the basic-auth cache; nullptr: the system clock. Must outlive the server.
  const Clock* clock = nullptr;
};

// Validates the options: the listen address, and with TLS the certificate, key, CA file, cipher
// suites and curves (loaded now, so a bad file fails at start, not at the first connection).
// Errors are kInvalidArgument naming the flag value or file. The socket is bound by Start().
Result<std::unique_ptr<HttpServer>> NewHttplibServer(HttpServerOptions options);

}  // namespace slayer::api

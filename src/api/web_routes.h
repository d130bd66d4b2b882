// The web page of `slayer serve` (SPEC section 6, docs/web.md): GET / and GET /static/*, served
// from the files embedded in the binary (web/assets.h). The page is revalidated on every load
// (ETag, Cache-Control: no-cache); the files under static/ carry a content hash in their names
// and are cached for a year. Bodies come gzipped when the client accepts gzip, compressed once
// at registration. The handlers are thread-safe.
#pragma once

#include <string_view>

#include "api/http_server.h"

namespace slayer::api {

// Routes GET "/" and "/static/*" on `server`. The page links the metrics at `telemetry_path`
// (--web.telemetry-path) relative to itself, like every other link in it, so that it works
// below a path prefix.
void RegisterWebRoutes(HttpServer& server, std::string_view telemetry_path);

}  // namespace slayer::api

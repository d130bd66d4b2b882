// The files of the web page at `/` (docs/web.md): web/index.html, app.js and style.css, and the
// charting library from the npm packages pinned in web/package-lock.json, embedded in the binary
// at build time (embed_web.cmake). Immutable data; thread-safe.
#pragma once

#include <span>
#include <string_view>

namespace slayer::web {

struct Asset {
  // Below the page's own URL, without a leading '/': "index.html" for the page, and for every
  // other file "static/<stem>.<12 hex digits of its SHA-256>.<ext>" ("static/app.1f2e3d4c5b6a.js"),
  // the name the page refers to it by.
  std::string_view path;
  std::string_view content_type;  // "text/javascript; charset=utf-8"
  std::string_view body;
  // The name carries a hash of the body, so the bytes at this path never change: clients may
  // cache it for good. False for the page, which keeps its name across versions.
  bool immutable = false;
};

// Every embedded file, the page first.
std::span<const Asset> Assets();

// The page, index.html. Its links to the other files are relative ("static/app.<hash>.js"), so
// it works below a path prefix. It holds the placeholder kTelemetryPathPlaceholder where the
// link to the metrics belongs.
const Asset& Page();

// The file at `path` ("static/app.1f2e3d4c5b6a.js", no leading '/'), or nullptr.
const Asset* FindAsset(std::string_view path);

// Stands in the page for the relative URL of --web.telemetry-path ("metrics" for "/metrics").
inline constexpr std::string_view kTelemetryPathPlaceholder = "{{telemetry_path}}";

}  // namespace slayer::web

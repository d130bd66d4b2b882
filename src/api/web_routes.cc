#include "api/web_routes.h"

#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "api/gzip.h"
#include "common/log.h"
#include "common/markup_escape.h"
#include "web/assets.h"

namespace slayer::api {
namespace {

// A year, the customary maximum (HTTP/1.1 once capped Expires at a year ahead).
constexpr std::string_view kImmutableCacheControl = "public, max-age=31536000, immutable";
// The page may change with every upgrade, so a cache must ask first (and gets a 304).
constexpr std::string_view kPageCacheControl = "no-cache";
// The page loads nothing but its own files and the JSON API of the same server.
constexpr std::string_view kPageSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'";

// One file as served: both encodings and their validators, prepared once.
struct ServedFile {
  std::string content_type;
  std::string_view cache_control;
  bool page = false;
  std::string body;
  std::string etag;                    // "\"<16 hex digits>\"" of body
  std::optional<std::string> gzipped;  // when gzip makes it smaller
  std::string gzip_etag;               // etag with "-gzip" before the closing quote
};

// FNV-1a, 64 bits: a validator, not a defence, so any stable hash of the bytes will do.
uint64_t Fnv1a64(std::string_view data) {
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : data) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

std::string EtagOf(std::string_view body) {
  char buf[24];
  std::snprintf(buf, sizeof(buf), "\"%016llx\"", static_cast<unsigned long long>(Fnv1a64(body)));
  return buf;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// If-None-Match (RFC 9110 13.1.2): "*", or a list of entity tags compared weakly (a "W/"
// prefix does not matter) with either encoding's tag: a cached gzip body is as fresh as the
// identity one.
bool NoneMatch(std::string_view header, const ServedFile& file) {
  while (!header.empty()) {
    const size_t comma = header.find(',');
    std::string_view tag = Trim(header.substr(0, comma));
    header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
    if (tag == "*") return true;
    if (tag.starts_with("W/")) tag.remove_prefix(2);
    if (tag == file.etag || (file.gzipped && tag == file.gzip_etag)) return true;
  }
  return false;
}

HttpResponse Serve(const ServedFile& file, const HttpRequest& request) {
  const bool gzip = file.gzipped && AcceptsGzip(request.FindHeader("Accept-Encoding").value_or(""));
  HttpResponse r;
  r.content_type = file.content_type;
  r.headers = {{"ETag", gzip ? file.gzip_etag : file.etag},
               {"Cache-Control", std::string(file.cache_control)},
               {"X-Content-Type-Options", "nosniff"}};
  if (file.gzipped) r.headers.emplace_back("Vary", "Accept-Encoding");
  if (file.page) {
    r.headers.emplace_back("Content-Security-Policy", std::string(kPageSecurityPolicy));
    r.headers.emplace_back("Referrer-Policy", "same-origin");
  }
  if (auto tags = request.FindHeader("If-None-Match"); tags && NoneMatch(*tags, file)) {
    r.status = 304;
    return r;
  }
  if (gzip) {
    r.headers.emplace_back("Content-Encoding", "gzip");
    r.body = *file.gzipped;
  } else {
    r.body = file.body;
  }
  return r;
}

ServedFile Prepare(const web::Asset& asset, std::string body) {
  ServedFile file;
  file.content_type = std::string(asset.content_type);
  file.cache_control = asset.immutable ? kImmutableCacheControl : kPageCacheControl;
  file.page = !asset.immutable;
  file.etag = EtagOf(body);
  file.gzip_etag = file.etag.substr(0, file.etag.size() - 1) + "-gzip\"";
  if (Result<std::string> gz = GzipCompress(body); gz && gz->size() < body.size()) {
    file.gzipped = std::move(*gz);
  } else if (!gz) {
    LogWarn("cannot gzip a web page file", {{"path", asset.path}, {"err", gz.error().message()}});
  }
  file.body = std::move(body);
  return file;
}

// `path` relative to the page at "/" ("/metrics" -> "metrics"), escaped for an HTML attribute.
std::string RelativeLink(std::string_view path) {
  while (path.starts_with('/')) path.remove_prefix(1);
  return path.empty() ? "./" : EscapeHtml(path);
}

}  // namespace

void RegisterWebRoutes(HttpServer& server, std::string_view telemetry_path) {
  std::string page(web::Page().body);
  const std::string link = RelativeLink(telemetry_path);
  for (size_t at = page.find(web::kTelemetryPathPlaceholder); at != std::string::npos;
       at = page.find(web::kTelemetryPathPlaceholder, at + link.size())) {
    page.replace(at, web::kTelemetryPathPlaceholder.size(), link);
  }
  auto served_page = std::make_shared<const ServedFile>(Prepare(web::Page(), std::move(page)));
  server.Handle("GET", "/",
                [served_page](const HttpRequest& request) { return Serve(*served_page, request); });

  // Everything else by path; the page's entry (index.html) is not among them.
  auto files = std::make_shared<std::vector<std::pair<std::string, ServedFile>>>();
  for (const web::Asset& asset : web::Assets()) {
    if (!asset.immutable) continue;
    files->emplace_back("/" + std::string(asset.path), Prepare(asset, std::string(asset.body)));
  }
  server.Handle("GET", "/static/*", [files](const HttpRequest& request) {
    for (const auto& [path, file] : *files) {
      if (path == request.path) return Serve(file, request);
    }
    return HttpResponse::Text(404, "404 page not found\n");
  });
}

}  // namespace slayer::api

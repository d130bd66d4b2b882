// Gzip response compression: content negotiation and the compressor (zlib). Pure functions;
// thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"

namespace slayer::api {

// True when an Accept-Encoding header value admits gzip: "gzip", "x-gzip" or "*" with a q-value
// above 0 ("gzip;q=0" refuses it, and an explicit gzip entry wins over "*").
bool AcceptsGzip(std::string_view accept_encoding);

// `data` as one gzip member (RFC 1952), compressed for speed: a scrape's latency matters more
// than its bytes. kInternal only when zlib fails (out of memory).
Result<std::string> GzipCompress(std::string_view data);

}  // namespace slayer::api

#include "api/gzip.h"

#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <limits>

#include "api/http_server.h"

namespace slayer::api {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The q-value of one "coding;q=0.5;..." element: 1 when absent, 0 when unreadable.
double QValue(std::string_view params) {
  while (!params.empty()) {
    size_t semi = params.find(';');
    std::string_view param = Trim(params.substr(0, semi));
    params = semi == std::string_view::npos ? std::string_view() : params.substr(semi + 1);
    if (param.size() < 2 || std::tolower(static_cast<unsigned char>(param[0])) != 'q' ||
        param[1] != '=') {
      continue;
    }
    std::string_view value = Trim(param.substr(2));
    double q = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), q);
    if (ec != std::errc() || end != value.data() + value.size()) return 0;
    return q;
  }
  return 1;
}

}  // namespace

bool AcceptsGzip(std::string_view accept_encoding) {
  double gzip_q = -1;
  double star_q = -1;
  while (!accept_encoding.empty()) {
    size_t comma = accept_encoding.find(',');
    std::string_view element = accept_encoding.substr(0, comma);
    accept_encoding =
        comma == std::string_view::npos ? std::string_view() : accept_encoding.substr(comma + 1);
    size_t semi = element.find(';');
    std::string_view coding = Trim(element.substr(0, semi));
    double q = semi == std::string_view::npos ? 1 : QValue(element.substr(semi + 1));
    if (EqualsIgnoreCase(coding, "gzip") || EqualsIgnoreCase(coding, "x-gzip")) {
      gzip_q = std::max(gzip_q, q);
    } else if (coding == "*") {
      star_q = std::max(star_q, q);
    }
  }
  if (gzip_q >= 0) return gzip_q > 0;
  return star_q > 0;
}

Result<std::string> GzipCompress(std::string_view data) {
  // zlib counts in uInt: feed and drain it in pieces of at most 1 GiB.
  constexpr size_t kMaxPiece = size_t{1} << 30;
  z_stream stream{};
  // windowBits 15 + 16: a gzip header and trailer rather than zlib's.
  if (deflateInit2(&stream, Z_BEST_SPEED, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    return InternalError("gzip: cannot initialise zlib");
  }
  std::string out(deflateBound(&stream, static_cast<uLong>(data.size())), '\0');
  size_t in_pos = 0;
  size_t out_pos = 0;
  int rc = Z_OK;
  while (rc == Z_OK) {
    if (stream.avail_in == 0) {
      size_t piece = std::min(data.size() - in_pos, kMaxPiece);
      stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data() + in_pos));
      stream.avail_in = static_cast<uInt>(piece);
      in_pos += piece;
    }
    if (out_pos == out.size()) out.resize(out.size() * 2 + 64);
    size_t room = std::min(out.size() - out_pos, kMaxPiece);
    stream.next_out = reinterpret_cast<Bytef*>(out.data() + out_pos);
    stream.avail_out = static_cast<uInt>(room);
    rc = deflate(&stream, in_pos == data.size() ? Z_FINISH : Z_NO_FLUSH);
    out_pos += room - stream.avail_out;
  }
  deflateEnd(&stream);
  if (rc != Z_STREAM_END) return InternalError("gzip: compression failed");
  out.resize(out_pos);
  return out;
}

}  // namespace slayer::api

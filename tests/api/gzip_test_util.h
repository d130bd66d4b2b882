// Test helper: decompresses a gzip body with zlib.
#pragma once

#include <zlib.h>

#include <string>
#include <string_view>

namespace slayer::api::testing_util {

// The decompressed data, or "<gunzip failed>" when `gz` is not one whole gzip member.
inline std::string Gunzip(std::string_view gz) {
  z_stream s{};
  if (inflateInit2(&s, 15 + 16) != Z_OK) return "<gunzip failed>";
  s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(gz.data()));
  s.avail_in = static_cast<uInt>(gz.size());
  std::string out;
  char buf[16384];
  int rc = Z_OK;
  while (rc == Z_OK) {
    s.next_out = reinterpret_cast<Bytef*>(buf);
    s.avail_out = sizeof(buf);
    rc = inflate(&s, Z_NO_FLUSH);
    out.append(buf, sizeof(buf) - s.avail_out);
  }
  inflateEnd(&s);
  return rc == Z_STREAM_END && s.avail_in == 0 ? out : "<gunzip failed>";
}

}  // namespace slayer::api::testing_util

#include "sim/uuid.h"

namespace slayer::sim {

Uuid MakeUuid7(Timestamp t, Rng& rng) {
  Uuid u{};
  uint64_t ms = static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count());
  for (int i = 0; i < 6; ++i) u[i] = static_cast<uint8_t>(ms >> (40 - 8 * i));
  uint64_t a = rng.Next(), b = rng.Next();
  for (int i = 6; i < 8; ++i) u[i] = static_cast<uint8_t>(a >> (8 * i));
  for (int i = 8; i < 16; ++i) u[i] = static_cast<uint8_t>(b >> (8 * (i - 8)));
  u[6] = static_cast<uint8_t>(0x70 | (u[6] & 0x0f));  // version 7
  u[8] = static_cast<uint8_t>(0x80 | (u[8] & 0x3f));  // RFC 4122 variant
  return u;
}

std::string UuidHex(const Uuid& u) {
  static const char* hex = "0123456789abcdef";
  std::string out;
  out.reserve(32);
  for (uint8_t b : u) {
    out.push_back(hex[b >> 4]);
    out.push_back(hex[b & 15]);
  }
  return out;
}

std::string UuidWithDashes(const Uuid& u) {
  std::string h = UuidHex(u);
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) +
         "-" + h.substr(20);
}

std::optional<Uuid> ParseUuid(std::string_view text) {
  Uuid u{};
  int n = 0;
  int hi = -1;
  for (char c : text) {
    if (c == '-') continue;
    int v;
    if (c >= '0' && c <= '9')
      v = c - '0';
    else if (c >= 'a' && c <= 'f')
      v = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F')
      v = c - 'A' + 10;
    else
      return std::nullopt;
    if (hi < 0) {
      hi = v;
    } else {
      if (n >= 16) return std::nullopt;
      u[n++] = static_cast<uint8_t>(hi << 4 | v);
      hi = -1;
    }
  }
  if (n != 16 || hi >= 0) return std::nullopt;
  return u;
}

}  // namespace slayer::sim

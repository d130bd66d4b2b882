// ListenAddress: the --web.listen-address value, "host:port" as Prometheus exporters take it.
// A value type; pure functions.
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"

namespace slayer::api {

struct ListenAddress {
  // "" for all interfaces (IPv6 and IPv4); otherwise an IP literal (IPv6 without brackets) or a
  // host name to resolve.
  std::string host;
  // 0 lets the system choose a free port (tests).
  int port = 0;

  // ":9469", "127.0.0.1:9469", "[::1]:9469".
  std::string ToString() const;
};

// Parses ":9469", "0.0.0.0:9469", "127.0.0.1:9469", "[::1]:9469", "localhost:0". Errors
// (kInvalidArgument) quote the address: `listen address "9469": missing port; expected
// host:port, e.g. ":9469" or "127.0.0.1:9469"`.
Result<ListenAddress> ParseListenAddress(std::string_view text);

}  // namespace slayer::api

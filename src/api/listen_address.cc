#include "api/listen_address.h"

#include <charconv>

namespace slayer::api {
namespace {

Status Invalid(std::string_view text, std::string_view why) {
  return InvalidArgumentError("listen address \"" + std::string(text) + "\": " + std::string(why) +
                              "; expected host:port, e.g. \":9469\" or \"127.0.0.1:9469\"");
}

}  // namespace

std::string ListenAddress::ToString() const {
  std::string port_text = std::to_string(port);
  if (host.find(':') != std::string::npos) return "[" + host + "]:" + port_text;
  return host + ":" + port_text;
}

Result<ListenAddress> ParseListenAddress(std::string_view text) {
  if (text.empty()) return Invalid(text, "empty");
  ListenAddress out;
  std::string_view port;
  if (text.front() == '[') {
    size_t close = text.find(']');
    if (close == std::string_view::npos) return Invalid(text, "missing ']'");
    out.host = std::string(text.substr(1, close - 1));
    if (out.host.empty()) return Invalid(text, "empty host between '[' and ']'");
    if (out.host.find(':') == std::string::npos) {
      return Invalid(text, "brackets are for IPv6 addresses only");
    }
    std::string_view rest = text.substr(close + 1);
    if (rest.empty()) return Invalid(text, "missing port");
    if (rest.front() != ':') return Invalid(text, "unexpected text after ']'");
    port = rest.substr(1);
  } else {
    size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) return Invalid(text, "missing port");
    out.host = std::string(text.substr(0, colon));
    if (out.host.find(':') != std::string::npos) {
      return Invalid(text, "too many colons (write an IPv6 address in brackets: \"[::1]:9469\")");
    }
    if (out.host.find_first_of("[]") != std::string::npos) {
      return Invalid(text, "unexpected '[' or ']'");
    }
    port = text.substr(colon + 1);
  }
  if (port.empty()) return Invalid(text, "missing port");
  int value = -1;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (ec != std::errc() || end != port.data() + port.size() || value < 0 || value > 65535) {
    return Invalid(text, "port \"" + std::string(port) + "\" is not a number from 0 to 65535");
  }
  out.port = value;
  for (char c : out.host) {
    if (c == ' ' || c == '/' || c == '\t') return Invalid(text, "invalid host");
  }
  return out;
}

}  // namespace slayer::api

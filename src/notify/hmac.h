// HmacSha256Hex: the webhook signature (X-Slayer-Signature: sha256=<hex>, SPEC section 5), with
// OpenSSL. Pure; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace slayer::notify {

// The HMAC-SHA256 of `data` under `key`, as 64 lower-case hex digits.
std::string HmacSha256Hex(std::string_view key, std::string_view data);

}  // namespace slayer::notify

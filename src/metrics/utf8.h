// UTF-8 validation: the text format requires label values (and we require HELP text) to be valid
// UTF-8. A pure function; thread-safe.
#pragma once

#include <string_view>

namespace slayer::metrics {

// True when `text` is well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing
// above U+10FFFF). NUL characters are allowed.
bool IsValidUtf8(std::string_view text);

}  // namespace slayer::metrics

// TruncateText: cuts text to a receiver's length limit (Slack block texts, the PagerDuty summary)
// without splitting a UTF-8 character, marking the cut with "…"; CountCharacters measures it.
// Pure; thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace slayer::notify {

// The number of characters (UTF-8 code points) of `text`: its bytes that start one.
size_t CountCharacters(std::string_view text);

// `text` when it has at most `max_chars` characters (UTF-8 code points), else its first
// max_chars - 1 characters and "…". REQUIRES: max_chars >= 1.
std::string TruncateText(std::string_view text, size_t max_chars);

}  // namespace slayer::notify

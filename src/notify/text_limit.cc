#include "notify/text_limit.h"

namespace slayer::notify {
namespace {

bool StartsCharacter(char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }

// The byte offset where character number `n` (0-based) starts, or text.size().
size_t OffsetOfCharacter(std::string_view text, size_t n) {
  size_t chars = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (!StartsCharacter(text[i])) continue;
    if (chars == n) return i;
    ++chars;
  }
  return text.size();
}

}  // namespace

size_t CountCharacters(std::string_view text) {
  size_t n = 0;
  for (char c : text) n += StartsCharacter(c);
  return n;
}

std::string TruncateText(std::string_view text, size_t max_chars) {
  if (OffsetOfCharacter(text, max_chars) == text.size()) return std::string(text);
  return std::string(text.substr(0, OffsetOfCharacter(text, max_chars - 1))) + "\u2026";
}

}  // namespace slayer::notify

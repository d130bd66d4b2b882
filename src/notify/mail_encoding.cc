#include "notify/mail_encoding.h"

#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>

namespace slayer::notify {
namespace {

constexpr char kHex[] = "0123456789ABCDEF";
constexpr size_t kMaxQpLine = 76;       // RFC 2045: encoded lines of at most 76 characters
constexpr size_t kMaxHeaderLine = 78;   // RFC 5322 section 2.1.1: SHOULD
constexpr size_t kMaxEncodedLine = 76;  // RFC 2047 section 2: lines holding encoded words
constexpr size_t kMaxLine = 998;        // RFC 5322 section 2.1.1: MUST

bool IsPrintableAscii(std::string_view text) {
  for (unsigned char c : text) {
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

// True when folding at spaces cannot keep every line within the hard limit.
bool HasOverlongWord(std::string_view text, size_t first_line_used) {
  size_t run = first_line_used;
  for (char c : text) {
    run = c == ' ' ? 1 : run + 1;
    if (run > kMaxLine) return true;
  }
  return false;
}

std::string Base64(std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    uint32_t n = (uint32_t{static_cast<unsigned char>(bytes[i])} << 16) |
                 (uint32_t{static_cast<unsigned char>(bytes[i + 1])} << 8) |
                 uint32_t{static_cast<unsigned char>(bytes[i + 2])};
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += kAlphabet[n & 63];
  }
  size_t rest = bytes.size() - i;
  if (rest > 0) {
    uint32_t n = uint32_t{static_cast<unsigned char>(bytes[i])} << 16;
    if (rest == 2) n |= uint32_t{static_cast<unsigned char>(bytes[i + 1])} << 8;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += rest == 2 ? kAlphabet[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

// The length of the UTF-8 sequence that starts with `lead`; 1 for a stray byte, so that text
// which is not valid UTF-8 is still encoded (byte by byte) rather than lost.
size_t Utf8SequenceLength(unsigned char lead) {
  if (lead >= 0xf0 && lead <= 0xf7) return 4;
  if (lead >= 0xe0) return lead <= 0xef ? 3 : 1;
  if (lead >= 0xc2) return 2;
  return 1;
}

// `text` as encoded words separated by CRLF SP; the first has `first_room` characters of line
// left, the others a whole continuation line.
std::string EncodedWords(std::string_view text, size_t first_room) {
  static constexpr std::string_view kOpen = "=?UTF-8?B?";
  static constexpr std::string_view kClose = "?=";
  const size_t overhead = kOpen.size() + kClose.size();
  std::string out;
  size_t room = first_room;
  size_t pos = 0;
  while (pos < text.size()) {
    // Whole UTF-8 sequences whose base64 fits into the room (4 characters per 3 bytes), and
    // at least one sequence so that every word makes progress.
    size_t end = pos;
    while (end < text.size()) {
      size_t next = std::min(text.size(), end + Utf8SequenceLength(text[end]));
      if (end > pos && overhead + (next - pos + 2) / 3 * 4 > room) break;
      end = next;
    }
    if (!out.empty()) out += "\r\n ";
    out += kOpen;
    out += Base64(text.substr(pos, end - pos));
    out += kClose;
    pos = end;
    room = kMaxEncodedLine - 1;  // after the folding space
  }
  return out;
}

}  // namespace

std::string EncodeQuotedPrintable(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  size_t line_length = 0;
  auto emit = [&](std::string_view piece) {
    // A soft line break keeps room for the "=" that ends the line.
    if (line_length + piece.size() > kMaxQpLine - 1) {
      out += "=\r\n";
      line_length = 0;
    }
    out += piece;
    line_length += piece.size();
  };
  for (size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == '\n' || (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n')) {
      if (c == '\r') ++i;
      out += "\r\n";
      line_length = 0;
      continue;
    }
    bool at_line_end = i + 1 == text.size() || text[i + 1] == '\n' ||
                       (text[i + 1] == '\r' && i + 2 < text.size() && text[i + 2] == '\n');
    bool literal = (c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !at_line_end);
    // A line starting with "." is safe on the wire (SMTP dot-stuffs), but "From " at the start
    // of a line is mangled by some mbox tools; encode its first character.
    if (line_length == 0 && c == 'F' && text.substr(i, 5) == "From ") literal = false;
    if (literal) {
      char s[1] = {static_cast<char>(c)};
      emit(std::string_view(s, 1));
    } else {
      char s[3] = {'=', kHex[c >> 4], kHex[c & 15]};
      emit(std::string_view(s, 3));
    }
  }
  return out;
}

std::string HeaderField(std::string_view name, std::string_view value) {
  std::string out(name);
  out += ": ";
  if (!IsPrintableAscii(value) || HasOverlongWord(value, out.size())) {
    out += EncodedWords(value, out.size() < kMaxEncodedLine ? kMaxEncodedLine - out.size() : 0);
    out += "\r\n";
    return out;
  }
  // Fold at spaces: a line break goes before a space, which the continuation line starts with.
  size_t line_length = out.size();
  size_t pos = 0;
  while (pos < value.size()) {
    size_t space = value.find(' ', pos + 1);
    std::string_view word =
        value.substr(pos, space == std::string_view::npos ? value.npos : space - pos);
    if (pos > 0 && line_length + word.size() > kMaxHeaderLine) {
      out += "\r\n";
      line_length = 0;
    }
    out += word;
    line_length += word.size();
    pos += word.size();
  }
  out += "\r\n";
  return out;
}

std::string EncodeDisplayName(std::string_view name) {
  if (!IsPrintableAscii(name)) return EncodedWords(name, kMaxEncodedLine - 1);
  std::string out = "\"";
  for (char c : name) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
  return out;
}

std::string FormatRfc5322Date(Timestamp t) {
  static constexpr std::array<const char*, 7> kDays = {"Sun", "Mon", "Tue", "Wed",
                                                       "Thu", "Fri", "Sat"};
  static constexpr std::array<const char*, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  auto days = std::chrono::floor<std::chrono::days>(t);
  std::chrono::year_month_day ymd(days);
  std::chrono::weekday wd(days);
  std::chrono::hh_mm_ss hms(std::chrono::floor<std::chrono::seconds>(t - days));
  char buf[40];
  std::snprintf(buf, sizeof buf, "%s, %02u %s %04d %02d:%02d:%02d +0000", kDays[wd.c_encoding()],
                static_cast<unsigned>(ymd.day()), kMonths[static_cast<unsigned>(ymd.month()) - 1],
                static_cast<int>(ymd.year()), static_cast<int>(hms.hours().count()),
                static_cast<int>(hms.minutes().count()), static_cast<int>(hms.seconds().count()));
  return buf;
}

}  // namespace slayer::notify

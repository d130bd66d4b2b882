#include "metrics/escaping.h"

namespace slayer::metrics {

std::size_t CountLabelValueEscapes(std::string_view value) {
  std::size_t n = 0;
  for (char c : value) n += (c == '\\') | (c == '"') | (c == '\n');
  return n;
}

char* WriteEscapedLabelValue(std::string_view value, char* out) {
  for (char c : value) {
    switch (c) {
      case '\\':
        *out++ = '\\';
        *out++ = '\\';
        break;
      case '"':
        *out++ = '\\';
        *out++ = '"';
        break;
      case '\n':
        *out++ = '\\';
        *out++ = 'n';
        break;
      default:
        *out++ = c;
    }
  }
  return out;
}

std::string EscapeLabelValue(std::string_view value) {
  std::string escaped(value.size() + CountLabelValueEscapes(value), '\0');
  WriteEscapedLabelValue(value, escaped.data());
  return escaped;
}

char* WriteEscapedHelp(std::string_view help, char* out) {
  for (char c : help) {
    if (c == '\\') {
      *out++ = '\\';
      *out++ = '\\';
    } else if (c == '\n') {
      *out++ = '\\';
      *out++ = 'n';
    } else {
      *out++ = c;
    }
  }
  return out;
}

std::string EscapeHelp(std::string_view help) {
  std::string escaped(2 * help.size(), '\0');
  escaped.resize(WriteEscapedHelp(help, escaped.data()) - escaped.data());
  return escaped;
}

}  // namespace slayer::metrics

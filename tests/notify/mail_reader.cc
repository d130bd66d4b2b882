#include "notify/mail_reader.h"

#include <cctype>
#include <cstdint>
#include <vector>

namespace slayer::testing {
namespace {

std::string Base64Decode(std::string_view in) {
  static constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (char c : in) {
    size_t v = kAlphabet.find(c);
    if (v == std::string_view::npos) continue;  // '=' padding
    buffer = (buffer << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xff);
    }
  }
  return out;
}

std::vector<std::string_view> SplitCrlf(std::string_view text, std::string& problems) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    if (end < text.size()) {
      if (line.empty() || line.back() != '\r')
        problems += "bare LF; ";
      else
        line.remove_suffix(1);
    }
    if (line.size() > 998) problems += "line over 998 characters; ";
    lines.push_back(line);
    start = end + 1;
  }
  return lines;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Header lines (up to the first empty one) -> name -> unfolded value; returns the index of the
// first body line.
size_t ParseHeaders(const std::vector<std::string_view>& lines, size_t start,
                    std::map<std::string, std::string>& out) {
  std::string name;
  size_t i = start;
  for (; i < lines.size() && !lines[i].empty(); ++i) {
    std::string_view line = lines[i];
    if ((line[0] == ' ' || line[0] == '\t') && !name.empty()) {
      out[name] += std::string(line);  // unfolding removes only the CRLF
      continue;
    }
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    name = std::string(line.substr(0, colon));
    std::string_view value = line.substr(colon + 1);
    if (!value.empty() && value[0] == ' ') value.remove_prefix(1);
    if (!out.contains(name))
      out[name] = std::string(value);
    else
      name.clear();  // keep the first occurrence only
  }
  return i + 1;
}

}  // namespace

std::string DecodeQuotedPrintable(std::string_view qp) {
  std::string out;
  for (size_t i = 0; i < qp.size(); ++i) {
    if (qp[i] == '=' && qp.substr(i + 1, 2) == "\r\n") {
      i += 2;  // soft line break
    } else if (qp[i] == '=' && i + 2 < qp.size()) {
      out += static_cast<char>(std::stoi(std::string(qp.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else if (qp[i] == '\r' && i + 1 < qp.size() && qp[i + 1] == '\n') {
      out += '\n';
      ++i;
    } else {
      out += qp[i];
    }
  }
  return out;
}

std::string DecodeEncodedWords(std::string_view value) {
  std::string out;
  bool last_was_word = false;
  std::string pending_space;
  size_t i = 0;
  while (i < value.size()) {
    if (value.substr(i, 10) == "=?UTF-8?B?") {
      size_t end = value.find("?=", i + 10);
      if (end == std::string_view::npos) break;
      if (!last_was_word) out += pending_space;
      pending_space.clear();
      out += Base64Decode(value.substr(i + 10, end - i - 10));
      i = end + 2;
      last_was_word = true;
    } else if (value[i] == ' ' || value[i] == '\t') {
      pending_space += value[i++];
    } else {
      out += pending_space;
      pending_space.clear();
      out += value[i++];
      last_was_word = false;
    }
  }
  return out + pending_space;
}

ParsedMail ParseMail(std::string_view data) {
  ParsedMail mail;
  std::vector<std::string_view> lines = SplitCrlf(data, mail.problems);
  size_t body = ParseHeaders(lines, 0, mail.raw_headers);
  for (const auto& [name, value] : mail.raw_headers) {
    mail.headers[name] = DecodeEncodedWords(value);
  }
  const std::string& type = mail.raw_headers["Content-Type"];
  size_t b = type.find("boundary=\"");
  if (b == std::string::npos) {
    mail.problems += "no boundary; ";
    return mail;
  }
  std::string boundary = type.substr(b + 10, type.find('"', b + 10) - b - 10);
  const std::string delimiter = "--" + boundary;
  const std::string close = delimiter + "--";
  bool closed = false;
  size_t i = body;
  while (i < lines.size() && lines[i] != delimiter) ++i;
  while (i < lines.size() && lines[i] == delimiter) {
    std::map<std::string, std::string> part_headers;
    i = ParseHeaders(lines, i + 1, part_headers);
    std::string content;
    for (; i < lines.size() && lines[i] != delimiter; ++i) {
      if (lines[i] == close) {
        closed = true;
        break;
      }
      content += std::string(lines[i]) + "\r\n";
    }
    // The CRLF before a delimiter belongs to the delimiter (RFC 2046 section 5.1.1).
    if (content.size() >= 2) content.resize(content.size() - 2);
    std::string part_type = part_headers["Content-Type"];
    part_type = Lower(part_type.substr(0, part_type.find(';')));
    if (Lower(part_headers["Content-Transfer-Encoding"]) != "quoted-printable") {
      mail.problems += part_type + " is not quoted-printable; ";
    }
    if (part_headers["Content-Type"].find("charset=UTF-8") == std::string::npos) {
      mail.problems += part_type + " is not UTF-8; ";
    }
    mail.parts[part_type] = DecodeQuotedPrintable(content);
    if (closed) break;
  }
  if (!closed) mail.problems += "no closing boundary; ";
  return mail;
}

}  // namespace slayer::testing

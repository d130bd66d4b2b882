// MailReader: takes a received e-mail apart for assertions: the header fields (unfolded, and
// decoded from RFC 2047 encoded words) and the MIME parts (decoded from quoted-printable).
// Strict where SLAyer's messages must be: every line ends in CRLF. Test-only; pure.
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace slayer::testing {

struct ParsedMail {
  // Header field name as sent -> value with folding removed, still encoded.
  std::map<std::string, std::string> raw_headers;
  // Header field name -> value with encoded words decoded.
  std::map<std::string, std::string> headers;
  // Content type without parameters ("text/plain") -> the part's decoded body (LF line ends).
  std::map<std::string, std::string> parts;
  // Every problem found: a bare LF, a line over 998 characters, a part without its
  // Content-Transfer-Encoding, a missing boundary. Empty for a well-formed message.
  std::string problems;
};

ParsedMail ParseMail(std::string_view data);

// Quoted-printable (CRLF line ends) to text with LF line ends.
std::string DecodeQuotedPrintable(std::string_view qp);

// Decodes every "=?UTF-8?B?...?=" word; whitespace between adjacent encoded words is dropped
// (RFC 2047 section 6.2).
std::string DecodeEncodedWords(std::string_view value);

}  // namespace slayer::testing

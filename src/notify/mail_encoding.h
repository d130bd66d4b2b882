// The encodings of Internet mail that SLAyer's e-mail needs: quoted-printable bodies (RFC 2045
// section 6.7), header fields with RFC 2047 encoded words for text that is not printable ASCII,
// and RFC 5322 dates. Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "common/time.h"

namespace slayer::notify {

// `text` (UTF-8, lines ending in LF or CRLF) as quoted-printable with CRLF line ends and lines of
// at most 76 characters (soft breaks "=" CRLF). '=' is always encoded, so the result never
// contains "=_" and a MIME boundary containing "=_" cannot occur in it.
std::string EncodeQuotedPrintable(std::string_view text);

// One unstructured header field (Subject, X-...), "Name: value" CRLF, folded at spaces to lines
// of at most 78 characters where the value allows. A value that is not printable ASCII (UTF-8,
// or control characters such as CR and LF, which could otherwise inject header fields) becomes
// RFC 2047 encoded words ("=?UTF-8?B?...?=") on lines of at most 76 characters, never splitting
// a UTF-8 sequence.
std::string HeaderField(std::string_view name, std::string_view value);

// The display name of a mailbox ("Data Team" in `"Data Team" <dt@example.com>`): a quoted
// string when it is printable ASCII, else RFC 2047 encoded words.
std::string EncodeDisplayName(std::string_view name);

// "Tue, 02 Jan 2024 03:04:05 +0000" (RFC 5322 section 3.3), in UTC.
std::string FormatRfc5322Date(Timestamp t);

}  // namespace slayer::notify

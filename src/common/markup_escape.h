// Escaping of text for markup: HTML (the e-mail's text/html part, the web page's links)
// and Slack mrkdwn. One escaper; mrkdwn's control characters are HTML's &, < and >. Pure
// functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace slayer {

// `text` with &, <, >, " and ' as "&amp;", "&lt;", "&gt;", "&quot;" and "&#39;": safe as HTML
// text and as a quoted attribute value.
std::string EscapeHtml(std::string_view text);

// `text` with &, < and > as "&amp;", "&lt;" and "&gt;", the only characters mrkdwn treats as
// control characters (links, mentions); everything else is literal.
std::string EscapeMrkdwn(std::string_view text);

}  // namespace slayer

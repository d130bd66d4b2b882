// Text helpers shared by the database drivers: splitting SQL at its `?` placeholders with each
// dialect's quoting rules, and making driver messages one safe line. Pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "db/dsn.h"

namespace slayer::db {

// Splits `sql` at the `?` placeholders that lie outside string literals, quoted identifiers and
// comments, as `dialect` reads them (MySQL: backslash escapes, `...`, # comments; PostgreSQL:
// E'...' escapes, "...", -- and /* */). Returns placeholders + 1 pieces: the text before the
// first placeholder, between each pair, and after the last. Dollar-quoted strings and the
// PostgreSQL jsonb `?` operators are not recognised.
std::vector<std::string_view> SplitAtPlaceholders(std::string_view sql, Backend dialect);

// Collapses newlines, tabs and runs of spaces to single spaces and trims: driver messages span
// lines ("...failed: Connection refused\n\tIs the server running..."); ours are one line.
std::string OneLine(std::string_view text);

// Defence in depth: replaces every occurrence of `secret` in `text` by "***". No server message
// should echo a password, but if one does it is not passed on. Secrets shorter than 4
// characters are left alone (replacing them would garble the message and protect nothing).
std::string RedactSecret(std::string text, const std::string& secret);

}  // namespace slayer::db

#include "db/sql_text.h"

#include <algorithm>
#include <cctype>

namespace slayer::db {

std::vector<std::string_view> SplitAtPlaceholders(std::string_view sql, Backend dialect) {
  const bool mysql = dialect == Backend::kMysql;
  const size_t size = sql.size();
  std::vector<std::string_view> pieces;
  size_t piece_start = 0;
  size_t i = 0;
  while (i < size) {
    char c = sql[i];
    if (c == '\'' || c == '"' || (mysql && c == '`')) {
      // MySQL reads backslash escapes in both quote kinds; PostgreSQL only in E'...'.
      bool backslash_escapes =
          mysql ? c != '`'
                : c == '\'' && i > 0 && (sql[i - 1] == 'E' || sql[i - 1] == 'e') &&
                      (i < 2 || !(std::isalnum(static_cast<unsigned char>(sql[i - 2])) ||
                                  sql[i - 2] == '_'));
      size_t j = i + 1;
      while (j < size) {
        if (backslash_escapes && sql[j] == '\\') {
          j += 2;
          continue;
        }
        if (sql[j] == c) {
          if (j + 1 < size && sql[j + 1] == c) {  // a doubled quote inside the literal
            j += 2;
            continue;
          }
          break;
        }
        ++j;
      }
      i = std::min(j + 1, size);
    } else if ((mysql && c == '#') ||
               (c == '-' && i + 1 < size && sql[i + 1] == '-' &&
                (!mysql || (i + 2 < size && std::isspace(static_cast<unsigned char>(sql[i + 2])))))) {
      size_t j = sql.find('\n', i);
      i = j == std::string_view::npos ? size : j;
    } else if (c == '/' && i + 1 < size && sql[i + 1] == '*') {
      size_t j = sql.find("*/", i + 2);
      i = j == std::string_view::npos ? size : j + 2;
    } else if (c == '?') {
      pieces.push_back(sql.substr(piece_start, i - piece_start));
      piece_start = ++i;
    } else {
      ++i;
    }
  }
  pieces.push_back(sql.substr(piece_start));
  return pieces;
}

std::string OneLine(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool space = false;
  for (char c : text) {
    if (c == '\n' || c == '\r' || c == '\t' || c == ' ') {
      space = true;
      continue;
    }
    if (space && !out.empty()) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return out;
}

std::string RedactSecret(std::string text, const std::string& secret) {
  if (secret.size() < 4) return text;
  for (size_t pos = text.find(secret); pos != std::string::npos;
       pos = text.find(secret, pos + 3)) {
    text.replace(pos, secret.size(), "***");
  }
  return text;
}

}  // namespace slayer::db

#include "common/glob.h"

namespace slayer {
namespace {

Status GlobError(std::string_view pattern, std::string_view why) {
  return InvalidArgumentError("glob '" + std::string(pattern) + "': " + std::string(why));
}

std::string Column(size_t index) { return std::to_string(index + 1); }

}  // namespace

Result<Glob> Glob::Compile(std::string_view pattern) {
  Glob glob;
  glob.pattern_ = std::string(pattern);
  auto add_literal = [&](char c) {
    if (glob.tokens_.empty() || glob.tokens_.back().type != Token::Type::kLiteral) {
      glob.tokens_.push_back({Token::Type::kLiteral, {}, -1});
    }
    glob.tokens_.back().text.push_back(c);
  };

  for (size_t i = 0; i < pattern.size(); ++i) {
    char c = pattern[i];
    if (c == '\\') {
      if (i + 1 == pattern.size()) {
        return GlobError(pattern, "ends with an unfinished escape '\\' at column " + Column(i) +
                                      " (write '\\\\' for a backslash)");
      }
      add_literal(pattern[++i]);
    } else if (c == '*') {
      // "**" is one star: consecutive stars would only slow the matcher down.
      if (glob.tokens_.empty() || glob.tokens_.back().type != Token::Type::kStar) {
        glob.tokens_.push_back({Token::Type::kStar, {}, -1});
      }
    } else if (c == '?') {
      glob.tokens_.push_back({Token::Type::kAnyByte, {}, -1});
    } else if (c == '[') {
      size_t open = i;
      size_t j = i + 1;
      bool negate = j < pattern.size() && (pattern[j] == '!' || pattern[j] == '^');
      if (negate) ++j;
      ByteSet set;
      bool first = true;
      bool closed = false;
      while (j < pattern.size()) {
        char m = pattern[j];
        if (m == ']' && !first) {
          closed = true;
          break;
        }
        first = false;
        if (m == '\\') {
          if (j + 1 == pattern.size()) break;  // reported as unclosed
          m = pattern[++j];
        }
        // A range "a-z"; a '-' first or last in the class is a member.
        if (j + 2 < pattern.size() && pattern[j + 1] == '-' && pattern[j + 2] != ']') {
          size_t hi_index = j + 2;
          char hi = pattern[hi_index];
          if (hi == '\\') {
            if (hi_index + 1 == pattern.size()) break;
            hi = pattern[++hi_index];
          }
          if (static_cast<unsigned char>(hi) < static_cast<unsigned char>(m)) {
            return GlobError(pattern, "empty range '" + std::string(1, m) + "-" +
                                          std::string(1, hi) + "' at column " + Column(j) +
                                          " (write the lower bound first, e.g. [a-z])");
          }
          for (int b = static_cast<unsigned char>(m); b <= static_cast<unsigned char>(hi); ++b) {
            set.Add(static_cast<unsigned char>(b));
          }
          j = hi_index + 1;
        } else {
          set.Add(static_cast<unsigned char>(m));
          ++j;
        }
      }
      if (!closed) {
        return GlobError(pattern, "unclosed '[' at column " + Column(open) +
                                      " (close it with ']' or escape it as '\\[')");
      }
      if (negate) {
        for (auto& word : set.bits) word = ~word;
      }
      glob.classes_.push_back(set);
      glob.tokens_.push_back({Token::Type::kClass, {}, static_cast<int>(glob.classes_.size()) - 1});
      i = j;  // at the closing ']'
    } else {
      add_literal(c);
    }
  }

  // Recognise the shapes that cover nearly every real pattern: "x", "*", "x*", "*x", "x*y".
  using T = Token::Type;
  const auto& t = glob.tokens_;
  auto is = [&](size_t k, T type) { return k < t.size() && t[k].type == type; };
  if (t.empty()) {
    glob.kind_ = Kind::kLiteral;
  } else if (t.size() == 1 && is(0, T::kLiteral)) {
    glob.kind_ = Kind::kLiteral;
    glob.literal_ = t[0].text;
  } else if (t.size() == 1 && is(0, T::kStar)) {
    glob.kind_ = Kind::kAny;
  } else if (t.size() == 2 && is(0, T::kLiteral) && is(1, T::kStar)) {
    glob.kind_ = Kind::kPrefix;
    glob.literal_ = t[0].text;
  } else if (t.size() == 2 && is(0, T::kStar) && is(1, T::kLiteral)) {
    glob.kind_ = Kind::kSuffix;
    glob.suffix_ = t[1].text;
  } else if (t.size() == 3 && is(0, T::kLiteral) && is(1, T::kStar) && is(2, T::kLiteral)) {
    glob.kind_ = Kind::kPrefixSuffix;
    glob.literal_ = t[0].text;
    glob.suffix_ = t[2].text;
  } else {
    glob.kind_ = Kind::kGeneral;
  }
  return glob;
}

bool Glob::Matches(std::string_view text) const {
  switch (kind_) {
    case Kind::kLiteral:
      return text == literal_;
    case Kind::kAny:
      return true;
    case Kind::kPrefix:
      return text.starts_with(literal_);
    case Kind::kSuffix:
      return text.ends_with(suffix_);
    case Kind::kPrefixSuffix:
      return text.size() >= literal_.size() + suffix_.size() && text.starts_with(literal_) &&
             text.ends_with(suffix_);
    case Kind::kGeneral:
      return MatchTokens(text);
  }
  return false;
}

// Every token but '*' has a fixed length, so on a mismatch it is enough to let the most recent
// star absorb one more byte and retry from there (the classic wildcard algorithm).
bool Glob::MatchTokens(std::string_view text) const {
  constexpr size_t kNone = static_cast<size_t>(-1);
  size_t t = 0;
  size_t p = 0;
  size_t star_token = kNone;
  size_t star_pos = 0;
  const size_t n = tokens_.size();
  while (true) {
    if (t < n && tokens_[t].type == Token::Type::kStar) {
      star_token = t++;
      star_pos = p;
      continue;
    }
    bool advanced = false;
    if (t < n) {
      const Token& token = tokens_[t];
      switch (token.type) {
        case Token::Type::kLiteral:
          if (text.substr(p).starts_with(token.text)) {
            p += token.text.size();
            advanced = true;
          }
          break;
        case Token::Type::kAnyByte:
          if (p < text.size()) {
            ++p;
            advanced = true;
          }
          break;
        case Token::Type::kClass:
          if (p < text.size() &&
              classes_[token.class_index].Has(static_cast<unsigned char>(text[p]))) {
            ++p;
            advanced = true;
          }
          break;
        case Token::Type::kStar:
          break;  // handled above
      }
      if (advanced) {
        ++t;
        continue;
      }
    } else if (p == text.size()) {
      return true;
    }
    if (star_token == kNone || star_pos >= text.size()) return false;
    p = ++star_pos;
    t = star_token + 1;
  }
}

}  // namespace slayer

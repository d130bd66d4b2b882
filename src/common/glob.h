// Glob: a compiled shell-style pattern for DAG ids, task ids and the `--dag` flag. Immutable after
// Compile; thread-safe. Matching is byte-wise (Airflow ids are ASCII) and uses no regex.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace slayer {

class Glob {
 public:
  // Syntax:
  //   *        any run of bytes, also empty ("**" is the same as "*")
  //   ?        exactly one byte
  //   [abc]    one of the listed bytes; [a-z] a range; [!x] or [^x] any byte but those;
  //            a ']' right after '[' or '[!' is a member: []x] matches ']' or 'x'
  //   \c       the byte c itself (\* matches a star); also inside [...]
  //   other    itself
  // Errors (kInvalidArgument) name the pattern and the 1-based column, e.g.
  // "glob 'etl_[ab': unclosed '[' at column 5 (close it with ']' or escape it as '\[')".
  // The empty pattern is valid and matches only the empty string.
  static Result<Glob> Compile(std::string_view pattern);

  // True when the whole of `text` matches. Linear in practice; O(|text| * |pattern|) worst case.
  bool Matches(std::string_view text) const;

  // The pattern as given to Compile.
  const std::string& pattern() const { return pattern_; }
  // True when the pattern has no wildcard: Matches is then string equality with literal().
  bool is_literal() const { return kind_ == Kind::kLiteral; }
  // The pattern with escapes removed; meaningful when is_literal().
  const std::string& literal() const { return literal_; }

 private:
  // Fast paths for the common shapes; kGeneral runs the token matcher.
  enum class Kind { kLiteral, kAny, kPrefix, kSuffix, kPrefixSuffix, kGeneral };
  struct Token {
    enum class Type { kLiteral, kAnyByte, kClass, kStar } type;
    std::string text;      // kLiteral: the bytes
    int class_index = -1;  // kClass: index into classes_
  };
  struct ByteSet {
    unsigned long long bits[4] = {0, 0, 0, 0};
    void Add(unsigned char c) { bits[c >> 6] |= 1ULL << (c & 63); }
    bool Has(unsigned char c) const { return (bits[c >> 6] >> (c & 63)) & 1; }
  };

  Glob() = default;
  bool MatchTokens(std::string_view text) const;

  std::string pattern_;
  Kind kind_ = Kind::kLiteral;
  std::string literal_;  // kLiteral: the text; kPrefix / kPrefixSuffix: the prefix
  std::string suffix_;   // kSuffix / kPrefixSuffix
  std::vector<Token> tokens_;
  std::vector<ByteSet> classes_;
};

}  // namespace slayer

// Param: one value bound to a `?` placeholder of a query. Drivers render it in their own way
// (PostgreSQL text parameters, MySQL escaped literals, SQLite typed binds). A value type.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/time.h"

namespace slayer::db {

class Param {
 public:
  enum class Kind { kNull, kText, kInt, kDouble, kBool, kTime, kBlob };

  Param() = default;  // NULL
  Param(std::nullopt_t) {}  // NOLINT: implicit by design
  Param(std::string_view text) : kind_(Kind::kText), text_(text) {}  // NOLINT
  Param(const char* text) : kind_(Kind::kText), text_(text) {}       // NOLINT
  Param(std::string text) : kind_(Kind::kText), text_(std::move(text)) {}  // NOLINT
  Param(int v) : kind_(Kind::kInt), int_(v) {}                       // NOLINT
  Param(int64_t v) : kind_(Kind::kInt), int_(v) {}                   // NOLINT
  Param(double v) : kind_(Kind::kDouble), double_(v) {}              // NOLINT
  Param(bool v) : kind_(Kind::kBool), int_(v ? 1 : 0) {}             // NOLINT
  Param(Timestamp t) : kind_(Kind::kTime), time_(t) {}               // NOLINT
  template <typename T>
  Param(const std::optional<T>& v) {  // NOLINT: NULL when empty
    if (v) *this = Param(*v);
  }

  // Binary data (a BLOB / bytea), e.g. zlib-compressed JSON.
  static Param Blob(std::string bytes) {
    Param p;
    p.kind_ = Kind::kBlob;
    p.text_ = std::move(bytes);
    return p;
  }

  Kind kind() const { return kind_; }
  bool is_null() const { return kind_ == Kind::kNull; }
  int64_t int_value() const { return int_; }
  double double_value() const { return double_; }
  Timestamp time_value() const { return time_; }
  const std::string& bytes() const { return text_; }  // text or blob

  // The value as SQL text input: "42", "1.5", "true"/"false" is NOT used (backends differ);
  // booleans render as "1"/"0", times as FormatSqlTimestamp. REQUIRES: !is_null().
  std::string ToText() const;

 private:
  Kind kind_ = Kind::kNull;
  std::string text_;
  int64_t int_ = 0;
  double double_ = 0;
  Timestamp time_{};
};

}  // namespace slayer::db

// Result<T>: a value or the Status explaining why there is none. Mirrors std::expected<T, Status>
// (value(), error(), operator bool, operator*), so moving to C++23 is mechanical. Thread-compatible.
#pragma once

#include <cassert>
#include <type_traits>
#include <utility>
#include <variant>

#include "common/status.h"

namespace slayer {

template <typename T>
class [[nodiscard]] Result {
 public:
  static_assert(!std::is_same_v<T, Status>, "use Status for operations without a value");

  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  Result(Status error) : v_(std::in_place_index<1>, std::move(error)) {  // NOLINT
    assert(!std::get<1>(v_).ok() && "a Result error must not be OK");
  }

  bool has_value() const { return v_.index() == 0; }
  explicit operator bool() const { return has_value(); }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  // REQUIRES: !has_value().
  const Status& error() const { return std::get<1>(v_); }

  // The error, or OK when there is a value.
  Status status() const { return has_value() ? Status::Ok() : error(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace slayer

// Declares `lhs` from a Result expression, or returns its error from the enclosing function.
#define SLAYER_ASSIGN_OR_RETURN(lhs, expr) SLAYER_ASSIGN_OR_RETURN_IMPL(SLAYER_CONCAT(r_, __LINE__), lhs, expr)
#define SLAYER_CONCAT_INNER(a, b) a##b
#define SLAYER_CONCAT(a, b) SLAYER_CONCAT_INNER(a, b)
#define SLAYER_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                 \
  if (!tmp) return tmp.error();                      \
  lhs = std::move(*tmp)

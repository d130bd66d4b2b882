// Status: the outcome of an operation that can fail in production (DB down, bad input, timeout).
// A value type; thread-compatible. See STYLE.md section 5: our code returns errors, it never throws.
#pragma once

#include <string>
#include <string_view>
#include <utility>

namespace slayer {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,     // bad input from a user: config, DSN, flag
  kNotFound,            // a table, row, file or key that should exist does not
  kUnavailable,         // a peer (database, HTTP receiver) cannot be reached now; retry later
  kDeadlineExceeded,    // a timeout: connect, statement, request
  kPermissionDenied,    // authentication or authorisation refused
  kFailedPrecondition,  // the world is not in the state the call needs (not Airflow, unknown schema)
  kDataLoss,            // data read back is corrupt or of an unexpected shape
  kInternal,            // a bug or an unexpected library failure
  kCancelled,           // stopped on request (shutdown) before it finished
};

std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // Returns a copy whose message reads "context: message", for errors passed up a layer.
  Status WithContext(std::string_view context) const;

  // "OK" or "<message>"; the code name is kept out of user-facing lines on purpose.
  std::string ToString() const { return ok() ? std::string("OK") : message_; }

  friend bool operator==(const Status& a, const Status& b) {
    return a.code_ == b.code_ && a.message_ == b.message_;
  }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status InvalidArgumentError(std::string m) {
  return Status(StatusCode::kInvalidArgument, std::move(m));
}
inline Status NotFoundError(std::string m) { return Status(StatusCode::kNotFound, std::move(m)); }
inline Status UnavailableError(std::string m) {
  return Status(StatusCode::kUnavailable, std::move(m));
}
inline Status DeadlineExceededError(std::string m) {
  return Status(StatusCode::kDeadlineExceeded, std::move(m));
}
inline Status PermissionDeniedError(std::string m) {
  return Status(StatusCode::kPermissionDenied, std::move(m));
}
inline Status FailedPreconditionError(std::string m) {
  return Status(StatusCode::kFailedPrecondition, std::move(m));
}
inline Status DataLossError(std::string m) { return Status(StatusCode::kDataLoss, std::move(m)); }
inline Status InternalError(std::string m) { return Status(StatusCode::kInternal, std::move(m)); }

}  // namespace slayer

// Returns the status from the enclosing function when `expr` is not OK.
#define SLAYER_RETURN_IF_ERROR(expr)           \
  do {                                         \
    ::slayer::Status slayer_status_ = (expr);  \
    if (!slayer_status_.ok()) return slayer_status_; \
  } while (0)

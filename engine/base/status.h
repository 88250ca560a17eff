// Status and Result<T>: how every paiplan operation reports failure.
//
// A Status is cheap when OK and otherwise carries a code and a message meant
// for the operator (it already says what failed and, where known, what to do).
// Result<T> is std::expected<T, Status>. A missing object is an empty
// std::optional, not an error. Third-party exceptions never cross our APIs:
// adapters catch them and return a Status.
//
// Thread-safety: values; safe to copy between threads.
#pragma once

#include <expected>
#include <string>
#include <utility>

namespace paiplan {

enum class Code {
  kOk = 0,
  kNotFound,
  kInvalidArgument,
  kIOError,
  kUnavailable,  // retryable: connection refused, server not answering
  kTimeout,      // retryable: connecting or a server's answer took too long
  // A command ran to its own timeout and was killed. Not retried: a hung
  // script would hang again, multiplying the wait by the retry count.
  kDeadlineExceeded,
  kConflict,     // lock held, resourceVersion mismatch, stale plan
  kCorruption,
  kCancelled,
  kPermissionDenied,
  kFailedPrecondition,
  kInternal,
};

const char* CodeName(Code code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}
  // Lets PP_ASSIGN_OR_RETURN return from functions that return Status.
  Status(std::unexpected<Status> u) : Status(std::move(u.error())) {}  // NOLINT: implicit on purpose

  static Status Ok() { return Status(); }
  static Status NotFound(std::string m) { return {Code::kNotFound, std::move(m)}; }
  static Status InvalidArgument(std::string m) { return {Code::kInvalidArgument, std::move(m)}; }
  static Status IOError(std::string m) { return {Code::kIOError, std::move(m)}; }
  static Status Unavailable(std::string m) { return {Code::kUnavailable, std::move(m)}; }
  static Status Timeout(std::string m) { return {Code::kTimeout, std::move(m)}; }
  static Status DeadlineExceeded(std::string m) { return {Code::kDeadlineExceeded, std::move(m)}; }
  static Status Conflict(std::string m) { return {Code::kConflict, std::move(m)}; }
  static Status Corruption(std::string m) { return {Code::kCorruption, std::move(m)}; }
  static Status Cancelled(std::string m) { return {Code::kCancelled, std::move(m)}; }
  static Status PermissionDenied(std::string m) { return {Code::kPermissionDenied, std::move(m)}; }
  static Status FailedPrecondition(std::string m) { return {Code::kFailedPrecondition, std::move(m)}; }
  static Status Internal(std::string m) { return {Code::kInternal, std::move(m)}; }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  // Unavailable and Timeout are worth retrying with backoff.
  bool retryable() const { return code_ == Code::kUnavailable || code_ == Code::kTimeout; }
  // "<message>" for errors, "OK" otherwise.
  std::string ToString() const { return ok() ? "OK" : message_; }
  // Returns a copy whose message is prefixed with `context: `.
  Status WithContext(const std::string& context) const {
    return ok() ? *this : Status(code_, context + ": " + message_);
  }

 private:
  Code code_ = Code::kOk;
  std::string message_;
};

template <typename T>
using Result = std::expected<T, Status>;

// Wraps an error Status for returning from a function that returns Result<T>.
inline std::unexpected<Status> Err(Status s) { return std::unexpected<Status>(std::move(s)); }

}  // namespace paiplan

// Return early from a function returning Status.
#define PP_RETURN_IF_ERROR(expr)                 \
  do {                                           \
    ::paiplan::Status pp_status_ = (expr);       \
    if (!pp_status_.ok()) return pp_status_;     \
  } while (0)

// Return early (as std::unexpected) from a function returning Result<U>.
#define PP_RETURN_IF_ERROR_R(expr)                          \
  do {                                                      \
    ::paiplan::Status pp_status_ = (expr);                  \
    if (!pp_status_.ok()) return ::paiplan::Err(pp_status_); \
  } while (0)

#define PP_CONCAT_INNER(a, b) a##b
#define PP_CONCAT(a, b) PP_CONCAT_INNER(a, b)
// PP_ASSIGN_OR_RETURN(auto x, ResultExpr): on error returns the Status
// (works in functions returning Status or Result<U>).
#define PP_ASSIGN_OR_RETURN(lhs, expr)                                       \
  auto PP_CONCAT(pp_result_, __LINE__) = (expr);                             \
  if (!PP_CONCAT(pp_result_, __LINE__)) {                                    \
    return ::paiplan::Err(std::move(PP_CONCAT(pp_result_, __LINE__)).error()); \
  }                                                                          \
  lhs = std::move(*PP_CONCAT(pp_result_, __LINE__))

#include "engine/base/status.h"

namespace paiplan {

const char* CodeName(Code code) {
  switch (code) {
    case Code::kOk: return "ok";
    case Code::kNotFound: return "not found";
    case Code::kInvalidArgument: return "invalid argument";
    case Code::kIOError: return "I/O error";
    case Code::kUnavailable: return "unavailable";
    case Code::kTimeout: return "timeout";
    case Code::kDeadlineExceeded: return "deadline exceeded";
    case Code::kConflict: return "conflict";
    case Code::kCorruption: return "corruption";
    case Code::kCancelled: return "cancelled";
    case Code::kPermissionDenied: return "permission denied";
    case Code::kFailedPrecondition: return "failed precondition";
    case Code::kInternal: return "internal error";
  }
  return "unknown";
}

}  // namespace paiplan

#include "cancel.h"

#include "errors.h"

namespace wkw {
namespace {
thread_local const std::atomic<bool>* currentCancel = nullptr;
}  // namespace

void setCurrentCancel(const std::atomic<bool>* flag) { currentCancel = flag; }

void throwIfCancelled() {
  if (currentCancel && currentCancel->load(std::memory_order_relaxed)) {
    throw WkwException("ERR_WKW_ABORTED", "The operation was aborted");
  }
}

}  // namespace wkw

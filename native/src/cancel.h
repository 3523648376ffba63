// Cancellation inside long pool tasks. A Job runs each task with its cancel flag set as
// this thread's current one; tasks that loop over the blocks of a whole file call
// throwIfCancelled() once per block, so an abort stops them within one block instead of
// after the file (a downsampled 1024³ file takes seconds to minutes).
#pragma once
#include <atomic>

namespace wkw {

void setCurrentCancel(const std::atomic<bool>* flag);
// Throws WkwException ERR_WKW_ABORTED once the current job was cancelled.
void throwIfCancelled();

}  // namespace wkw

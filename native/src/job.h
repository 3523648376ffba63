// Runs a list of tasks on the libuv thread pool behind one Promise. At most `maxActive`
// workers run at a time, so one large call leaves pool threads for other I/O; each
// worker runs task after task (no JS-thread round trip between tasks) and yields its pool
// thread after a short time slice, so other queued pool work still gets its turn. Pool
// threads only run Task::run(); every N-API call happens on the JS thread.
//
// A call's first wave queues a few spare workers beyond `maxActive`: the kernel often puts
// a woken pool thread on the core where another worker of the same call already runs, and
// there it waits for that worker's whole slice while the other core idles (a 128³ read
// then ran on one thread in a third of the calls). Whichever workers start first do the
// work; one that starts while `maxActive` others run returns at once.
#pragma once
#include <node_api.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "task.h"

namespace wkw {

using CancelFlag = std::atomic<bool>;

class Job {
 public:
  // Takes ownership of the tasks; `keepAlive` values (the caller's arrays) are referenced
  // until the job settles. Returns the promise.
  static napi_value start(napi_env env, std::vector<std::unique_ptr<Task>> tasks,
                          size_t maxActive, std::shared_ptr<CancelFlag> cancel,
                          const std::vector<napi_value>& keepAlive);
  // Runs the tasks one after another on the calling (JS) thread; throws WkwException.
  static void runSync(std::vector<std::unique_ptr<Task>>& tasks);
  // Default number of workers one call runs at once: the pool size, at most the cores.
  static size_t defaultInFlight();
  // libuv's pool size (UV_THREADPOOL_SIZE, else 4).
  static size_t poolSize();

 private:
  Job() = default;
  bool moreToRun() const;
  void scheduleMore(napi_env env);
  void settle(napi_env env);
  void fail(const std::string& code, const std::string& message, const std::string& path,
            int64_t block);
  static void execute(napi_env env, void* data);
  static void complete(napi_env env, napi_status status, void* data);

  napi_deferred deferred_ = nullptr;
  std::vector<std::unique_ptr<Task>> tasks_;
  std::vector<napi_ref> refs_;
  std::atomic<size_t> next_{0};  // next task to claim; claimed tasks always run
  size_t inFlight_ = 0;    // workers queued or running (JS thread only)
  size_t maxInFlight_ = 1;  // maxActive_, plus the spares until a worker has run
  size_t maxActive_ = 1;
  std::atomic<size_t> active_{0};  // workers running tasks now
  std::shared_ptr<CancelFlag> cancel_;
  std::atomic<bool> failed_{false};
  std::mutex errorMutex_;
  bool hasError_ = false;
  std::string errCode_, errMessage_, errPath_;
  int64_t errBlock_ = -1;
};

// Builds a JS Error with code / path / blockIndex from the parts of a WkwException.
napi_value makeError(napi_env env, const std::string& code, const std::string& message,
                     const std::string& path, int64_t blockIndex);

}  // namespace wkw

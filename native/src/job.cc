#include "job.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <new>
#include <thread>

#include "cancel.h"
#include "errors.h"

namespace wkw {

namespace {

// How long a worker keeps its pool thread before it returns it and is queued again. Long
// enough that the round trip through the JS thread (tens of µs) costs under 1%, short
// enough that other pool work (fs, dns, zlib) queued meanwhile waits only milliseconds.
constexpr auto kTimeSlice = std::chrono::milliseconds(4);

struct Worker {
  Job* job;
  napi_async_work work = nullptr;
  bool spare = false;  // started while maxActive_ others ran: did nothing
};

}  // namespace

size_t Job::poolSize() {
  static size_t value = [] {
    size_t pool = 4;  // libuv's default
    if (const char* env = std::getenv("UV_THREADPOOL_SIZE")) {
      long v = std::strtol(env, nullptr, 10);
      if (v > 0) pool = size_t(v);
    }
    return pool;
  }();
  return value;
}

size_t Job::defaultInFlight() {
  static size_t value = [] {
    size_t cores = std::max<unsigned>(1, std::thread::hardware_concurrency());
    return std::max<size_t>(1, std::min(poolSize(), cores));
  }();
  return value;
}
napi_value makeError(napi_env env, const std::string& code, const std::string& message,
                     const std::string& path, int64_t blockIndex) {
  napi_value msg, err, value;
  napi_create_string_utf8(env, message.c_str(), message.size(), &msg);
  napi_value codeValue;
  napi_create_string_utf8(env, code.c_str(), code.size(), &codeValue);
  napi_create_error(env, codeValue, msg, &err);
  if (!path.empty()) {
    napi_create_string_utf8(env, path.c_str(), path.size(), &value);
    napi_set_named_property(env, err, "path", value);
  }
  if (blockIndex >= 0) {
    napi_create_int64(env, blockIndex, &value);
    napi_set_named_property(env, err, "blockIndex", value);
  }
  return err;
}

napi_value Job::start(napi_env env, std::vector<std::unique_ptr<Task>> tasks, size_t maxActive,
                      std::shared_ptr<CancelFlag> cancel,
                      const std::vector<napi_value>& keepAlive) {
  Job* job = new Job();
  job->tasks_ = std::move(tasks);
  job->maxActive_ = std::max<size_t>(1, maxActive);
  // Spares: the pool threads beyond maxActive, at most maxActive of them.
  const size_t pool = poolSize();
  const size_t spares = pool > job->maxActive_ ? std::min(pool - job->maxActive_, job->maxActive_) : 0;
  job->maxInFlight_ = job->maxActive_ + spares;
  job->cancel_ = std::move(cancel);
  for (napi_value v : keepAlive) {
    napi_ref ref;
    napi_create_reference(env, v, 1, &ref);
    job->refs_.push_back(ref);
  }
  napi_value promise;
  napi_create_promise(env, &job->deferred_, &promise);
  job->scheduleMore(env);
  return promise;
}

bool Job::moreToRun() const {
  return next_.load() < tasks_.size() && !failed_.load() && !(cancel_ && cancel_->load());
}

// Queues workers up to the limit, never more than there are tasks left to claim.
void Job::scheduleMore(napi_env env) {
  for (;;) {
    const size_t left = tasks_.size() - std::min(next_.load(), tasks_.size());
    if (inFlight_ >= maxInFlight_ || inFlight_ >= left || !moreToRun()) break;
    Worker* worker = new Worker{this};
    napi_value name;
    napi_create_string_utf8(env, "wkw", NAPI_AUTO_LENGTH, &name);
    if (napi_create_async_work(env, nullptr, name, execute, complete, worker, &worker->work) !=
            napi_ok ||
        napi_queue_async_work(env, worker->work) != napi_ok) {
      fail("ERR_WKW_IO", "Cannot queue work on the libuv thread pool", "", -1);
      if (worker->work) napi_delete_async_work(env, worker->work);
      delete worker;
      break;
    }
    inFlight_++;
  }
  if (inFlight_ == 0) settle(env);
}

void Job::fail(const std::string& code, const std::string& message, const std::string& path,
               int64_t block) {
  std::lock_guard<std::mutex> lock(errorMutex_);
  if (!hasError_) {
    hasError_ = true;
    errCode_ = code;
    errMessage_ = message;
    errPath_ = path;
    errBlock_ = block;
  }
  failed_ = true;
}

void Job::execute(napi_env, void* data) {
  Worker* worker = static_cast<Worker*>(data);
  Job* job = worker->job;
  if (job->active_.fetch_add(1) >= job->maxActive_) {
    job->active_--;
    worker->spare = true;
    return;
  }
  const auto deadline = std::chrono::steady_clock::now() + kTimeSlice;
  while (job->moreToRun()) {
    const size_t i = job->next_.fetch_add(1);
    if (i >= job->tasks_.size()) break;
    try {
      setCurrentCancel(job->cancel_.get());
      job->tasks_[i]->run();
    } catch (const WkwException& e) {
      job->fail(e.code, e.what(), e.path, e.blockIndex);
    } catch (const std::bad_alloc&) {
      job->fail("ERR_WKW_IO", "Out of memory", "", -1);
    } catch (const std::exception& e) {
      job->fail("ERR_WKW_IO", e.what(), "", -1);
    } catch (...) {
      job->fail("ERR_WKW_IO", "Unknown error in a pool task", "", -1);
    }
    if (std::chrono::steady_clock::now() >= deadline) break;
  }
  setCurrentCancel(nullptr);
  job->active_--;
}

void Job::complete(napi_env env, napi_status, void* data) {
  Worker* worker = static_cast<Worker*>(data);
  Job* job = worker->job;
  const bool spare = worker->spare;
  napi_delete_async_work(env, worker->work);
  delete worker;
  job->inFlight_--;
  // A spare that did nothing is not replaced while other workers are out: the worker
  // that ran queues the next ones when its slice ends, without spares from then on (a
  // long call would wake them every slice for nothing).
  if (!spare) job->maxInFlight_ = job->maxActive_;
  if (!spare || job->inFlight_ == 0) job->scheduleMore(env);
}

void Job::settle(napi_env env) {
  napi_handle_scope scope;
  napi_open_handle_scope(env, &scope);
  // Aborted only if some work was left undone; a finished job resolves normally.
  const bool cancelled = cancel_ && cancel_->load() && next_.load() < tasks_.size();
  if (hasError_) {
    napi_reject_deferred(env, deferred_, makeError(env, errCode_, errMessage_, errPath_, errBlock_));
  } else if (cancelled) {
    napi_reject_deferred(env, deferred_,
                         makeError(env, "ERR_WKW_ABORTED", "The operation was aborted", "", -1));
  } else {
    napi_value undefined;
    napi_get_undefined(env, &undefined);
    napi_resolve_deferred(env, deferred_, undefined);
  }
  for (napi_ref ref : refs_) napi_delete_reference(env, ref);
  napi_close_handle_scope(env, scope);
  delete this;
}

void Job::runSync(std::vector<std::unique_ptr<Task>>& tasks) {
  for (auto& t : tasks) t->run();
}

}  // namespace wkw

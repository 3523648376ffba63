#include "job.h"

#include <algorithm>
#include <cstdlib>
#include <new>
#include <thread>

#include "errors.h"

namespace wkw {

struct Job::Slot {
  Job* job;
  Task* task;
  napi_async_work work = nullptr;
};

size_t Job::defaultInFlight() {
  static size_t value = [] {
    size_t pool = 4;  // libuv's default
    if (const char* env = std::getenv("UV_THREADPOOL_SIZE")) {
      long v = std::strtol(env, nullptr, 10);
      if (v > 0) pool = size_t(v);
    }
    size_t cores = std::max<unsigned>(1, std::thread::hardware_concurrency());
    return std::max<size_t>(1, std::min(pool, cores));
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

napi_value Job::start(napi_env env, std::vector<std::unique_ptr<Task>> tasks, size_t maxInFlight,
                      std::shared_ptr<CancelFlag> cancel,
                      const std::vector<napi_value>& keepAlive) {
  Job* job = new Job();
  job->tasks_ = std::move(tasks);
  job->maxInFlight_ = std::max<size_t>(1, maxInFlight);
  job->cancel_ = std::move(cancel);
  for (napi_value v : keepAlive) {
    napi_ref ref;
    napi_create_reference(env, v, 1, &ref);
    job->refs_.push_back(ref);
  }
  napi_value promise;
  napi_create_promise(env, &job->deferred_, &promise);
  if (job->tasks_.empty()) {
    job->settle(env);
  } else {
    job->scheduleMore(env);
  }
  return promise;
}

void Job::scheduleMore(napi_env env) {
  while (inFlight_ < maxInFlight_ && next_ < tasks_.size() && !failed_.load() &&
         !(cancel_ && cancel_->load())) {
    Slot* slot = new Slot{this, tasks_[next_++].get()};
    napi_value name;
    napi_create_string_utf8(env, "wkw", NAPI_AUTO_LENGTH, &name);
    if (napi_create_async_work(env, nullptr, name, execute, complete, slot, &slot->work) != napi_ok ||
        napi_queue_async_work(env, slot->work) != napi_ok) {
      std::lock_guard<std::mutex> lock(errorMutex_);
      if (!hasError_) {
        hasError_ = true;
        errCode_ = "ERR_WKW_IO";
        errMessage_ = "Cannot queue work on the libuv thread pool";
      }
      failed_ = true;
      if (slot->work) napi_delete_async_work(env, slot->work);
      delete slot;
      break;
    }
    inFlight_++;
  }
  if (inFlight_ == 0) settle(env);
}

void Job::execute(napi_env, void* data) {
  Slot* slot = static_cast<Slot*>(data);
  Job* job = slot->job;
  if (job->failed_.load()) return;
  if (job->cancel_ && job->cancel_->load()) {
    job->skipped_++;
    return;
  }
  std::string code, message, path;
  int64_t block = -1;
  try {
    slot->task->run();
    return;
  } catch (const WkwException& e) {
    code = e.code;
    message = e.what();
    path = e.path;
    block = e.blockIndex;
  } catch (const std::bad_alloc&) {
    code = "ERR_WKW_IO";
    message = "Out of memory";
  } catch (const std::exception& e) {
    code = "ERR_WKW_IO";
    message = e.what();
  }
  std::lock_guard<std::mutex> lock(job->errorMutex_);
  if (!job->hasError_) {
    job->hasError_ = true;
    job->errCode_ = code;
    job->errMessage_ = message;
    job->errPath_ = path;
    job->errBlock_ = block;
  }
  job->failed_ = true;
}

void Job::complete(napi_env env, napi_status, void* data) {
  Slot* slot = static_cast<Slot*>(data);
  Job* job = slot->job;
  napi_delete_async_work(env, slot->work);
  delete slot;
  job->inFlight_--;
  job->scheduleMore(env);
}

void Job::settle(napi_env env) {
  napi_handle_scope scope;
  napi_open_handle_scope(env, &scope);
  // Aborted only if some work was left undone; a finished job resolves normally.
  bool cancelled = skipped_.load() > 0 || (cancel_ && cancel_->load() && next_ < tasks_.size());
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

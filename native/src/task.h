// A unit of work that runs on a libuv pool thread. It touches only C++ state captured
// when it was planned on the JS thread (never a JS value).
#pragma once

namespace wkw {

struct Task {
  virtual ~Task() = default;
  virtual void run() = 0;  // throws WkwException
};

}  // namespace wkw

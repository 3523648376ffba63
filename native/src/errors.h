// One exception type for the whole core; the binding turns it into a JS Error with
// `code`, `path` and `blockIndex`, which the TypeScript layer wraps in WkwError.
#pragma once
#include <cstdint>
#include <stdexcept>
#include <string>

namespace wkw {

struct WkwException : std::runtime_error {
  std::string code;
  std::string path;
  int64_t blockIndex;
  WkwException(std::string code_, const std::string& message, std::string path_ = {},
               int64_t blockIndex_ = -1)
      : std::runtime_error(message), code(std::move(code_)), path(std::move(path_)),
        blockIndex(blockIndex_) {}
};

[[noreturn]] void throwIo(const std::string& what, const std::string& path, int err);
[[noreturn]] void throwCorrupt(const std::string& what, const std::string& path,
                               int64_t block = -1);
[[noreturn]] void throwTruncated(const std::string& what, const std::string& path,
                                 int64_t block = -1);
[[noreturn]] void throwHeader(const std::string& what, const std::string& path);
[[noreturn]] void throwArgument(const std::string& what);

}  // namespace wkw

#include "errors.h"

#include <cstring>

namespace wkw {

void throwIo(const std::string& what, const std::string& path, int err) {
  std::string code = err == ENOENT ? "ERR_WKW_NOT_FOUND" : err == EEXIST ? "ERR_WKW_EXISTS"
                                                                         : "ERR_WKW_IO";
  throw WkwException(code, what + " " + path + ": " + std::strerror(err), path);
}

static std::string where(const std::string& path, int64_t block) {
  return block >= 0 ? path + " (block " + std::to_string(block) + ")" : path;
}

void throwCorrupt(const std::string& what, const std::string& path, int64_t block) {
  throw WkwException("ERR_WKW_CORRUPT", what + " in " + where(path, block), path, block);
}

void throwTruncated(const std::string& what, const std::string& path, int64_t block) {
  throw WkwException("ERR_WKW_TRUNCATED", what + " in " + where(path, block), path, block);
}

void throwHeader(const std::string& what, const std::string& path) {
  throw WkwException("ERR_WKW_HEADER", "Invalid WKW header in " + path + ": " + what, path);
}

void throwArgument(const std::string& what) { throw WkwException("ERR_WKW_ARGUMENT", what); }

}  // namespace wkw

#include "io.h"

#include <unistd.h>

#include <cerrno>

#include "errors.h"

namespace wkw {

void preadAll(int fd, uint8_t* dst, size_t n, uint64_t offset, const std::string& path,
              int64_t block) {
  size_t done = 0;
  while (done < n) {
    ssize_t r = ::pread(fd, dst + done, n - done, off_t(offset + done));
    if (r < 0) {
      if (errno == EINTR) continue;
      throwIo("Cannot read", path, errno);
    }
    if (r == 0) throwTruncated("Unexpected end of file", path, block);
    done += size_t(r);
  }
}

void pwriteAll(int fd, const uint8_t* src, size_t n, uint64_t offset, const std::string& path) {
  size_t done = 0;
  while (done < n) {
    ssize_t r = ::pwrite(fd, src + done, n - done, off_t(offset + done));
    if (r < 0) {
      if (errno == EINTR) continue;
      throwIo("Cannot write", path, errno);
    }
    done += size_t(r);
  }
}

}  // namespace wkw

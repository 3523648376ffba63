#include "temp_file.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <ctime>

#include "errors.h"
#include "file_cache.h"
#include "io.h"
#include "liveness.h"

namespace wkw {

namespace {

void syncFolder(const std::string& dir) {
  int dfd = ::open(dir.empty() ? "/" : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

std::string parentOf(const std::string& path) { return path.substr(0, path.rfind('/')); }

}  // namespace

std::vector<std::string> makeParentDirs(const std::string& path) {
  std::vector<std::string> created;
  for (size_t pos = path.find('/', 1); pos != std::string::npos; pos = path.find('/', pos + 1)) {
    std::string dir = path.substr(0, pos);
    if (::mkdir(dir.c_str(), 0777) == 0) created.push_back(dir);
    else if (errno != EEXIST) throwIo("Cannot create folder", dir, errno);
  }
  return created;
}

TempFile::TempFile(const std::string& target) : target_(target) {
  static std::atomic<uint64_t> seq{0};
  createdDirs_ = makeParentDirs(target);
  // Every writer of a new version of `target` clears dead writers' leftovers first (new raw
  // files included, not only compressed rewrites); callers hold the file's path lock.
  removeStaleTemps(target);
  for (int attempt = 0; attempt < 100; attempt++) {
    temp_ = target + "_tmp." + tempSuffix(seq++);
    fd_ = ::open(temp_.c_str(), O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0644);
    if (fd_ >= 0) return;
    if (errno != EEXIST) throwIo("Cannot create temporary file", temp_, errno);
  }
  throwIo("Cannot create temporary file", temp_, EEXIST);
}

TempFile::~TempFile() {
  if (fd_ >= 0) ::close(fd_);
  if (!committed_) ::unlink(temp_.c_str());
}

void TempFile::pwriteAll(const uint8_t* data, size_t n, uint64_t offset) {
  wkw::pwriteAll(fd_, data, n, offset, temp_);
}

void TempFile::truncate(uint64_t size) {
  if (::ftruncate(fd_, off_t(size)) != 0) throwIo("Cannot resize", temp_, errno);
}

void TempFile::closeForCommit(bool durable) {
  if (durable && ::fsync(fd_) != 0) throwIo("Cannot sync", temp_, errno);
  if (::close(fd_) != 0) {
    fd_ = -1;
    throwIo("Cannot close", temp_, errno);
  }
  fd_ = -1;
}

void TempFile::commit(bool durable) {
  closeForCommit(durable);
  if (::rename(temp_.c_str(), target_.c_str()) != 0) throwIo("Cannot rename over", target_, errno);
  committed_ = true;
  FileCache::instance().invalidate(target_);
  syncDir(durable);
}

bool TempFile::commitNew(bool durable) {
  closeForCommit(durable);
  if (::link(temp_.c_str(), target_.c_str()) == 0) {
    ::unlink(temp_.c_str());
  } else if (errno == EEXIST) {
    FileCache::instance().invalidate(target_);
    return false;  // the destructor removes the temporary file
  } else if (errno == EPERM || errno == ENOTSUP || errno == EOPNOTSUPP || errno == ENOSYS || errno == EMLINK) {
    // no hard links here: a plain rename (not exclusive across processes; see docs)
    if (::rename(temp_.c_str(), target_.c_str()) != 0) throwIo("Cannot rename over", target_, errno);
  } else {
    throwIo("Cannot create", target_, errno);
  }
  committed_ = true;
  FileCache::instance().invalidate(target_);
  syncDir(durable);
  return true;
}

void TempFile::syncDir(bool durable) {
  if (durable) {
    // The new name in its folder, and the entry of every folder this write created in its
    // parent: after a power loss the file is reachable, not only its inode written.
    syncFolder(parentOf(target_));
    for (auto it = createdDirs_.rbegin(); it != createdDirs_.rend(); ++it) syncFolder(parentOf(*it));
  }
}

bool isTempName(const std::string& name) { return name.find(".wkw_tmp") != std::string::npos; }

void removeStaleTemps(const std::string& target) {
  size_t slash = target.rfind('/');
  std::string dir = target.substr(0, slash);
  std::string base = target.substr(slash + 1) + "_tmp";
  DIR* d = ::opendir(dir.c_str());
  if (!d) return;
  while (struct dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name.compare(0, base.size(), base) != 0) continue;
    bool stale = name.size() == base.size();  // the reference's fixed name
    if (!stale && name[base.size()] == '.') {
      struct stat st;
      if (::stat((dir + "/" + name).c_str(), &st) != 0) continue;
      struct timespec now;
      ::clock_gettime(CLOCK_REALTIME, &now);
      const double ageMs = double(now.tv_sec - st.st_mtim.tv_sec) * 1e3 + double(now.tv_nsec - st.st_mtim.tv_nsec) / 1e6;
      stale = tempSuffixWriterDead(name.substr(base.size() + 1), ageMs);
    }
    if (stale) ::unlink((dir + "/" + name).c_str());
  }
  ::closedir(d);
}

}  // namespace wkw

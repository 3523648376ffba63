#include "liveness.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>

namespace wkw {

static std::string rawHostName() {
  char buf[HOST_NAME_MAX + 1] = {0};
  if (::gethostname(buf, sizeof buf - 1) != 0) return "localhost";
  return buf;
}

const std::string& hostTag() {
  static const std::string tag = [] {
    std::string h = rawHostName();
    if (h.empty()) h = "localhost";
    if (h.size() > 64) h.resize(64);
    for (char& c : h) {
      bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-';
      if (!ok) c = '_';
    }
    return h;
  }();
  return tag;
}

bool writerDead(const std::string& host, int64_t pid, double ageMs, double staleMs) {
  if (staleMs >= 0 && ageMs > staleMs) return true;
  static const std::string raw = rawHostName();
  if (!host.empty() && host != hostTag() && host != raw) return false;  // cannot tell
  if (pid <= 0 || pid > int64_t(INT_MAX)) return true;
  if (pid == int64_t(::getpid())) return false;
  return ::kill(pid_t(pid), 0) != 0 && errno == ESRCH;  // EPERM: exists, someone else's
}

std::string tempSuffix(uint64_t seq) {
  return std::to_string(::getpid()) + "." + std::to_string(seq) + "." + hostTag();
}

bool tempSuffixWriterDead(const std::string& suffix, double ageMs) {
  size_t i = 0;
  while (i < suffix.size() && suffix[i] >= '0' && suffix[i] <= '9') i++;
  if (i == 0 || i > 10 || i >= suffix.size() || suffix[i] != '.') return false;
  const int64_t pid = std::strtoll(suffix.substr(0, i).c_str(), nullptr, 10);
  size_t j = i + 1;
  while (j < suffix.size() && suffix[j] >= '0' && suffix[j] <= '9') j++;
  if (j == i + 1) return false;
  std::string host;
  if (j < suffix.size()) {
    if (suffix[j] != '.') return false;
    host = suffix.substr(j + 1);
  }
  return writerDead(host, pid, ageMs, kTempStaleMs);
}

}  // namespace wkw

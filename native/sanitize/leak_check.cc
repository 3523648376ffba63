// Linked into the addon only when built with -DWKW_SANITIZE=ON (scripts/test-asan.sh).
//
// The sanitizer runtime is preloaded into every process the test suite starts, including
// compilers and shells (test/package.test.mjs builds a prebuild), whose leaks at exit are
// none of our business. scripts/test-asan.sh therefore turns LeakSanitizer's check at exit
// off (leak_check_at_exit=0) and this file turns it back on in exactly the processes that
// loaded the addon: a leak check runs when such a process exits normally.
#include <sanitizer/lsan_interface.h>

#include <cstdlib>

namespace {

struct LeakCheckAtExit {
  LeakCheckAtExit() { std::atexit([] { __lsan_do_leak_check(); }); }
};
LeakCheckAtExit registerLeakCheck;

}  // namespace

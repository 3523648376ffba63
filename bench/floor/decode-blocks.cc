// The floor under aligned 32³ reads: pread of one block's compressed bytes plus
// LZ4_decompress_safe, random blocks of the first 16³ blocks of a WKW LZ4 cube file, into
// one reused buffer (hot) and into a 64 MiB ring of buffers (cold, as fresh results are).
// No JavaScript, no stat, no checks beyond LZ4's (docs/performance.md, "Fifth look").
//
//   g++ -O3 -Inative/vendor/lz4 bench/floor/decode-blocks.cc native/vendor/lz4/lz4.c -o /tmp/decode-blocks
//   /tmp/decode-blocks <dataset>/z0/y0/x0.wkw <decoded block bytes: 32768 uint8, 131072 uint32>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <vector>

#include "lz4.h"

namespace {

uint64_t morton(uint32_t x, uint32_t y, uint32_t z) {
  uint64_t m = 0;
  for (int b = 0; b < 10; b++) {
    m |= (uint64_t((x >> b) & 1) << (3 * b)) | (uint64_t((y >> b) & 1) << (3 * b + 1)) |
         (uint64_t((z >> b) & 1) << (3 * b + 2));
  }
  return m;
}

bool readAt(int fd, void* dst, size_t n, uint64_t offset) {
  return ::pread(fd, dst, n, off_t(offset)) == ssize_t(n);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: decode-blocks FILE.wkw BLOCK_BYTES\n");
    return 2;
  }
  const int fd = ::open(argv[1], O_RDONLY);
  const size_t blockBytes = std::strtoul(argv[2], nullptr, 10);
  uint8_t h[16];
  if (fd < 0 || blockBytes == 0 || !readAt(fd, h, 16, 0)) return 1;
  const size_t blocks = size_t(1) << (3 * (h[4] >> 4));  // file length log2: high nibble
  uint64_t dataOffset;
  std::memcpy(&dataOffset, h + 8, 8);
  std::vector<uint64_t> ends(blocks);  // the jump table: end offset of each block
  if (!readAt(fd, ends.data(), blocks * 8, 16)) return 1;
  std::mt19937 rng(7);
  std::vector<uint64_t> order(5000);
  for (auto& o : order) o = morton(rng() % 16, rng() % 16, rng() % 16);
  std::vector<uint8_t> scratch(blockBytes * 2), hot(blockBytes), ring(size_t(64) << 20);
  const size_t slots = ring.size() / blockBytes;
  for (int pass = 0; pass < 4; pass++) {  // passes 0 and 1 warm up
    const bool cold = pass & 1;
    std::vector<double> total, decode;
    size_t k = 0;
    for (uint64_t i : order) {
      const uint64_t start = i ? ends[i - 1] : dataOffset, n = ends[i] - start;
      if (n > scratch.size()) return 1;
      uint8_t* dst = cold ? ring.data() + (k++ % slots) * blockBytes : hot.data();
      const auto t0 = std::chrono::steady_clock::now();
      if (!readAt(fd, scratch.data(), n, start)) return 1;
      const auto t1 = std::chrono::steady_clock::now();
      const int got = LZ4_decompress_safe(reinterpret_cast<const char*>(scratch.data()),
                                          reinterpret_cast<char*>(dst), int(n), int(blockBytes));
      const auto t2 = std::chrono::steady_clock::now();
      if (got != int(blockBytes)) return 1;
      total.push_back(std::chrono::duration<double, std::micro>(t2 - t0).count());
      decode.push_back(std::chrono::duration<double, std::micro>(t2 - t1).count());
    }
    std::sort(total.begin(), total.end());
    std::sort(decode.begin(), decode.end());
    if (pass >= 2) {
      std::printf("%s output: pread + decode p50 %.1f us, decode alone p50 %.1f us\n",
                  cold ? "cold (64 MiB ring)" : "hot (one buffer)", total[total.size() / 2],
                  decode[decode.size() / 2]);
    }
  }
  return 0;
}

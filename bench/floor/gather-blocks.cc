// The floor under cached 100³ reads: 50 random 100³ regions of a 512³ uint8 volume held
// as 16³ separately allocated, decoded 32³ blocks (as a warm BlockCache holds them),
// copied into one reused 100³ buffer block by block and output row by output row; and a
// contiguous 1 MiB memcpy out of a 64 MiB set for comparison (docs/performance.md,
// "Fifth look").
//
//   g++ -O3 bench/floor/gather-blocks.cc -o /tmp/gather-blocks && /tmp/gather-blocks
#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <vector>

namespace {

constexpr int B = 32, NB = 16, E = 100;
std::vector<uint8_t*> blocks;

const uint8_t* block(int x, int y, int z) { return blocks[size_t((z * NB + y) * NB + x)]; }

// A piece of a block row: as the addon copies it (one or two fixed-size moves).
inline void piece(uint8_t* d, const uint8_t* s, size_t n) {
  if (n == 32) {
    std::memcpy(d, s, 32);
  } else if (n >= 16) {
    std::memcpy(d, s, 16);
    std::memcpy(d + n - 16, s + n - 16, 16);
  } else if (n >= 8) {
    std::memcpy(d, s, 8);
    std::memcpy(d + n - 8, s + n - 8, 8);
  } else if (n >= 4) {
    std::memcpy(d, s, 4);
    std::memcpy(d + n - 4, s + n - 4, 4);
  } else {
    for (size_t i = 0; i < n; i++) d[i] = s[i];
  }
}

void blockByBlock(uint8_t* out, int ox, int oy, int oz) {
  for (int bz = oz / B; bz <= (oz + E - 1) / B; bz++)
    for (int by = oy / B; by <= (oy + E - 1) / B; by++)
      for (int bx = ox / B; bx <= (ox + E - 1) / B; bx++) {
        const uint8_t* b = block(bx, by, bz);
        const int x0 = std::max(ox, bx * B), x1 = std::min(ox + E, bx * B + B);
        const int y0 = std::max(oy, by * B), y1 = std::min(oy + E, by * B + B);
        const int z0 = std::max(oz, bz * B), z1 = std::min(oz + E, bz * B + B);
        for (int z = z0; z < z1; z++)
          for (int y = y0; y < y1; y++)
            piece(out + size_t(z - oz) * E * E + size_t(y - oy) * E + (x0 - ox),
                  b + ((z - bz * B) * B + (y - by * B)) * B + (x0 - bx * B), size_t(x1 - x0));
      }
}

void rowByRow(uint8_t* out, int ox, int oy, int oz) {
  for (int z = oz; z < oz + E; z++) {
    const int bz = z / B;
    for (int by = oy / B; by <= (oy + E - 1) / B; by++) {
      const int y0 = std::max(oy, by * B), y1 = std::min(oy + E, by * B + B);
      const uint8_t* src[8];
      int at[8], len[8], k = 0;
      for (int bx = ox / B; bx <= (ox + E - 1) / B; bx++, k++) {
        const int x0 = std::max(ox, bx * B), x1 = std::min(ox + E, bx * B + B);
        src[k] = block(bx, by, bz) + (z - bz * B) * B * B + (x0 - bx * B);
        at[k] = x0 - ox;
        len[k] = x1 - x0;
      }
      for (int y = y0; y < y1; y++) {
        uint8_t* d = out + size_t(z - oz) * E * E + size_t(y - oy) * E;
        for (int j = 0; j < k; j++) piece(d + at[j], src[j] + (y - by * B) * B, size_t(len[j]));
      }
    }
  }
}

double microsPer(int n, std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count() / n;
}

}  // namespace

int main() {
  for (int i = 0; i < NB * NB * NB; i++) {
    auto* p = static_cast<uint8_t*>(std::aligned_alloc(64, B * B * B));
    for (int j = 0; j < B * B * B; j++) p[j] = uint8_t(i * 7 + j);
    blocks.push_back(p);
  }
  std::shuffle(blocks.begin(), blocks.end(), std::mt19937(1));  // scattered in memory
  std::mt19937 rng(5);
  std::vector<std::array<int, 3>> regions;
  for (int i = 0; i < 50; i++) regions.push_back({int(rng() % (512 - E)), int(rng() % (512 - E)), int(rng() % (512 - E))});
  std::vector<uint8_t> a(E * E * E), b(E * E * E);
  for (auto& o : regions) {
    blockByBlock(a.data(), o[0], o[1], o[2]);
    rowByRow(b.data(), o[0], o[1], o[2]);
    if (a != b) return 1;
  }
  for (int rep = 0; rep < 3; rep++) {
    for (int mode = 0; mode < 2; mode++) {
      const auto t0 = std::chrono::steady_clock::now();
      for (int pass = 0; pass < 40; pass++)
        for (auto& o : regions) (mode ? rowByRow : blockByBlock)(a.data(), o[0], o[1], o[2]);
      std::printf("%-16s %.1f us per 100^3 region\n", mode ? "row by row" : "block by block", microsPer(40 * 50, t0));
    }
  }
  std::vector<uint8_t> set(size_t(64) << 20, 1), out(size_t(1) << 20);
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < 2000; i++) std::memcpy(out.data(), set.data() + (size_t(rng() % 63) << 20), out.size());
  std::printf("memcpy of 1 MiB out of 64 MiB: %.1f us\n", microsPer(2000, t0));
  for (auto* p : blocks) std::free(p);
  return 0;
}

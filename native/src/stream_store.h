// Non-temporal stores: write whole cache lines without reading them first (a plain store
// to memory not in the cache reads the line from DRAM before overwriting it). For results
// whose memory is not in the cache; the caller issues streamFence() before telling another
// thread that the data is there.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

namespace wkw {

// Copies `n` bytes (a multiple of 16) to 16-byte-aligned `d` with non-temporal stores.
inline void streamBytes(uint8_t* d, const uint8_t* s, size_t n) {
#ifdef __SSE2__
  for (size_t i = 0; i < n; i += 16) {
    _mm_stream_si128(reinterpret_cast<__m128i*>(d + i),
                     _mm_loadu_si128(reinterpret_cast<const __m128i*>(s + i)));
  }
#else
  std::memcpy(d, s, n);
#endif
}

inline void streamFence() {
#ifdef __SSE2__
  _mm_sfence();
#endif
}

}  // namespace wkw

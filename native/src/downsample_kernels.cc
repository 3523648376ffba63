// The filters of downsampleRegion. Byte-identical to webknossos-libs' numpy kernels:
//   median: np.median(...).astype(dtype): the two middle values (or the one) are averaged
//     in float64 for integer types (then truncated toward zero), in the float's own type
//     for floats (sum rounded to the type, then halved); a NaN makes the result NaN;
//   mode: the most frequent value, ties to the smallest (the numpy sort-based kernel);
//   max / min: NaN propagates.
// Ours: average (integers: exact sum, rounded half to even; floats: float64 sum) and
// nearest (the voxel at the lowest corner of each factor block).
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>
#include <vector>

#include "downsample.h"
#include "errors.h"

namespace wkw {
namespace {

__extension__ typedef __int128 Int128;  // exact sums of 64-bit values

template <typename T>
inline bool isNan(T v) {
  if constexpr (std::is_floating_point_v<T>) return v != v;
  return false;
}

// Float64 → integer type T as numpy's astype does for values in range; out-of-range values
// (only possible for 64-bit types near their limits) saturate.
template <typename T>
inline T fromDouble(double d) {
  if constexpr (std::is_floating_point_v<T>) {
    return T(d);
  } else {
    d = std::trunc(d);
    if (d <= double(std::numeric_limits<T>::min())) return std::numeric_limits<T>::min();
    if (d >= double(std::numeric_limits<T>::max())) return std::numeric_limits<T>::max();
    return T(d);
  }
}

// The median of the middle value(s) `a` (and `b` for an even count).
template <typename T>
inline T medianOf(T a, T b, bool even) {
  if constexpr (std::is_floating_point_v<T>) {
    if (!even) return a;
    T s = a + b;  // rounded to T, as numpy's mean in the input's float type
    return s / T(2);
  } else if constexpr (sizeof(T) <= 4) {
    // Exact in float64, so integer arithmetic gives the same truncated result.
    if (!even) return a;
    return T((int64_t(a) + int64_t(b)) / 2);
  } else {
    if (!even) return fromDouble<T>(double(a));
    return fromDouble<T>((double(a) + double(b)) / 2.0);
  }
}

template <typename T>
inline bool lessNanLast(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    if (isNan(a)) return false;
    if (isNan(b)) return true;
  }
  return a < b;
}

// Mode of sorted values: the longest run, the first (smallest) on ties. NaNs (sorted last)
// never equal each other, as in numpy's diff.
template <typename T>
inline T modeOfSorted(const T* s, int64_t n) {
  T best = s[0];
  int64_t bestLen = 0, runStart = 0;
  for (int64_t i = 1; i <= n; i++) {
    if (i == n || !(s[i] == s[runStart])) {
      if (i - runStart > bestLen) {
        bestLen = i - runStart;
        best = s[runStart];
      }
      runStart = i;
    }
  }
  return best;
}

template <typename T>
inline T roundedMean(const T* v, int64_t n) {
  if constexpr (std::is_floating_point_v<T>) {
    double s = 0;
    for (int64_t i = 0; i < n; i++) s += double(v[i]);
    return T(s / double(n));
  } else {
    Int128 s = 0;
    for (int64_t i = 0; i < n; i++) s += v[i];
    Int128 q = s / n, r = s % n;
    if (r < 0) {
      q -= 1;
      r += n;
    }
    if (2 * r > n || (2 * r == n && (q & 1) != 0)) q += 1;
    return T(q);
  }
}

// The filter over `n` gathered values (`v` may be reordered).
template <typename T, Filter F>
inline T reduce(T* v, int64_t n) {
  if constexpr (F == Filter::kNearest) {
    return v[0];
  } else if constexpr (F == Filter::kMax || F == Filter::kMin) {
    T m = v[0];
    bool nan = isNan(m);
    for (int64_t i = 1; i < n; i++) {
      nan |= isNan(v[i]);
      if constexpr (F == Filter::kMax) m = v[i] > m ? v[i] : m;
      else m = v[i] < m ? v[i] : m;
    }
    if constexpr (std::is_floating_point_v<T>) {
      if (nan) return std::numeric_limits<T>::quiet_NaN();
    }
    return m;
  } else if constexpr (F == Filter::kAverage) {
    return roundedMean(v, n);
  } else if constexpr (F == Filter::kMedian) {
    if constexpr (std::is_floating_point_v<T>) {
      for (int64_t i = 0; i < n; i++)
        if (isNan(v[i])) return std::numeric_limits<T>::quiet_NaN();
    }
    const int64_t h = n / 2;
    std::nth_element(v, v + h, v + n);
    const T hi = v[h];
    if (n % 2) return medianOf<T>(hi, hi, false);
    const T lo = *std::max_element(v, v + h);
    return medianOf<T>(lo, hi, true);
  } else {  // kMode
    bool uniform = true;
    for (int64_t i = 1; i < n; i++) uniform &= v[i] == v[0];
    if (uniform && !isNan(v[0])) return v[0];
    if (n <= 16) {
      for (int64_t i = 1; i < n; i++) {  // insertion sort: the usual 4 or 8 values
        T x = v[i];
        int64_t j = i;
        for (; j > 0 && lessNanLast(x, v[j - 1]); j--) v[j] = v[j - 1];
        v[j] = x;
      }
    } else {
      std::sort(v, v + n, lessNanLast<T>);
    }
    return modeOfSorted(v, n);
  }
}

// Sorting networks for the common factor sets 2-2-2 (8 values) and 2-2-1 (4 values):
// branchless min/max, so the row loops vectorise.
template <typename T>
inline void cswap(T& a, T& b) {
  const T lo = b < a ? b : a;
  const T hi = b < a ? a : b;
  a = lo;
  b = hi;
}

template <typename T>
inline void sort4(T* v) {
  cswap(v[0], v[1]); cswap(v[2], v[3]); cswap(v[0], v[2]); cswap(v[1], v[3]); cswap(v[1], v[2]);
}

template <typename T>
inline void sort8(T* v) {
  cswap(v[0], v[2]); cswap(v[1], v[3]); cswap(v[4], v[6]); cswap(v[5], v[7]);
  cswap(v[0], v[4]); cswap(v[1], v[5]); cswap(v[2], v[6]); cswap(v[3], v[7]);
  cswap(v[0], v[1]); cswap(v[2], v[3]); cswap(v[4], v[5]); cswap(v[6], v[7]);
  cswap(v[2], v[4]); cswap(v[3], v[5]);
  cswap(v[1], v[4]); cswap(v[3], v[6]);
  cswap(v[1], v[2]); cswap(v[3], v[4]); cswap(v[5], v[6]);
}

// Filters over exactly N = 4 or 8 values of an integer type, network-based.
template <typename T, Filter F, int N>
inline T reduceFixed(T* v) {
  if constexpr (F == Filter::kMedian && std::is_integral_v<T>) {
    if constexpr (N == 8) sort8(v); else sort4(v);
    return medianOf<T>(v[N / 2 - 1], v[N / 2], true);
  } else if constexpr (F == Filter::kMode && std::is_integral_v<T>) {
    bool uniform = true;
    for (int i = 1; i < N; i++) uniform &= v[i] == v[0];
    if (uniform) return v[0];
    if constexpr (N == 8) sort8(v); else sort4(v);
    return modeOfSorted(v, N);
  } else {
    return reduce<T, F>(v, N);
  }
}

// Any factors, any strides, zero padding: gathers each factor block, then reduces.
template <typename T, Filter F>
void generic(const StridedArray& in, const int64_t f[3], const StridedArray& out, int64_t z0,
             int64_t z1) {
  const T* src = reinterpret_cast<const T*>(in.base);
  T* dst = reinterpret_cast<T*>(out.base);
  const int64_t n = f[0] * f[1] * f[2];
  std::vector<T> v(static_cast<size_t>(n));
  for (int64_t oz = z0; oz < z1; oz++)
    for (int64_t oy = 0; oy < out.shape[2]; oy++)
      for (int64_t ox = 0; ox < out.shape[1]; ox++)
        for (int64_t c = 0; c < out.shape[0]; c++) {
          int64_t k = 0;
          for (int64_t dz = 0; dz < f[2]; dz++) {
            const int64_t iz = oz * f[2] + dz;
            for (int64_t dy = 0; dy < f[1]; dy++) {
              const int64_t iy = oy * f[1] + dy;
              for (int64_t dx = 0; dx < f[0]; dx++) {
                const int64_t ix = ox * f[0] + dx;
                const bool inside = ix < in.shape[1] && iy < in.shape[2] && iz < in.shape[3];
                v[size_t(k++)] = inside ? src[c * in.stride[0] + ix * in.stride[1] +
                                              iy * in.stride[2] + iz * in.stride[3]]
                                        : T(0);
              }
            }
          }
          dst[c * out.stride[0] + ox * out.stride[1] + oy * out.stride[2] + oz * out.stride[3]] =
              reduce<T, F>(v.data(), n);
        }
}

// Factors 2-2-FZ (FZ 1 or 2), one channel, x contiguous, no padding.
template <typename T, int FZ>
struct Rows {
  const T *r00, *r01, *r10, *r11;
  // The 4 or 8 values of output voxel ox.
  void load(int64_t ox, T* v) const {
    const int64_t x = 2 * ox;
    v[0] = r00[x]; v[1] = r00[x + 1]; v[2] = r01[x]; v[3] = r01[x + 1];
    if constexpr (FZ == 2) {
      v[4] = r10[x]; v[5] = r10[x + 1]; v[6] = r11[x]; v[7] = r11[x + 1];
    }
  }
};

template <typename T, Filter F, int FZ>
void fast22(const StridedArray& in, const StridedArray& out, int64_t z0, int64_t z1) {
  constexpr int N = 4 * FZ;
  const T* src = reinterpret_cast<const T*>(in.base);
  T* dst = reinterpret_cast<T*>(out.base);
  const int64_t nx = out.shape[1];
  const int64_t ox1 = out.stride[1];
  thread_local std::vector<uint8_t> mixed;  // per row: the block is not uniform
  if (mixed.size() < size_t(nx)) mixed.resize(size_t(nx));
  for (int64_t oz = z0; oz < z1; oz++)
    for (int64_t oy = 0; oy < out.shape[2]; oy++) {
      Rows<T, FZ> rows;
      rows.r00 = src + 2 * oy * in.stride[2] + FZ * oz * in.stride[3];
      rows.r01 = rows.r00 + in.stride[2];
      rows.r10 = FZ == 2 ? rows.r00 + in.stride[3] : rows.r00;
      rows.r11 = FZ == 2 ? rows.r01 + in.stride[3] : rows.r01;
      T* o = dst + oy * out.stride[2] + oz * out.stride[3];
      if constexpr (F == Filter::kMode && std::is_integral_v<T>) {
        // Segmentation: most blocks are uniform. A branchless min/max pass writes those
        // (and vectorises); a second pass computes the mode of the mixed ones.
        uint8_t* m = mixed.data();
        for (int64_t ox = 0; ox < nx; ox++) {
          T v[N];
          rows.load(ox, v);
          T lo = v[0], hi = v[0];
          for (int i = 1; i < N; i++) {
            lo = v[i] < lo ? v[i] : lo;
            hi = v[i] > hi ? v[i] : hi;
          }
          o[ox * ox1] = lo;
          m[ox] = lo != hi;
        }
        for (int64_t ox = 0; ox < nx; ox++) {
          if (!m[ox]) continue;
          T v[N];
          rows.load(ox, v);
          o[ox * ox1] = reduceFixed<T, F, N>(v);
        }
      } else {
        for (int64_t ox = 0; ox < nx; ox++) {
          T v[N];
          rows.load(ox, v);
          o[ox * ox1] = reduceFixed<T, F, N>(v);
        }
      }
    }
}

template <typename T>
bool uniformValue(const StridedArray& in, T& value) {
  const T* src = reinterpret_cast<const T*>(in.base);
  value = src[0];
  if (isNan(value)) return false;
  for (int64_t z = 0; z < in.shape[3]; z++)
    for (int64_t y = 0; y < in.shape[2]; y++)
      for (int64_t x = 0; x < in.shape[1]; x++) {
        const T* p = src + x * in.stride[1] + y * in.stride[2] + z * in.stride[3];
        for (int64_t c = 0; c < in.shape[0]; c++)
          if (!(p[c * in.stride[0]] == value)) return false;
      }
  return true;
}

// Whether every filter returns v for a block of copies of v (median of huge 64-bit
// integers goes through float64, of floats through v + v, so they are excluded).
template <typename T>
bool uniformSafe(Filter filter, T v) {
  if (filter != Filter::kMedian) return std::is_integral_v<T> || filter != Filter::kAverage;
  if constexpr (std::is_integral_v<T> && sizeof(T) <= 4) {
    return true;
  } else if constexpr (std::is_integral_v<T>) {
    const T lim = T(int64_t(1) << 53);  // exact in float64
    if constexpr (std::is_unsigned_v<T>) return v <= lim;
    else return v <= lim && v >= -lim;
  }
  return v == T(0);
}

template <typename T, Filter F>
void run(const StridedArray& in, const int64_t f[3], const StridedArray& out, int64_t z0,
         int64_t z1) {
  if (z0 >= z1 || out.shape[0] == 0 || out.shape[1] == 0 || out.shape[2] == 0) return;
  const bool padded = in.shape[1] % f[0] || in.shape[2] % f[1] || in.shape[3] % f[2];
  // Fast path: a uniform input (all zeros, a segmentation interior) fills the output.
  if (!padded) {
    StridedArray part = in;
    part.base = in.base + (z0 * f[2] * in.stride[3]) * int64_t(sizeof(T));
    part.shape[3] = (z1 - z0) * f[2];
    T v;
    if (uniformValue<T>(part, v) && uniformSafe<T>(F, v)) {
      T* dst = reinterpret_cast<T*>(out.base);
      for (int64_t oz = z0; oz < z1; oz++)
        for (int64_t oy = 0; oy < out.shape[2]; oy++)
          for (int64_t ox = 0; ox < out.shape[1]; ox++)
            for (int64_t c = 0; c < out.shape[0]; c++)
              dst[c * out.stride[0] + ox * out.stride[1] + oy * out.stride[2] + oz * out.stride[3]] = v;
      return;
    }
  }
  const bool simple = !padded && in.shape[0] == 1 && in.stride[1] == 1 && f[0] == 2 && f[1] == 2;
  if constexpr (std::is_integral_v<T> || F == Filter::kMax || F == Filter::kMin) {
    if (simple && f[2] == 2) return fast22<T, F, 2>(in, out, z0, z1);
    if (simple && f[2] == 1) return fast22<T, F, 1>(in, out, z0, z1);
  }
  generic<T, F>(in, f, out, z0, z1);
}

template <typename T>
void dispatchFilter(Filter filter, const StridedArray& in, const int64_t f[3],
                    const StridedArray& out, int64_t z0, int64_t z1) {
  switch (filter) {
    case Filter::kMedian: return run<T, Filter::kMedian>(in, f, out, z0, z1);
    case Filter::kMode: return run<T, Filter::kMode>(in, f, out, z0, z1);
    case Filter::kMax: return run<T, Filter::kMax>(in, f, out, z0, z1);
    case Filter::kMin: return run<T, Filter::kMin>(in, f, out, z0, z1);
    case Filter::kAverage: return run<T, Filter::kAverage>(in, f, out, z0, z1);
    case Filter::kNearest: return run<T, Filter::kNearest>(in, f, out, z0, z1);
  }
}

}  // namespace

bool parseFilter(const std::string& name, Filter& out) {
  static const struct { const char* name; Filter filter; } kNames[] = {
      {"median", Filter::kMedian}, {"mode", Filter::kMode},       {"max", Filter::kMax},
      {"min", Filter::kMin},       {"average", Filter::kAverage}, {"nearest", Filter::kNearest}};
  for (const auto& n : kNames) {
    if (name == n.name) {
      out = n.filter;
      return true;
    }
  }
  return false;
}

const char* supportedFilters() { return "median, mode, max, min, average, nearest"; }

void downsampleRegion(uint8_t voxelType, Filter filter, const StridedArray& in,
                      const int64_t factors[3], const StridedArray& out, int64_t z0, int64_t z1) {
  switch (voxelType) {
    case 1: return dispatchFilter<uint8_t>(filter, in, factors, out, z0, z1);
    case 2: return dispatchFilter<uint16_t>(filter, in, factors, out, z0, z1);
    case 3: return dispatchFilter<uint32_t>(filter, in, factors, out, z0, z1);
    case 4: return dispatchFilter<uint64_t>(filter, in, factors, out, z0, z1);
    case 5: return dispatchFilter<float>(filter, in, factors, out, z0, z1);
    case 6: return dispatchFilter<double>(filter, in, factors, out, z0, z1);
    case 7: return dispatchFilter<int8_t>(filter, in, factors, out, z0, z1);
    case 8: return dispatchFilter<int16_t>(filter, in, factors, out, z0, z1);
    case 9: return dispatchFilter<int32_t>(filter, in, factors, out, z0, z1);
    case 10: return dispatchFilter<int64_t>(filter, in, factors, out, z0, z1);
    default: throwArgument("unknown voxel type " + std::to_string(voxelType));
  }
}

}  // namespace wkw

// Independent reference routines for the downsampling tests, written from the rules of
// issue 13 (webknossos-libs' numpy kernels), one voxel at a time in plain JS.
//
// median: odd count → the middle value; even → mean of the two middle values, for integer
//   types computed in float64 and truncated toward zero, for floats in the float's type
//   (the sum rounded to it, then halved); any NaN → NaN.
// mode: most frequent value, ties to the smallest. max / min (NaN propagates).
// average: integers exact sum, rounded half to even; floats float64 sum / n.
// nearest: the voxel at the lowest corner of the block.

const isBig = (data) => data instanceof BigInt64Array || data instanceof BigUint64Array;
const isFloat = (data) => data instanceof Float32Array || data instanceof Float64Array;

function castInt(data, v /* number */) {
  // float64 → integer type, truncated (values are in range in the tests)
  const t = Math.trunc(v);
  return isBig(data) ? BigInt(t) : t;
}

export function median(values, data) {
  if (isFloat(data) && values.some((v) => Number.isNaN(v))) return NaN;
  const s = [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const n = s.length;
  const hi = s[n >> 1];
  if (n % 2 === 1) return isFloat(data) ? hi : castInt(data, Number(hi));
  const lo = s[(n >> 1) - 1];
  if (data instanceof Float32Array) return Math.fround(Math.fround(lo + hi) / 2);
  if (data instanceof Float64Array) return (lo + hi) / 2;
  return castInt(data, (Number(lo) + Number(hi)) / 2);
}

export function mode(values) {
  const counts = new Map();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best, bestCount = 0;
  for (const [v, c] of counts) {
    if (c > bestCount || (c === bestCount && v < best)) {
      best = v;
      bestCount = c;
    }
  }
  return best;
}

export function extreme(values, data, wantMax) {
  if (isFloat(data) && values.some((v) => Number.isNaN(v))) return NaN;
  return values.reduce((m, v) => (wantMax ? (v > m ? v : m) : v < m ? v : m));
}

export function average(values, data) {
  if (isFloat(data)) {
    const s = values.reduce((a, v) => a + v, 0) / values.length;
    return data instanceof Float32Array ? Math.fround(s) : s;
  }
  const n = BigInt(values.length);
  const s = values.reduce((a, v) => a + BigInt(v), 0n);
  let q = s / n, r = s % n;
  if (r < 0n) { q -= 1n; r += n; }
  if (2n * r > n || (2n * r === n && (q & 1n) === 1n)) q += 1n;
  return isBig(data) ? q : Number(q);
}

const FILTERS = {
  median: (v, d) => median(v, d),
  mode: (v) => mode(v),
  max: (v, d) => extreme(v, d, true),
  min: (v, d) => extreme(v, d, false),
  average: (v, d) => average(v, d),
  nearest: (v) => v[0],
};

/** Downsamples a dense Fortran (c, x, y, z) array with zero padding; returns { data, shape }. */
export function referenceDownsample({ data, shape }, factors, modeName) {
  const [c, sx, sy, sz] = shape;
  const [fx, fy, fz] = factors;
  const out = [c, Math.ceil(sx / fx), Math.ceil(sy / fy), Math.ceil(sz / fz)];
  const result = new data.constructor(out[0] * out[1] * out[2] * out[3]);
  const zero = isBig(data) ? 0n : 0;
  const filter = FILTERS[modeName];
  let i = 0;
  for (let oz = 0; oz < out[3]; oz++)
    for (let oy = 0; oy < out[2]; oy++)
      for (let ox = 0; ox < out[1]; ox++)
        for (let ch = 0; ch < c; ch++) {
          const values = [];
          for (let dz = 0; dz < fz; dz++)
            for (let dy = 0; dy < fy; dy++)
              for (let dx = 0; dx < fx; dx++) {
                const x = ox * fx + dx, y = oy * fy + dy, z = oz * fz + dz;
                values.push(x < sx && y < sy && z < sz ? data[ch + c * (x + sx * (y + sy * z))] : zero);
              }
          result[i++] = filter(values, data);
        }
  return { data: result, shape: out };
}

/** Replicates every voxel of a dense (c, x, y, z) array into a factors-sized block. */
export function referenceUpsample({ data, shape }, factors) {
  const [c, sx, sy, sz] = shape;
  const out = [c, sx * factors[0], sy * factors[1], sz * factors[2]];
  const result = new data.constructor(out[0] * out[1] * out[2] * out[3]);
  let i = 0;
  for (let z = 0; z < out[3]; z++)
    for (let y = 0; y < out[2]; y++)
      for (let x = 0; x < out[1]; x++)
        for (let ch = 0; ch < c; ch++) {
          const X = Math.floor(x / factors[0]), Y = Math.floor(y / factors[1]), Z = Math.floor(z / factors[2]);
          result[i++] = data[ch + c * (X + sx * (Y + sy * Z))];
        }
  return { data: result, shape: out };
}

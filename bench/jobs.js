"use strict";
// The user chunk job of bench/executors.js, as a user would write one: read the chunk,
// look at it (a sparse checksum), return a small result.
async function checksumChunk(view) {
  const a = await view.read();
  let s = 0;
  for (let i = 0; i < a.data.length; i += 4096) s = (s + a.data[i]) % 1e9;
  return s;
}

module.exports = { checksumChunk };

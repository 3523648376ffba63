// `serve()` over real HTTP on loopback: the precomputed info and chunks (bytes equal to
// mag.read, channels reordered), gzip, CORS, caching validators, hostile requests, a corrupt
// cube file, 64 concurrent clients, close() and the `wkw serve` command with its signals.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { BlockCache, Dataset, serve } from "../dist/index.js";
import { rejectsWkw } from "./support/dataset.mjs";
import { SCALE, buildServeDataset } from "./support/serve-dataset.mjs";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";

const CLI = fileURLToPath(new URL("../dist/cli/main.js", import.meta.url));
const BYTES = { uint8: 1, int8: 1, uint16: 2, int16: 2, uint32: 4, int32: 4, float32: 4, uint64: 8 };
const TYPES = ["uint8", "uint16", "int8", "int16", "int32", "uint32", "uint64", "float32"];

let dir, root, server, ds;
before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "wkw-serve-"));
  root = await buildServeDataset(dir);
  ds = await Dataset.open(root, { readOnly: true });
  server = await serve(root, { port: 0, cors: undefined });
});
after(async () => {
  await server?.close();
  ds?.close();
  rmSync(dir, { recursive: true, force: true });
});

const bytesOf = (a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
const sha = (b) => createHash("sha256").update(b).digest("hex");

/** What a chunk must hold: mag.read of the box, channel slowest (reordered here in plain JS). */
async function expectedChunk(layerName, key, offset, size) {
  const layer = ds.getLayer(layerName);
  const mag = [...layer.mags.values()].find((m) => path.basename(m.path) === key);
  const arr = await mag.read(offset, size);
  const c = arr.shape[0];
  if (c === 1) return bytesOf(arr.data);
  const n = arr.data.length / c;
  const planar = new arr.data.constructor(arr.data.length);
  for (let v = 0; v < n; v++) for (let ch = 0; ch < c; ch++) planar[ch * n + v] = arr.data[v * c + ch];
  return bytesOf(planar);
}

/** Every chunk name of a scale's grid (clipped at the end), from its info. */
function chunkNames(scale) {
  const names = [];
  const [cx, cy, cz] = scale.chunk_sizes[0];
  const [ox, oy, oz] = scale.voxel_offset;
  const [sx, sy, sz] = scale.size;
  for (let x = ox; x < ox + sx; x += cx)
    for (let y = oy; y < oy + sy; y += cy)
      for (let z = oz; z < oz + sz; z += cz) {
        const e = [Math.min(x + cx, ox + sx), Math.min(y + cy, oy + sy), Math.min(z + cz, oz + sz)];
        names.push({ name: `${x}-${e[0]}_${y}-${e[1]}_${z}-${e[2]}`, offset: [x, y, z], size: [e[0] - x, e[1] - y, e[2] - z] });
      }
  return names;
}

async function getJson(p) {
  const res = await fetch(server.url + p);
  assert.equal(res.status, 200, p);
  return res.json();
}

/** A raw HTTP/1.1 request (no client-side normalisation of the path): status and body. */
function rawRequest(port, method, target, headers = "") {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1");
    const chunks = [];
    socket.on("data", (d) => chunks.push(d));
    socket.on("error", reject);
    socket.on("end", () => {
      const text = Buffer.concat(chunks).toString("latin1");
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1]);
      resolve({ status, text });
    });
    socket.write(`${method} ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n${headers}\r\n`);
  });
}

describe("info", () => {
  test("color: image, uint8, one scale per mag (anisotropic 2-2-1) with grid and resolution", async () => {
    assert.deepEqual(await getJson("color/info"), {
      "@type": "neuroglancer_multiscale_volume",
      type: "image",
      data_type: "uint8",
      num_channels: 1,
      scales: [
        { key: "1", resolution: SCALE, voxel_offset: [10, 20, 6], size: [140, 100, 60], chunk_sizes: [[64, 64, 60]], encoding: "raw" },
        { key: "2-2-1", resolution: [22.48, 22.48, 25], voxel_offset: [5, 10, 6], size: [70, 50, 60], chunk_sizes: [[64, 50, 60]], encoding: "raw" },
      ],
    });
  });

  test("segmentation: type segmentation, uint32, mags 1 and 2 (floor/ceil of the box)", async () => {
    const info = await getJson("segmentation/info");
    assert.equal(info.type, "segmentation");
    assert.equal(info.data_type, "uint32");
    assert.equal(info.num_channels, 1);
    assert.deepEqual(info.scales.map((s) => [s.key, s.resolution, s.voxel_offset, s.size]), [
      ["1", SCALE, [10, 20, 6], [140, 100, 60]],
      // floor(6 / 2) = 3, ceil(66 / 2) = 33
      ["2", [22.48, 22.48, 50], [5, 10, 3], [70, 50, 30]],
    ]);
  });

  test("rgb: 3 channels", async () => {
    const info = await getJson("rgb/info");
    assert.equal(info.num_channels, 3);
    assert.equal(info.data_type, "uint8");
    assert.deepEqual(info.scales.map((s) => s.key), ["1", "2-2-1"]);
  });

  test("int64 and float64 layers are skipped and said so; the other types are served", async () => {
    assert.deepEqual(server.skipped.map((s) => s.layer), ["t_int64", "t_float64"]);
    assert.match(server.skipped[0].reason, /int64/);
    for (const name of ["t_int64", "t_float64"]) assert.equal((await fetch(`${server.url}${name}/info`)).status, 404);
    for (const t of TYPES.filter((t) => t !== "uint8" && t !== "uint32")) assert.equal((await getJson(`t_${t}/info`)).data_type, t);
  });
});

describe("chunks", () => {
  const layers = [["color", "uint8"], ["segmentation", "uint32"], ["rgb", "uint8"], ...TYPES.filter((t) => t !== "uint8" && t !== "uint32").map((t) => [`t_${t}`, t])];
  for (const [layer, type] of layers) {
    test(`${layer} (${type}): every chunk of every scale equals mag.read, edge chunks included`, async () => {
      const info = await getJson(`${layer}/info`);
      let count = 0;
      for (const scale of info.scales) {
        const names = chunkNames(scale);
        assert.ok(names.length >= 2, "a grid with edge chunks");
        for (const c of names) {
          const res = await fetch(`${server.url}${layer}/${scale.key}/${c.name}`, { headers: { "accept-encoding": "identity" } });
          assert.equal(res.status, 200, c.name);
          assert.equal(res.headers.get("content-type"), "application/octet-stream");
          const body = Buffer.from(await res.arrayBuffer());
          const expected = await expectedChunk(layer, scale.key, c.offset, c.size);
          assert.equal(body.length, c.size[0] * c.size[1] * c.size[2] * info.num_channels * BYTES[type]);
          assert.ok(body.equals(expected), `${layer}/${scale.key}/${c.name}`);
          count++;
        }
      }
      assert.ok(count >= 4);
    });
  }

  test("3 channels come channel-slowest: first voxel's channels are planes apart", async () => {
    const res = await fetch(`${server.url}rgb/1/10-74_20-84_6-66`, { headers: { "accept-encoding": "identity" } });
    const body = Buffer.from(await res.arrayBuffer());
    const n = 64 * 64 * 60;
    assert.equal(body.length, 3 * n);
    // test/support/serve-dataset.mjs: channel 0 = 2x, 1 = 2y, 2 = 4z (mod 256) at voxel (10, 20, 6)
    assert.deepEqual([body[0], body[n], body[2 * n]], [20, 40, 24]);
    assert.deepEqual([body[1], body[n + 64], body[2 * n + 64 * 64]], [22, 42, 28]);
  });

  test("gzip when accepted: same bytes after gunzip, Vary: Accept-Encoding", async () => {
    const url = `${server.url}segmentation/1/10-74_20-84_6-66`;
    // fetch decodes the gzip itself; the raw request below checks the bytes on the wire
    const res = await fetch(url, { headers: { "accept-encoding": "gzip" } });
    assert.equal(res.headers.get("content-encoding"), "gzip");
    assert.match(res.headers.get("vary"), /accept-encoding/i);
    const decoded = Buffer.from(await res.arrayBuffer());
    assert.ok(decoded.equals(await expectedChunk("segmentation", "1", [10, 20, 6], [64, 64, 60])));
    const raw = await rawBody(server.port, "/segmentation/1/10-74_20-84_6-66", "Accept-Encoding: gzip\r\n");
    assert.ok(raw.body.length < decoded.length / 4, `compressed ${raw.body.length} of ${decoded.length}`);
    assert.ok(gunzipSync(raw.body).equals(decoded));
  });

  test("CORS: Access-Control-Allow-Origin * by default", async () => {
    const res = await fetch(`${server.url}color/info`, { headers: { origin: "https://webknossos.org" } });
    assert.equal(res.headers.get("access-control-allow-origin"), "*");
  });

  test("ETag from the cube files: 304 when unchanged; a rewritten file changes it and serves the new data", async () => {
    const url = `${server.url}color/1/74-138_20-84_6-66`;
    const first = await fetch(url);
    const etag = first.headers.get("etag");
    assert.match(etag, /^W\/"[\w-]+"$/);
    assert.equal(first.headers.get("cache-control"), "no-cache");
    assert.equal((await fetch(url, { headers: { "if-none-match": etag } })).status, 304);
    const other = await fetch(`${server.url}color/1/10-74_20-84_6-66`);
    assert.notEqual(other.headers.get("etag"), etag);

    // rewrite the data under this chunk through a writable handle (atomic file replacement)
    const writable = await Dataset.open(root);
    const mag = writable.getLayer("color").getMag(1);
    const fill = new Uint8Array(64 * 64 * 60).fill(77);
    await mag.write({ data: fill, shape: [64, 64, 60] }, [74, 20, 6]);
    writable.close();
    const again = await fetch(url, { headers: { "if-none-match": etag, "accept-encoding": "identity" } });
    assert.equal(again.status, 200);
    assert.notEqual(again.headers.get("etag"), etag);
    assert.ok(Buffer.from(await again.arrayBuffer()).equals(Buffer.from(fill)));
  });
});

/** The undecoded body of a GET (Content-Length or chunked). */
function rawBody(port, target, headers) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1");
    const chunks = [];
    socket.on("data", (d) => chunks.push(d));
    socket.on("error", reject);
    socket.on("end", () => {
      const all = Buffer.concat(chunks);
      const split = all.indexOf("\r\n\r\n");
      const head = all.subarray(0, split).toString("latin1");
      let body = all.subarray(split + 4);
      if (/transfer-encoding: chunked/i.test(head)) {
        const parts = [];
        let i = 0;
        for (;;) {
          const eol = body.indexOf("\r\n", i);
          const len = parseInt(body.subarray(i, eol).toString(), 16);
          if (!len) break;
          parts.push(body.subarray(eol + 2, eol + 2 + len));
          i = eol + 2 + len + 2;
        }
        body = Buffer.concat(parts);
      }
      resolve({ head, body });
    });
    socket.write(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n${headers}\r\n`);
  });
}

describe("refused requests", () => {
  test("methods other than GET and HEAD: 405 with Allow", async () => {
    for (const method of ["POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE"]) {
      const res = await rawRequest(server.port, method, "/color/info", method === "OPTIONS" ? "" : "Content-Length: 0\r\n");
      assert.equal(res.status, 405, method);
      assert.match(res.text, /allow: GET, HEAD/i);
    }
    // a CORS preflight (OPTIONS with Access-Control-Request-Method) is answered, nothing else
    const preflight = await rawRequest(server.port, "OPTIONS", "/color/info", "Origin: https://x.org\r\nAccess-Control-Request-Method: GET\r\n");
    assert.equal(preflight.status, 204);
    assert.match(preflight.text, /access-control-allow-methods: GET, HEAD/i);
    const head = await fetch(`${server.url}color/info`, { method: "HEAD" });
    assert.equal(head.status, 200);
    assert.equal(await head.text(), "");
    const headChunk = await fetch(`${server.url}color/1/10-74_20-84_6-66`, { method: "HEAD", headers: { "accept-encoding": "identity" } });
    assert.equal(headChunk.status, 200);
    assert.equal(headChunk.headers.get("content-length"), String(64 * 64 * 60));
    assert.equal(await headChunk.text(), "");
  });

  test("path traversal and smuggled separators: 4xx, and no file content in the answer", async () => {
    const properties = readFileSync(path.join(root, "datasource-properties.json"), "latin1");
    const hostile = [
      "/../datasource-properties.json", "/color/../../datasource-properties.json", "/%2e%2e/datasource-properties.json",
      "/color/%2e%2e/%2e%2e/datasource-properties.json", "/color%2f..%2fdatasource-properties.json", "/color/1/%2e%2e%2fheader.wkw",
      "/color/1/z0%2fy0%2fx0.wkw", "/color%00/info", "/color/1\\..\\header.wkw", "/datasource-properties.json",
      "/color/1/header.wkw", "/color/1/z0/y0/x0.wkw", "/color/header.wkw", "/.viewer/..%2f..%2fpackage.json", "/.viewer/../index.js", "/.viewer/index.html",
      "//etc/passwd", "/color/./info", "/%5c..%5cdatasource-properties.json",
    ];
    for (const target of hostile) {
      const res = await rawRequest(server.port, "GET", target);
      assert.ok(res.status >= 400 && res.status < 500, `${target}: ${res.status}`);
      assert.ok(!res.text.includes("dataLayers") && !res.text.includes(properties.slice(0, 40)), target);
      assert.ok(!res.text.includes(root), `${target} reveals the dataset path`);
      assert.ok(!/WKW\x01/.test(res.text), `${target} returned a header.wkw`);
    }
  });

  test("malformed, off-grid, oversized and unknown: 400 or 404, before any read", async () => {
    const cases = [
      ["nolayer/info", 404], ["nolayer/1/10-74_20-84_6-66", 404], ["color/4/10-74_20-84_6-66", 404],
      ["color/1/10-74_20-84", 400], ["color/1/a-b_c-d_e-f", 400], ["color/1/10-74_20-84_6-66_1-2", 400],
      ["color/1/-10-74_20-84_6-66", 400], ["color/1/11-75_20-84_6-66", 400], ["color/1/10-75_20-84_6-66", 400],
      ["color/1/10-138_20-84_6-66", 400], ["color/1/74-10_20-84_6-66", 400], ["color/1/10-10_20-84_6-66", 400],
      ["color/1/150-214_20-84_6-66", 404], ["color/1/138-202_20-84_6-66", 400], ["color/1/0-64_20-84_6-66", 404], ["color/1/10-74_20-84_66-126", 404],
      ["color/1/99999999999-99999999999_20-84_6-66", 400], ["color/1/10-74_20-84_6-66/extra", 404],
      ["color/1/74-140_20-84_6-66", 400],
    ];
    for (const [p, status] of cases) {
      const res = await fetch(server.url + p);
      assert.equal(res.status, status, p);
      const body = await res.json();
      assert.equal(typeof body.message, "string");
    }
  });

  test("a corrupt cube file: 500 naming the WkwError code; the server keeps serving", async () => {
    const file = path.join(root, "color", "2-2-1", "z0", "y0", "x0.wkw");
    const bytes = readFileSync(file);
    // garble the jump table (its second entry), replacing the file atomically
    bytes.fill(0xff, 24, 32);
    writeFileSync(`${file}.garbled`, bytes);
    renameSync(`${file}.garbled`, file);
    const res = await fetch(`${server.url}color/2-2-1/5-69_10-60_6-66`);
    assert.equal(res.status, 500);
    const body = await res.json();
    assert.equal(body.error, "ERR_WKW_CORRUPT");
    assert.match(body.message, /jump table/);
    assert.ok(!body.message.includes(root), body.message);
    assert.equal((await fetch(`${server.url}color/1/10-74_20-84_6-66`)).status, 200);
    assert.equal((await fetch(`${server.url}segmentation/info`)).status, 200);
  });
});

test("64 concurrent clients: every answer right, no error", async () => {
  const info = await getJson("segmentation/info");
  const jobs = info.scales.flatMap((s) => chunkNames(s).map((c) => ({ ...c, key: s.key })));
  const expected = new Map();
  for (const j of jobs) expected.set(`${j.key}/${j.name}`, sha(await expectedChunk("segmentation", j.key, j.offset, j.size)));
  let done = 0;
  await Promise.all(Array.from({ length: 64 }, async (_, client) => {
    for (let i = 0; i < 8; i++) {
      const j = jobs[(client * 7 + i * 3) % jobs.length];
      const res = await fetch(`${server.url}segmentation/${j.key}/${j.name}`, { headers: { "accept-encoding": i % 2 ? "gzip" : "identity" } });
      assert.equal(res.status, 200);
      assert.equal(sha(Buffer.from(await res.arrayBuffer())), expected.get(`${j.key}/${j.name}`));
      done++;
    }
  }));
  assert.equal(done, 64 * 8);
});

describe("arguments and lifecycle", () => {
  test("bad arguments: WkwError ERR_WKW_ARGUMENT naming the parameter, nothing listening", async () => {
    await rejectsWkw(serve(42), "ERR_WKW_ARGUMENT", "datasetOrPath");
    await rejectsWkw(serve(""), "ERR_WKW_ARGUMENT", "datasetOrPath");
    await rejectsWkw(serve(root, { port: -1 }), "ERR_WKW_ARGUMENT", "options.port");
    await rejectsWkw(serve(root, { port: 70000 }), "ERR_WKW_ARGUMENT", "options.port");
    await rejectsWkw(serve(root, { cache: "lots" }), "ERR_WKW_ARGUMENT", "options.cache");
    await rejectsWkw(serve(root, { cors: 5 }), "ERR_WKW_ARGUMENT", "options.cors");
    await rejectsWkw(serve(root, { chunkSize: 512 }), "ERR_WKW_ARGUMENT", "options.chunkSize");
    await rejectsWkw(serve(root, { timeoutMs: 0 }), "ERR_WKW_ARGUMENT", "options.timeoutMs");
    await rejectsWkw(serve(root, { signal: "stop" }), "ERR_WKW_ARGUMENT");
    await rejectsWkw(serve(root, { prot: 1 }), "ERR_WKW_ARGUMENT", "options.prot");
    await rejectsWkw(serve(path.join(dir, "nothing")), "ERR_WKW_NOT_FOUND");
  });

  test("a port in use: ERR_WKW_IO", async () => {
    await rejectsWkw(serve(root, { port: server.port }), "ERR_WKW_IO");
  });

  test("a Dataset object, a configured CORS origin, 127.0.0.1 by default; close() stops it, the Dataset stays open", async () => {
    const own = await Dataset.open(root, { readOnly: true });
    const handle = await serve(own, { port: 0, cors: "https://webknossos.org" });
    assert.match(handle.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    const res = await fetch(`${handle.url}color/info`, { headers: { origin: "https://webknossos.org" } });
    assert.equal(res.headers.get("access-control-allow-origin"), "https://webknossos.org");
    await handle.close();
    await handle.close();
    await assert.rejects(fetch(`${handle.url}color/info`));
    assert.equal((await own.getLayer("color").getMag(1).read([10, 20, 6], [1, 1, 1])).data.length, 1);
    own.close();
  });

  test("a request that never completes is cut off after timeoutMs; keep-alive otherwise", async () => {
    const handle = await serve(root, { port: 0, timeoutMs: 300 });
    try {
      const res = await fetch(`${handle.url}color/info`);
      assert.equal(res.headers.get("connection"), "keep-alive");
      const started = Date.now();
      const answer = await new Promise((resolve, reject) => {
        const socket = net.connect(handle.port, "127.0.0.1");
        let text = "";
        socket.on("data", (d) => { text += d; });
        socket.on("error", reject);
        socket.on("close", () => resolve(text));
        socket.write("GET /color/info HTTP/1.1\r\nHost: 127.0.0.1\r\n"); // headers never end
      });
      assert.ok(Date.now() - started < 10_000);
      assert.match(answer, /^$|^HTTP\/1\.1 408/);
    } finally {
      await handle.close();
    }
  });

  test("chunk reads go through the BlockCache: a new one of options.cache bytes, or the caller's", async () => {
    assert.ok(server.cache instanceof BlockCache);
    assert.equal(server.cache.maxBytes, 512e6);
    const own = new BlockCache({ maxBytes: 8 << 20 });
    const handle = await serve(root, { port: 0, cache: own });
    try {
      assert.equal(handle.cache, own);
      const url = `${handle.url}segmentation/1/10-74_20-84_6-66`;
      assert.equal((await fetch(url)).status, 200);
      const first = own.stats();
      assert.ok(first.misses > 0 && first.bytes > 0, JSON.stringify(first));
      const body = Buffer.from(await (await fetch(url, { headers: { "accept-encoding": "identity" } })).arrayBuffer());
      const second = own.stats();
      assert.ok(second.hits >= first.misses, JSON.stringify({ first, second }));
      assert.equal(second.misses, first.misses);
      assert.ok(body.equals(await expectedChunk("segmentation", "1", [10, 20, 6], [64, 64, 60])));
    } finally {
      await handle.close();
    }
    assert.ok(own.stats().bytes > 0, "a caller's cache is not cleared");
    const none = await serve(root, { port: 0, cache: 0 });
    assert.equal(none.cache, undefined);
    assert.equal((await fetch(`${none.url}color/1/10-74_20-84_6-66`)).status, 200);
    await none.close();
  });

  test("an AbortSignal closes the server", async () => {
    const controller = new AbortController();
    const handle = await serve(root, { port: 0, signal: controller.signal });
    assert.equal((await fetch(`${handle.url}color/info`)).status, 200);
    controller.abort();
    await handle.close();
    await assert.rejects(fetch(`${handle.url}color/info`));
  });
});

describe("wkw serve", () => {
  for (const signal of ["SIGINT", "SIGTERM"]) {
    test(`prints the URL, serves, and stops cleanly on ${signal}`, async () => {
      const child = spawn(process.execPath, [CLI, "serve", root, "--port", "0", "--cache", "64MB"], { stdio: ["ignore", "pipe", "pipe"] });
      let out = "", err = "";
      child.stdout.on("data", (d) => { out += d; });
      child.stderr.on("data", (d) => { err += d; });
      const exited = new Promise((resolve) => child.on("exit", (code, sig) => resolve({ code, sig })));
      const deadline = Date.now() + 20_000;
      while (!/http:\/\/127\.0\.0\.1:\d+\//.test(out) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      const url = /http:\/\/127\.0\.0\.1:\d+\//.exec(out)?.[0];
      assert.ok(url, `no URL printed: ${out} ${err}`);
      assert.match(err, /layer t_int64 is not served/);
      assert.equal((await fetch(`${url}color/info`)).status, 200);
      child.kill(signal);
      assert.deepEqual(await exited, { code: 0, sig: null });
      assert.match(err, new RegExp(`${signal}, stopping`));
    });
  }

  test("bad arguments: exit 2 (usage) with the option named", async () => {
    const child = spawn(process.execPath, [CLI, "serve", root, "--port", "eighty"], { stdio: ["ignore", "pipe", "pipe"] });
    let err = "";
    child.stderr.on("data", (d) => { err += d; });
    const code = await new Promise((resolve) => child.on("exit", resolve));
    assert.equal(code, 2);
    assert.match(err, /--port must be an integer in 0\.\.65535, received "eighty"/);
  });
});

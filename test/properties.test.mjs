// Tests for datasource-properties.json: parse/serialise, element classes, atomic save,
// cross-process read-modify-write with the lock file.
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp, rm, cp, readFile, writeFile, readdir, mkdir, utimes, stat } from "node:fs/promises";
import { existsSync, readFileSync } from "node:fs";
import { tmpdir, hostname } from "node:os";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import propertiesPkg from "../dist/dataset/properties.js";
import elementClassPkg from "../dist/dataset/element-class.js";
import atomicPkg from "../dist/util/atomic-file.js";
import errorsPkg from "../dist/errors.js";

const {
  parseProperties, parsePropertiesText, serializeProperties, loadProperties, saveProperties, updateProperties,
  cloneProperties, PROPERTIES_FILE_NAME, PROPERTIES_LOCK_FILE_NAME,
} = propertiesPkg;
const { elementClassFor, dtypePerChannelFrom, dtypePerChannelFromPerLayer, dtypePerLayerFor, isServerElementClass } = elementClassPkg;
const { writeFileAtomic, withFileLock } = atomicPkg;
const { WkwError } = errorsPkg;

const HERE = dirname(fileURLToPath(import.meta.url));
const DIST = resolve(HERE, "../dist");
const FIXTURE = resolve(HERE, "fixtures/webknossos/simple_wkw_dataset");

let root;
let counter = 0;
before(async () => {
  root = await mkdtemp(join(tmpdir(), "wkw-properties-test-"));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

async function freshDir(name = "ds") {
  const dir = join(root, `${name}-${counter++}`);
  await mkdir(dir, { recursive: true });
  return dir;
}

async function writeJson(dir, obj) {
  await writeFile(join(dir, PROPERTIES_FILE_NAME), typeof obj === "string" ? obj : JSON.stringify(obj, null, 2));
}

/** Round trip through the serializer, compared as parsed JSON. */
function roundTrip(json) {
  return JSON.parse(serializeProperties(parseProperties(structuredClone(json))));
}

function layer(overrides = {}) {
  return {
    name: "color",
    category: "color",
    boundingBox: { topLeft: [0, 0, 0], width: 10, height: 20, depth: 30 },
    elementClass: "uint8",
    numChannels: 1,
    dataFormat: "wkw",
    wkwResolutions: [{ resolution: [1, 1, 1], cubeLength: 1024 }],
    ...overrides,
  };
}

function dataset(layers = [layer()], extra = {}) {
  return { id: { name: "demo", team: "" }, scale: [11.24, 11.24, 25], dataLayers: layers, ...extra };
}

/** Expects a WkwError with `code`; checks message fragments and fields. */
function expectWkwError(fn, code, { includes = [], path, parameter } = {}) {
  let caught;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  assert.ok(caught, "expected an error");
  checkError(caught, code, { includes, path, parameter });
}

async function expectWkwErrorAsync(promise, code, opts = {}) {
  let caught;
  try {
    await promise;
  } catch (err) {
    caught = err;
  }
  assert.ok(caught, "expected an error");
  checkError(caught, code, opts);
  return caught;
}

function checkError(err, code, { includes = [], path, parameter } = {}) {
  assert.ok(err instanceof WkwError, `expected WkwError, got ${err?.stack ?? err}`);
  assert.equal(err.code, code, err.message);
  for (const s of includes) assert.ok(err.message.includes(s), `message ${JSON.stringify(err.message)} should include ${JSON.stringify(s)}`);
  if (path !== undefined) assert.equal(err.path, path);
  if (parameter !== undefined) assert.equal(err.parameter, parameter);
}

function runNode(script, args = [], { timeoutMs = 60_000 } = {}) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ["-e", script, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill(), timeoutMs);
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout, stderr, pid: child.pid });
    });
  });
}

// ---------------------------------------------------------------------------------------

describe("simple_wkw_dataset fixture", () => {
  test("loads and saves back semantically unchanged (copied to a temp dir)", async () => {
    const dir = await freshDir("simple");
    await cp(FIXTURE, dir, { recursive: true });
    const file = join(dir, PROPERTIES_FILE_NAME);
    const original = JSON.parse(await readFile(file, "utf8"));

    const model = await loadProperties(dir);
    assert.deepEqual(model.id, { name: "simple_wkw_dataset", team: "" });
    assert.deepEqual(model.scale, [1, 1, 1]);
    assert.equal(model.dataLayers.length, 1);
    const color = model.dataLayers[0];
    assert.equal(color.name, "color");
    assert.equal(color.category, "color");
    assert.equal(color.elementClass, "uint24");
    assert.equal(color.numChannels, 3);
    assert.equal(dtypePerChannelFrom(color.elementClass, color.numChannels), "uint8");
    assert.deepEqual(color.boundingBox, { topLeft: [0, 0, 0], width: 24, height: 24, depth: 24 });
    assert.deepEqual(color.wkwResolutions, [{ resolution: [1, 1, 1], cubeLength: 32 }]);
    assert.deepEqual(color.defaultViewConfiguration, { color: [255, 0, 0] });
    assert.deepEqual(model.defaultViewConfiguration, { position: [12, 12, 12] });

    assert.deepEqual(JSON.parse(serializeProperties(model)), original);
    await saveProperties(dir, model);
    const text = await readFile(file, "utf8");
    assert.deepEqual(JSON.parse(text), original);
    assert.ok(text.endsWith("}\n"), "trailing newline");
    assert.ok(text.includes('\n    "id": {'), "indent 4");
    // the fixture itself was not touched
    assert.deepEqual(JSON.parse(readFileSync(join(FIXTURE, PROPERTIES_FILE_NAME), "utf8")), original);
  });
});

describe("parse: old forms and normalisation", () => {
  test("int resolution becomes [n, n, n] and is written as an array", () => {
    const json = dataset([layer({ wkwResolutions: [{ resolution: 1, cubeLength: 1024 }, { resolution: 4, cubeLength: 256 }] })]);
    const model = parseProperties(json);
    assert.deepEqual(model.dataLayers[0].wkwResolutions, [
      { resolution: [1, 1, 1], cubeLength: 1024 },
      { resolution: [4, 4, 4], cubeLength: 256 },
    ]);
    const out = JSON.parse(serializeProperties(model));
    assert.deepEqual(out.dataLayers[0].wkwResolutions, [
      { resolution: [1, 1, 1], cubeLength: 1024 },
      { resolution: [4, 4, 4], cubeLength: 256 },
    ]);
  });

  test("topLeft [-1, -1, -1] means empty: (0,0,0) with zero size", () => {
    for (const extent of [0, -1]) {
      const json = dataset([layer({ boundingBox: { topLeft: [-1, -1, -1], width: extent, height: extent, depth: extent } })]);
      const model = parseProperties(json);
      assert.deepEqual(model.dataLayers[0].boundingBox, { topLeft: [0, 0, 0], width: 0, height: 0, depth: 0 });
    }
  });

  test("missing numChannels stays undefined; written once the caller sets it (scenario 33)", () => {
    const l = layer();
    delete l.numChannels;
    const model = parseProperties(dataset([l]));
    assert.equal(model.dataLayers[0].numChannels, undefined);
    assert.equal("numChannels" in JSON.parse(serializeProperties(model)).dataLayers[0], false);
    model.dataLayers[0].numChannels = 1; // what the Dataset layer does from header.wkw
    assert.equal(JSON.parse(serializeProperties(model)).dataLayers[0].numChannels, 1);
  });

  test("null largestSegmentId / mappings are treated as absent; empty mappings are not written", () => {
    const seg = layer({ name: "seg", category: "segmentation", elementClass: "uint32", largestSegmentId: null, mappings: null });
    const model = parseProperties(dataset([seg]));
    assert.equal(model.dataLayers[0].largestSegmentId, undefined);
    assert.equal(model.dataLayers[0].mappings, undefined);
    model.dataLayers[0].mappings = [];
    const out = JSON.parse(serializeProperties(model)).dataLayers[0];
    assert.equal("mappings" in out, false);
    assert.equal("largestSegmentId" in out, false);
  });

  test("largestSegmentId beyond 2^53 round-trips exactly (bigint)", () => {
    const text = JSON.stringify(dataset([layer({ name: "seg", category: "segmentation", elementClass: "uint64" })]))
      .replace('"elementClass":"uint64"', '"elementClass":"uint64","largestSegmentId":18446744073709551615');
    const model = parsePropertiesText(text);
    assert.equal(model.dataLayers[0].largestSegmentId, 18446744073709551615n);
    const out = serializeProperties(model);
    assert.match(out, /"largestSegmentId": 18446744073709551615\n/);
    model.dataLayers[0].largestSegmentId = 4711;
    assert.match(serializeProperties(model), /"largestSegmentId": 4711\n/);
  });

  test("scale in the {factor, unit} form is kept in that form", () => {
    const json = dataset([layer()], { scale: { factor: [4, 4, 35], unit: "nanometer" } });
    const model = parseProperties(json);
    assert.deepEqual(model.scale, [4, 4, 35]);
    assert.equal(model.scaleUnit, "nanometer");
    assert.deepEqual(roundTrip(json), json);
  });

  test("version 1 is kept; absent version is not added", () => {
    const withVersion = dataset([layer()], { version: 1 });
    assert.deepEqual(roundTrip(withVersion), withVersion);
    assert.equal("version" in roundTrip(dataset()), false);
  });

  test("a UTF-8 BOM is tolerated", () => {
    const model = parsePropertiesText("\ufeff" + JSON.stringify(dataset()));
    assert.equal(model.dataLayers[0].name, "color");
  });
});

describe("unknown keys", () => {
  test("are kept at every level and written back", () => {
    const json = {
      id: { name: "demo", team: "lab", owner: "someone" },
      scale: [1, 2, 3],
      dataLayers: [
        {
          ...layer({
            boundingBox: { topLeft: [1, 2, 3], width: 4, height: 5, depth: 6, note: "bbox-extra" },
            wkwResolutions: [{ resolution: [1, 1, 1], cubeLength: 1024, path: "./color/1", axisOrder: { c: 0, x: 1, y: 2, z: 3 } }],
            defaultViewConfiguration: { color: [255, 0, 0], mapping: { name: "m", type: "JSON" } },
          }),
          largestSegmentId: 7, // not modelled for color layers: kept verbatim
          adminViewConfiguration: { alpha: 50 },
          coordinateTransformations: [{ type: "affine", matrix: [[1, 0], [0, 1]] }],
        },
        {
          ...layer({ name: "seg", category: "segmentation", elementClass: "uint32", largestSegmentId: 99, mappings: ["a", "b"] }),
          attachments: { meshes: [{ name: "m", path: "x" }] },
        },
      ],
      defaultViewConfiguration: { fourBit: true, layers: { color: { alpha: 10 } }, colorLayerOrder: ["color"] },
      someFutureKey: { nested: [1, "two", null, true, { deep: 1.5 }] },
      hugeNumber: 123456789012345678901234567890,
    };
    const text = JSON.stringify(json).replace("1.2345678901234568e+29", "123456789012345678901234567890");
    const model = parsePropertiesText(text);
    assert.deepEqual(model.extra.someFutureKey, json.someFutureKey);
    assert.equal(model.extra.hugeNumber, 123456789012345678901234567890n);
    assert.deepEqual(model.id.extra, { owner: "someone" });
    assert.deepEqual(model.dataLayers[0].boundingBox.extra, { note: "bbox-extra" });
    assert.deepEqual(model.dataLayers[0].wkwResolutions[0].extra, { path: "./color/1", axisOrder: { c: 0, x: 1, y: 2, z: 3 } });
    assert.deepEqual(model.dataLayers[0].extra.largestSegmentId, 7);
    assert.deepEqual(model.dataLayers[0].defaultViewConfiguration.extra, { mapping: { name: "m", type: "JSON" } });
    assert.deepEqual(model.dataLayers[1].extra, { attachments: { meshes: [{ name: "m", path: "x" }] } });
    assert.deepEqual(model.defaultViewConfiguration.extra, { layers: { color: { alpha: 10 } }, colorLayerOrder: ["color"] });

    const out = serializeProperties(model);
    assert.match(out, /"hugeNumber": 123456789012345678901234567890/);
    const back = JSON.parse(out);
    delete back.hugeNumber;
    const expected = structuredClone(json);
    delete expected.hugeNumber;
    assert.deepEqual(back, expected);
  });

  test("known keys win over an extra key of the same name", () => {
    const model = parseProperties(dataset());
    model.extra = { scale: [9, 9, 9], other: 1 };
    const out = JSON.parse(serializeProperties(model));
    assert.deepEqual(out.scale, [11.24, 11.24, 25]);
    assert.equal(out.other, 1);
  });

  test("a __proto__ key is an ordinary kept key", () => {
    const model = parsePropertiesText('{"id":{"name":"a","team":""},"scale":[1,1,1],"dataLayers":[],"__proto__":{"polluted":1}}');
    assert.equal({}.polluted, undefined);
    assert.deepEqual(Object.keys(model.extra), ["__proto__"]);
    assert.match(serializeProperties(model), /"__proto__": \{\n\s+"polluted": 1/);
  });
});

describe("scenario 35: complex properties", () => {
  const mags = [
    { resolution: [1, 1, 1], cubeLength: 1024 },
    { resolution: [16, 16, 16], cubeLength: 64 },
    { resolution: [2, 2, 2], cubeLength: 512 },
    { resolution: [32, 32, 32], cubeLength: 32 },
    { resolution: [4, 4, 4], cubeLength: 256 },
    { resolution: [8, 8, 8], cubeLength: 128 },
  ];
  const bbox = { topLeft: [0, 0, 0], width: 1024, height: 1024, depth: 1024 };
  const complex = {
    id: { name: "big_volume", team: "Connectomics department" },
    dataLayers: [
      { name: "color", category: "color", boundingBox: bbox, wkwResolutions: mags, elementClass: "uint8", dataFormat: "wkw" },
      {
        name: "segmentation",
        boundingBox: bbox,
        wkwResolutions: mags,
        elementClass: "uint32",
        mappings: ["larger5um1", "axons", "astrocyte-ge-7", "astrocyte", "mitochondria", "astrocyte-full"],
        largestSegmentId: 1000000000,
        category: "segmentation",
        dataFormat: "wkw",
      },
    ],
    scale: [11.239999771118164, 11.239999771118164, 28],
  };

  test("round-trips identically except the added numChannels; mag order kept", async () => {
    const dir = await freshDir("complex");
    await writeJson(dir, complex);
    const model = await loadProperties(dir);
    assert.deepEqual(model.dataLayers[1].wkwResolutions.map((m) => m.resolution[0]), [1, 16, 2, 32, 4, 8]);
    assert.equal(model.dataLayers[1].largestSegmentId, 1000000000);
    for (const l of model.dataLayers) {
      assert.equal(l.numChannels, undefined);
      l.numChannels = 1; // as the Dataset layer does from header.wkw
    }
    await saveProperties(dir, model);
    const saved = JSON.parse(await readFile(join(dir, PROPERTIES_FILE_NAME), "utf8"));
    const expected = structuredClone(complex);
    for (const l of expected.dataLayers) l.numChannels = 1;
    assert.deepEqual(saved, expected);
    assert.equal(saved.scale[0], 11.239999771118164); // floats printed exactly
  });
});

describe("element classes (scenarios 36 and 37)", () => {
  test("elementClassFor and dtypePerLayerFor", () => {
    const table = [
      ["uint8", 3, "uint24", "uint24"],
      ["uint8", 1, "uint8", "uint8"],
      ["uint16", 3, "uint48", "uint48"],
      ["float32", 1, "float", "float32"],
      ["float64", 1, "double", "float64"],
      ["float32", 3, "float96", "float96"],
      ["int16", 1, "int16", "int16"],
      ["int8", 3, "int24", "int24"],
      ["uint64", 1, "uint64", "uint64"],
    ];
    for (const [dtype, n, ec, perLayer] of table) {
      assert.equal(elementClassFor(dtype, n), ec, `${dtype}×${n}`);
      assert.equal(dtypePerLayerFor(dtype, n), perLayer, `${dtype}×${n}`);
    }
  });

  test("dtypePerChannelFrom (file content) and dtypePerChannelFromPerLayer (arguments)", () => {
    const table = [
      ["uint24", 3, "uint8"],
      ["uint8", 1, "uint8"],
      ["uint48", 3, "uint16"],
      ["float", 1, "float32"],
      ["double", 1, "float64"],
      ["float96", 3, "float32"],
      ["uint32", 1, "uint32"],
      ["int64", 4, "int16"], // scenario 37: int with 4 channels is fine
      ["uint64", 1, "uint64"],
    ];
    for (const [ec, n, dtype] of table) {
      assert.equal(dtypePerChannelFrom(ec, n), dtype, `${ec}/${n}`);
      assert.equal(dtypePerChannelFromPerLayer(ec, n), dtype, `${ec}/${n}`);
    }
    assert.equal(dtypePerChannelFromPerLayer("float32", 1), "float32");
    assert.equal(dtypePerChannelFromPerLayer("float64", 1), "float64");
  });

  test("impossible combinations are errors", () => {
    expectWkwError(() => dtypePerChannelFromPerLayer("uint30", 3), "ERR_WKW_ARGUMENT", { parameter: "dtypePerLayer", includes: ["uint30", "uint10"] });
    expectWkwError(() => dtypePerChannelFromPerLayer("int64", 3), "ERR_WKW_ARGUMENT", { parameter: "dtypePerLayer", includes: ["64 bits", "3 channels"] });
    expectWkwError(() => dtypePerChannelFromPerLayer("uint24", 1), "ERR_WKW_ARGUMENT", { parameter: "dtypePerLayer" });
    expectWkwError(() => dtypePerChannelFromPerLayer("rgb", 3), "ERR_WKW_ARGUMENT", { parameter: "dtypePerLayer" });
    expectWkwError(() => dtypePerChannelFromPerLayer("uint8", 0), "ERR_WKW_ARGUMENT", { parameter: "numChannels" });
    expectWkwError(() => elementClassFor("uint7", 1), "ERR_WKW_ARGUMENT", { parameter: "dtypePerChannel" });
    expectWkwError(() => elementClassFor("uint8", 1.5), "ERR_WKW_ARGUMENT", { parameter: "numChannels" });
    expectWkwError(() => dtypePerChannelFrom("uint24", 2, { path: "/x.json", keyPath: "dataLayers[0].elementClass" }), "ERR_WKW_PROPERTIES", {
      path: "/x.json",
      includes: ["dataLayers[0].elementClass", "uint24"],
    });
    expectWkwError(() => dtypePerChannelFrom("float", 3), "ERR_WKW_PROPERTIES");
  });

  test("server element classes", () => {
    assert.equal(isServerElementClass("uint24"), true);
    assert.equal(isServerElementClass("float"), true);
    assert.equal(isServerElementClass("uint48"), false);
    assert.equal(isServerElementClass("float96"), false);
  });

  test("layers with these classes round-trip through the properties file", () => {
    const layers = [
      layer({ name: "a", elementClass: elementClassFor("uint8", 3), numChannels: 3 }),
      layer({ name: "b", elementClass: elementClassFor("float32", 1), numChannels: 1 }),
      layer({ name: "c", elementClass: elementClassFor("float64", 1), numChannels: 1 }),
      layer({ name: "d", elementClass: elementClassFor("float32", 3), numChannels: 3 }),
    ];
    const json = dataset(layers);
    assert.deepEqual(roundTrip(json), json);
    const model = parseProperties(json);
    assert.deepEqual(
      model.dataLayers.map((l) => dtypePerLayerFor(dtypePerChannelFrom(l.elementClass, l.numChannels), l.numChannels)),
      ["uint24", "float32", "float64", "float96"],
    );
  });
});

describe("view configurations (scenario 47)", () => {
  test("only the keys that are set are written, camelCase", () => {
    const model = parseProperties(dataset());
    model.defaultViewConfiguration = { fourBit: true, zoom: undefined };
    model.dataLayers[0].defaultViewConfiguration = { color: [255, 0, 0], alpha: undefined, isDisabled: undefined };
    const out = JSON.parse(serializeProperties(model));
    assert.deepEqual(out.defaultViewConfiguration, { fourBit: true });
    assert.deepEqual(out.dataLayers[0].defaultViewConfiguration, { color: [255, 0, 0] });
    const reread = parseProperties(out);
    assert.deepEqual(reread.defaultViewConfiguration, { fourBit: true });
    assert.deepEqual(reread.dataLayers[0].defaultViewConfiguration, { color: [255, 0, 0] });
  });

  test("all known keys survive a round trip", () => {
    const json = dataset(
      [layer({ defaultViewConfiguration: { color: [1, 2, 3], alpha: 50, intensityRange: [0, 255], min: 0, max: 255, isDisabled: false, isInverted: true, isInEditMode: false } })],
      {
        defaultViewConfiguration: {
          fourBit: false, interpolation: true, renderMissingDataBlack: false, loadingStrategy: "PROGRESSIVE_QUALITY",
          segmentationPatternOpacity: 40, zoom: 1.5, position: [1, 2, 3], rotation: [0, 90, 0],
        },
      },
    );
    assert.deepEqual(roundTrip(json), json);
  });

  test("wrong types are errors with the key path", () => {
    expectWkwError(() => parseProperties(dataset([layer()], { defaultViewConfiguration: { fourBit: "yes" } })), "ERR_WKW_PROPERTIES", {
      includes: ["defaultViewConfiguration.fourBit"],
    });
    expectWkwError(() => parseProperties(dataset([layer({ defaultViewConfiguration: { color: [1, 2] } })])), "ERR_WKW_PROPERTIES", {
      includes: ["dataLayers[0].defaultViewConfiguration.color"],
    });
  });
});

describe("invalid files", () => {
  async function loadInvalid(content, includes) {
    const dir = await freshDir("invalid");
    await writeJson(dir, content);
    const file = join(dir, PROPERTIES_FILE_NAME);
    return expectWkwErrorAsync(loadProperties(dir), "ERR_WKW_PROPERTIES", { path: file, includes: [file, ...includes] });
  }

  test("bad, truncated and empty JSON", async () => {
    await loadInvalid("{ this is not json }", ["not valid JSON", "line 1"]);
    const full = readFileSync(join(FIXTURE, PROPERTIES_FILE_NAME), "utf8");
    await loadInvalid(full.slice(0, Math.floor(full.length / 2)), ["not valid JSON", "unexpected end of input"]);
    await loadInvalid(full + "}", ["unexpected data after the JSON value"]);
    await loadInvalid("", ["empty"]);
    await loadInvalid('{"id": {"name": "a\u0001"}}', ["control character"]);
    await loadInvalid("[1, 2, 3]", ["top level must be a JSON object"]);
  });

  test("unknown category, missing or wrong keys name the key path", async () => {
    await loadInvalid(dataset([layer({ category: "mesh" })]), ["dataLayers[0].category", "unknown layer category", '"mesh"']);
    for (const key of ["dataFormat", "boundingBox", "elementClass", "wkwResolutions", "category", "name"]) {
      const l = layer();
      delete l[key];
      await loadInvalid(dataset([layer({ name: "ok" }), l]), [`dataLayers[1].${key}`, "missing"]);
    }
    await loadInvalid(dataset([layer({ dataFormat: "zarr" })]), ["dataLayers[0].dataFormat", '"zarr"']);
    await loadInvalid(dataset([layer({ boundingBox: { topLeft: [0, 0, 0], width: "10", height: 1, depth: 1 } })]), [
      "dataLayers[0].boundingBox.width", "non-negative integer", '"10"',
    ]);
    await loadInvalid(dataset([layer({ boundingBox: { topLeft: [0, 0], width: 1, height: 1, depth: 1 } })]), ["dataLayers[0].boundingBox.topLeft"]);
    await loadInvalid(dataset([layer({ wkwResolutions: [{ resolution: [1, 1, 1], cubeLength: 0 }] })]), ["dataLayers[0].wkwResolutions[0].cubeLength"]);
    await loadInvalid(dataset([layer({ wkwResolutions: [{ resolution: [1, 0, 1], cubeLength: 32 }] })]), ["dataLayers[0].wkwResolutions[0].resolution"]);
    await loadInvalid(dataset([layer({ wkwResolutions: [{ resolution: 2, cubeLength: 32 }, { resolution: [2, 2, 2], cubeLength: 32 }] })]), [
      "dataLayers[0].wkwResolutions[1].resolution", "twice",
    ]);
    await loadInvalid(dataset([layer({ numChannels: 3, elementClass: "uint16" })]), ["dataLayers[0].elementClass", "numChannels 3"]);
    await loadInvalid(dataset([layer({ elementClass: "rgb" })]), ["dataLayers[0].elementClass"]);
    await loadInvalid(dataset([layer({ numChannels: 0 })]), ["dataLayers[0].numChannels"]);
    await loadInvalid(dataset([layer({ name: "seg", category: "segmentation", largestSegmentId: 1.5 })]), ["dataLayers[0].largestSegmentId"]);
    await loadInvalid(dataset([layer({ name: "seg", category: "segmentation", mappings: ["a", 1] })]), ["dataLayers[0].mappings"]);
    await loadInvalid(dataset([layer(), layer()]), ["dataLayers[1].name", "twice"]);
    await loadInvalid(dataset([layer({ name: "../escape" })]), ["dataLayers[0].name"]);
    await loadInvalid({ id: { name: "a", team: "" }, dataLayers: [] }, ["scale", "missing"]);
    await loadInvalid({ id: { name: "a", team: "" }, scale: [1, 1, 0], dataLayers: [] }, ["scale", "positive numbers"]);
    await loadInvalid({ id: { name: "a" }, scale: [1, 1, 1], dataLayers: [] }, ["id.team"]);
    await loadInvalid({ id: { name: "a", team: "" }, scale: [1, 1, 1] }, ["dataLayers"]);
  });

  test("a layer with only the newer `mags` list gets a clear message", async () => {
    const l = layer();
    delete l.wkwResolutions;
    l.mags = [{ mag: [1, 1, 1], path: "./color/1" }];
    await loadInvalid(dataset([l]), ["dataLayers[0].wkwResolutions", '"mags"']);
  });

  test("unsupported version", async () => {
    await loadInvalid(dataset([layer()], { version: 2 }), ["version", "unsupported version 2"]);
    await loadInvalid(dataset([layer()], { version: "1" }), ["version"]);
  });

  test("missing file or folder → ERR_WKW_NOT_FOUND with a clear message", async () => {
    const dir = await freshDir("empty");
    await expectWkwErrorAsync(loadProperties(dir), "ERR_WKW_NOT_FOUND", {
      path: join(dir, PROPERTIES_FILE_NAME),
      includes: ["not a webKnossos dataset", PROPERTIES_FILE_NAME],
    });
    await expectWkwErrorAsync(loadProperties(join(dir, "nope")), "ERR_WKW_NOT_FOUND", { includes: ["does not exist"] });
  });

  test("serialising an invalid model is an argument error naming the key path; nothing is written", async () => {
    const dir = await freshDir("badmodel");
    await writeJson(dir, dataset());
    const before = await readFile(join(dir, PROPERTIES_FILE_NAME), "utf8");
    const model = await loadProperties(dir);
    model.dataLayers[0].boundingBox.width = -5;
    await expectWkwErrorAsync(saveProperties(dir, model), "ERR_WKW_ARGUMENT", { parameter: "dataLayers[0].boundingBox.width" });
    model.dataLayers[0].boundingBox.width = 5;
    model.scale = [1, NaN, 1];
    await expectWkwErrorAsync(saveProperties(dir, model), "ERR_WKW_ARGUMENT", { parameter: "scale" });
    model.scale = [1, 1, 1];
    model.extra = { fn: () => 1 };
    await expectWkwErrorAsync(saveProperties(dir, model), "ERR_WKW_ARGUMENT", { includes: ["fn"] });
    assert.equal(await readFile(join(dir, PROPERTIES_FILE_NAME), "utf8"), before);
  });
});

// ---------------------------------------------------------------------------------------

function bigModel(i) {
  // files of different sizes (1 to 40 layers), so a torn write would be visible as bad JSON
  const n = 1 + (i % 40);
  const layers = [];
  for (let k = 0; k < n; k++) layers.push(layer({ name: `layer${k}`, boundingBox: { topLeft: [k, i, 0], width: i + 1, height: 2, depth: 3 } }));
  return parseProperties(dataset(layers, { iteration: i }));
}

describe("atomic save", () => {
  test("writeFileAtomic replaces the file, keeps its mode and leaves no temporary files", async () => {
    const dir = await freshDir("atomic");
    const file = join(dir, "x.json");
    await writeFileAtomic(file, "one");
    assert.equal(await readFile(file, "utf8"), "one");
    await import("node:fs/promises").then((fs) => fs.chmod(file, 0o640));
    await writeFileAtomic(file, new TextEncoder().encode("two"));
    assert.equal(await readFile(file, "utf8"), "two");
    if (process.platform !== "win32") assert.equal((await stat(file)).mode & 0o777, 0o640);
    assert.deepEqual(await readdir(dir), ["x.json"]);
  });

  test("a failed write removes its temporary file and names the path", async () => {
    const dir = await freshDir("atomic-fail");
    const target = join(dir, "target");
    await mkdir(target); // renaming a file over a directory fails
    await expectWkwErrorAsync(writeFileAtomic(target, "data"), "ERR_WKW_IO", { path: target, includes: [target] });
    assert.deepEqual(await readdir(dir), ["target"]);
    const missing = join(dir, "no-such-dir", "f.json");
    await expectWkwErrorAsync(writeFileAtomic(missing, "data"), "ERR_WKW_IO", { path: missing });
  });

  test("200 saves while readers (async loop here, child process) parse the file: never partial JSON", async () => {
    const dir = await freshDir("concurrent-read");
    await saveProperties(dir, bigModel(0));
    const file = join(dir, PROPERTIES_FILE_NAME);
    const stopFile = join(dir, "stop");

    const readerScript = `
      const fs = require("fs");
      const [file, stop] = process.argv.slice(1);
      let reads = 0, failures = 0, firstFailure = null;
      while (!fs.existsSync(stop)) {
        try { JSON.parse(fs.readFileSync(file, "utf8")); reads++; }
        catch (e) { failures++; firstFailure ??= String(e); }
      }
      console.log(JSON.stringify({ reads, failures, firstFailure }));`;
    const child = runNode(readerScript, [file, stopFile]);

    let stop = false;
    let localReads = 0;
    const localFailures = [];
    const localReader = (async () => {
      while (!stop) {
        try {
          const text = await readFile(file, "utf8");
          parsePropertiesText(text, file);
          localReads++;
        } catch (err) {
          localFailures.push(String(err));
        }
      }
    })();

    for (let i = 1; i <= 200; i++) await saveProperties(dir, bigModel(i));
    stop = true;
    await localReader;
    await writeFile(stopFile, "");
    const result = await child;
    assert.equal(result.code, 0, result.stderr);
    const remote = JSON.parse(result.stdout);
    assert.deepEqual(localFailures, []);
    assert.equal(remote.failures, 0, remote.firstFailure);
    assert.ok(localReads > 0 && remote.reads > 0, `reads: local ${localReads}, child ${remote.reads}`);
    assert.deepEqual((await readdir(dir)).sort(), [PROPERTIES_FILE_NAME, "stop"]);
    assert.equal((await loadProperties(dir)).extra.iteration, 200);
  });
});

describe("updateProperties and the lock file", () => {
  test("two processes growing the bounding box 50 times each: no lost update", async () => {
    const dir = await freshDir("update");
    await writeJson(dir, dataset([layer({ boundingBox: { topLeft: [0, 0, 0], width: 0, height: 0, depth: 0 } })], { log: [] }));
    const script = `
      const { updateProperties } = require(${JSON.stringify(join(DIST, "dataset/properties.js"))});
      const [dir, who] = process.argv.slice(1);
      (async () => {
        for (let i = 1; i <= 50; i++) {
          // each process grows along its own axis; the union with the fresh box keeps the other's growth
          const grow = who === "x" ? { topLeft: [0, 0, 0], size: [i, 1, 1] } : { topLeft: [0, 0, 0], size: [1, i, 1] };
          await updateProperties(dir, async (fresh) => {
            // widen the read-modify-write window: without the lock about half the updates get lost
            await new Promise((r) => setTimeout(r, 1));
            const b = fresh.dataLayers[0].boundingBox;
            const lo = b.topLeft.map((v, a) => ([b.width, b.height, b.depth][a] === 0 ? grow.topLeft[a] : Math.min(v, grow.topLeft[a])));
            const oldHi = b.topLeft.map((v, a) => v + [b.width, b.height, b.depth][a]);
            const hi = oldHi.map((v, a) => Math.max(v, grow.topLeft[a] + grow.size[a]));
            fresh.dataLayers[0].boundingBox = { topLeft: lo, width: hi[0] - lo[0], height: hi[1] - lo[1], depth: hi[2] - lo[2] };
            fresh.extra.log.push(who + i);
          });
        }
      })().catch((e) => { console.error(e); process.exit(1); });`;
    const [a, b] = await Promise.all([runNode(script, [dir, "x"]), runNode(script, [dir, "y"])]);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(b.code, 0, b.stderr);
    const final = await loadProperties(dir);
    assert.deepEqual(final.dataLayers[0].boundingBox, { topLeft: [0, 0, 0], width: 50, height: 50, depth: 1 });
    assert.equal(final.extra.log.length, 100, "every one of the 100 updates is in the file");
    assert.deepEqual(new Set(final.extra.log).size, 100);
    assert.deepEqual((await readdir(dir)).sort(), [PROPERTIES_FILE_NAME]);
  });

  test("returns the new model; a throwing mutate writes nothing and releases the lock", async () => {
    const dir = await freshDir("update-throw");
    await writeJson(dir, dataset());
    const before = await readFile(join(dir, PROPERTIES_FILE_NAME), "utf8");
    await assert.rejects(
      updateProperties(dir, () => {
        throw new Error("boom");
      }),
      /boom/,
    );
    assert.equal(await readFile(join(dir, PROPERTIES_FILE_NAME), "utf8"), before);
    assert.equal(existsSync(join(dir, PROPERTIES_LOCK_FILE_NAME)), false);
    const updated = await updateProperties(dir, async (fresh) => {
      await new Promise((r) => setTimeout(r, 5));
      fresh.id.name = "renamed";
    });
    assert.equal(updated.id.name, "renamed");
    assert.equal((await loadProperties(dir)).id.name, "renamed");
  });

  test("a stale lock file of a dead process is taken over", async () => {
    const dir = await freshDir("stale-pid");
    await writeJson(dir, dataset());
    const dead = await runNode("0");
    const lockPath = join(dir, PROPERTIES_LOCK_FILE_NAME);
    await writeFile(lockPath, JSON.stringify({ pid: dead.pid, hostname: hostname(), time: Date.now() }));
    const t0 = Date.now();
    await updateProperties(dir, (fresh) => {
      fresh.id.name = "after-stale";
    }, { timeoutMs: 5000 });
    assert.ok(Date.now() - t0 < 4000);
    assert.equal((await loadProperties(dir)).id.name, "after-stale");
    assert.equal(existsSync(lockPath), false);
  });

  test("a lock not refreshed for staleMs is taken over even if its pid lives", async () => {
    const dir = await freshDir("stale-age");
    const lockPath = join(dir, "x.lock");
    await writeFile(lockPath, JSON.stringify({ pid: process.pid, hostname: hostname(), time: Date.now() - 60_000 }));
    const old = new Date(Date.now() - 60_000);
    await utimes(lockPath, old, old);
    const value = await withFileLock(lockPath, () => 42, { timeoutMs: 5000 });
    assert.equal(value, 42);
    assert.equal(existsSync(lockPath), false);
  });

  test("a live lock makes waiters time out with ERR_WKW_IO naming the lock; it is left alone", async () => {
    const dir = await freshDir("live");
    const lockPath = join(dir, "x.lock");
    const content = JSON.stringify({ pid: process.pid, hostname: hostname(), time: Date.now() });
    await writeFile(lockPath, content);
    const err = await expectWkwErrorAsync(withFileLock(lockPath, () => 1, { timeoutMs: 200 }), "ERR_WKW_IO", {
      path: lockPath,
      includes: [lockPath, "timed out", `pid ${process.pid}`],
    });
    assert.ok(err);
    assert.equal(await readFile(lockPath, "utf8"), content);
  });

  test("mutual exclusion between async tasks of one process; the holder keeps its lock by heartbeat", async () => {
    const dir = await freshDir("mutex");
    const lockPath = join(dir, "x.lock");
    let inside = 0;
    let maxInside = 0;
    let done = 0;
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        withFileLock(
          lockPath,
          async () => {
            inside++;
            maxInside = Math.max(maxInside, inside);
            // the first holder outlives staleMs; its heartbeat must keep the others out
            await new Promise((r) => setTimeout(r, i === 0 ? 400 : 2));
            inside--;
            done++;
          },
          { timeoutMs: 10_000, staleMs: 150 },
        ),
      ),
    );
    assert.equal(maxInside, 1);
    assert.equal(done, 20);
    assert.deepEqual(await readdir(dir), []);
  });

  test("cloneProperties gives an independent copy", () => {
    const model = parseProperties(dataset());
    const copy = cloneProperties(model);
    copy.dataLayers[0].boundingBox.topLeft[0] = 99;
    assert.equal(model.dataLayers[0].boundingBox.topLeft[0], 0);
  });
});

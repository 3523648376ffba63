// Geometry module (Vec3 helpers, Mag, BoundingBox): scenarios 18-25 of
// webknossos-libs-notes.md §4 plus argument validation of every public entry point.
import { test } from "node:test";
import assert from "node:assert/strict";
import { inspect } from "node:util";
import { BoundingBox, Mag, vec3, vec3Ops } from "../dist/geometry/index.js";
import { WkwError } from "../dist/errors.js";

/** Asserts that fn throws a WkwError ERR_WKW_ARGUMENT naming `parameter`. */
function throwsArg(fn, parameter, message) {
  assert.throws(fn, (err) => {
    assert.ok(err instanceof WkwError, `expected a WkwError, got ${inspect(err)}`);
    assert.equal(err.code, "ERR_WKW_ARGUMENT");
    assert.equal(err.parameter, parameter);
    assert.ok(err.message.includes(parameter), `message should name ${parameter}: ${err.message}`);
    if (message !== undefined) assert.match(err.message, message);
    return true;
  });
}

const box = (tl, size) => new BoundingBox(tl, size);
/** [topLeft, size] of a box as plain arrays, for deepEqual. */
const parts = (b) => [[...b.topLeft], [...b.size]];

// Vec3-likes that are not 3 integers, for every Vec3 parameter.
const BAD_VEC3 = [
  undefined, null, 3, "1,2,3", {}, { 0: 1, 1: 2, 2: 3, length: 3 }, [1, 2], [1, 2, 3, 4],
  [1.5, 0, 0], [NaN, 0, 0], [Infinity, 0, 0], ["1", 2, 3], [1n, 2n, 3n], new Float64Array([0.5, 1, 1]),
];

// ---------------------------------------------------------------- Vec3 helpers

test("vec3() validates and returns a frozen copy; -0 becomes 0", () => {
  const src = [1, -0, 3];
  const v = vec3(src, "offset");
  assert.deepEqual(v, [1, 0, 3]);
  assert.ok(Object.is(v[1], 0));
  assert.ok(Object.isFrozen(v));
  src[0] = 99;
  assert.equal(v[0], 1);
  assert.deepEqual(vec3(new Int32Array([4, 5, 6]), "offset"), [4, 5, 6]);
  assert.deepEqual(vec3([0, 1, 2], "size", 0), [0, 1, 2]);
  throwsArg(() => vec3([-1, 1, 2], "size", 0), "size");
  for (const bad of BAD_VEC3) throwsArg(() => vec3(bad, "offset"), "offset");
  throwsArg(() => vec3("x"), "value");
});

test("vec3Ops arithmetic", () => {
  const { add, sub, mul, div, floorDiv, ceilDiv, min, max, equals, product, isPositive, toString } = vec3Ops;
  assert.deepEqual(add([1, 2, 3], [10, 20, 30]), [11, 22, 33]);
  assert.deepEqual(sub([1, 2, 3], [10, 20, 30]), [-9, -18, -27]);
  assert.deepEqual(mul([1, 2, 3], [2, 2, 1]), [2, 4, 3]);
  assert.ok(Object.is(mul([0, 1, 1], [-2, 1, 1])[0], 0), "no -0");
  assert.deepEqual(div([8, -4, 3], [2, 2, 1]), [4, -2, 3]);
  assert.deepEqual(floorDiv([-3, 3, 4], [2, 2, 2]), [-2, 1, 2]);
  assert.deepEqual(ceilDiv([-3, 3, 4], [2, 2, 2]), [-1, 2, 2]);
  assert.ok(Object.is(ceilDiv([-1, 0, 0], [2, 2, 2])[0], 0), "no -0");
  assert.deepEqual(min([1, 5, 3], [4, 2, 6]), [1, 2, 3]);
  assert.deepEqual(max([1, 5, 3], [4, 2, 6]), [4, 5, 6]);
  assert.equal(equals([1, 2, 3], new Int32Array([1, 2, 3])), true);
  assert.equal(equals([1, 2, 3], [1, 2, 4]), false);
  assert.equal(product([2, 3, 4]), 24);
  assert.equal(product([2, 0, 4]), 0);
  assert.equal(isPositive([1, 1, 1]), true);
  assert.equal(isPositive([1, 0, 1]), false);
  assert.equal(isPositive([1, -1, 1]), false);
  assert.equal(toString([1, -2, 3]), "[1,-2,3]");
  assert.ok(Object.isFrozen(add([0, 0, 0], [0, 0, 0])));
});

test("vec3Ops: exact division and positive divisors", () => {
  throwsArg(() => vec3Ops.div([3, 4, 4], [2, 2, 2]), "a", /divisible/);
  for (const fn of [vec3Ops.div, vec3Ops.floorDiv, vec3Ops.ceilDiv]) {
    throwsArg(() => fn([2, 2, 2], [0, 1, 1]), "b");
    throwsArg(() => fn([2, 2, 2], [-2, 1, 1]), "b");
  }
});

test("vec3Ops: bad input names the parameter", () => {
  const binary = ["add", "sub", "mul", "div", "floorDiv", "ceilDiv", "min", "max", "equals"];
  for (const name of binary) {
    for (const bad of BAD_VEC3) {
      throwsArg(() => vec3Ops[name](bad, [1, 1, 1]), "a");
      throwsArg(() => vec3Ops[name]([1, 1, 1], bad), "b");
    }
  }
  for (const name of ["product", "isPositive", "toString"]) {
    for (const bad of BAD_VEC3) throwsArg(() => vec3Ops[name](bad), "a");
  }
});

// ---------------------------------------------------------------- Mag

test("scenario 24: Mag from numbers, strings, arrays and Mags", () => {
  assert.deepEqual(new Mag(16).toArray(), [16, 16, 16]);
  assert.deepEqual(new Mag("256").toArray(), [256, 256, 256]);
  const m = new Mag("16-2-4");
  assert.deepEqual(m.toArray(), [16, 2, 4]);
  assert.equal(m.toLayerName(), "16-2-4");
  assert.ok(m.gt(new Mag("8-2-4")));
  assert.ok(m.gt("8-2-4"));
  // round trips (the Python test went through numpy and copy)
  assert.ok(new Mag(m).equals(m));
  assert.ok(new Mag(m.toArray()).equals(m));
  assert.ok(new Mag(new Int32Array(m.toArray())).equals(m));
  assert.ok(new Mag(JSON.parse(JSON.stringify(m))).equals(m));
  assert.ok(new Mag(m.toLongLayerName()).equals(m));
  assert.ok(new Mag(String(m)).equals(m));
  assert.deepEqual(new Mag(1).toArray(), [1, 1, 1]);
  assert.deepEqual(new Mag([2, 2, 1]).toArray(), [2, 2, 1]);
  assert.deepEqual(new Mag("2-2-1").toArray(), [2, 2, 1]);
  assert.equal(Mag.from(m), m, "Mag.from returns a Mag unchanged");
  assert.deepEqual(Mag.from("4").toArray(), [4, 4, 4]);
});

test("scenario 25: invalid mags are WkwError ERR_WKW_ARGUMENT naming 'mag'", () => {
  const bad = [
    3, "2-2", 0, -2, 2.5, NaN, "abc", Infinity, -Infinity, 2 ** 60, "", " 2", "2 ", "2-2-3", "2-2-2-2", "-2",
    "1.5", "0x2", "2-0-2", [2, 2], [2, 2, 2, 2], [2, 2, 3], [2, 2, 0], [2, 2, -2], [2, 2, 1.5], ["2", 2, 2],
    null, undefined, {}, { x: 2, y: 2, z: 2 }, true, 2n,
  ];
  for (const value of bad) throwsArg(() => new Mag(value), "mag");
  throwsArg(() => new Mag(3, "fromMag"), "fromMag");
  throwsArg(() => Mag.from("x", "targetMag"), "targetMag");
  throwsArg(() => Mag.from("x"), "mag");
});

test("Mag accessors and names", () => {
  const m = new Mag("2-4-1");
  assert.equal(m.x, 2);
  assert.equal(m.y, 4);
  assert.equal(m.z, 1);
  assert.equal(m.maxDim, 4);
  assert.equal(m.toLayerName(), "2-4-1");
  assert.equal(m.toLongLayerName(), "2-4-1");
  assert.equal(new Mag(2).toLayerName(), "2");
  assert.equal(new Mag([2, 2, 2]).toLayerName(), "2");
  assert.equal(new Mag(2).toLongLayerName(), "2-2-2");
  assert.equal(new Mag(1).toLongLayerName(), "1-1-1");
});

test("Mag is immutable; toArray returns a copy", () => {
  const m = new Mag("2-2-1");
  assert.ok(Object.isFrozen(m));
  assert.throws(() => { m.x = 4; }, TypeError);
  const arr = m.toArray();
  arr[0] = 64;
  assert.deepEqual(m.toArray(), [2, 2, 1]);
});

test("Mag.equals coerces Mag-likes and rejects invalid ones", () => {
  const m = new Mag(2);
  assert.ok(m.equals(2));
  assert.ok(m.equals("2"));
  assert.ok(m.equals("2-2-2"));
  assert.ok(m.equals([2, 2, 2]));
  assert.ok(m.equals(new Mag(2)));
  assert.ok(!m.equals("2-2-1"));
  assert.ok(!m.equals(1));
  throwsArg(() => m.equals("2-2"), "other");
  throwsArg(() => m.equals(undefined), "other");
});

test("Mag ordering compares only the largest component (as in Python)", () => {
  const a = new Mag("2-2-1"), b = new Mag("2-2-2");
  assert.equal(a.lt(b), false);
  assert.equal(a.gt(b), false);
  assert.equal(b.lt(a), false);
  assert.equal(b.gt(a), false);
  assert.equal(a.le(b), true);
  assert.equal(b.le(a), true);
  assert.equal(a.ge(b), true);
  assert.equal(b.ge(a), true);
  assert.equal(a.equals(b), false);
  assert.ok(new Mag(1).lt(2));
  assert.ok(new Mag(4).gt("2-2-1"));
  assert.ok(!new Mag(4).le("2-2-1"));
  assert.ok(!new Mag(1).ge([2, 1, 1]));
  for (const op of ["lt", "le", "gt", "ge"]) throwsArg(() => a[op](3), "other");
});

test("Mag.compare sorts by largest component, then x, y, z", () => {
  const mags = ["4-4-2", "2", "2-2-1", "1", "4-4-4", "2-1-2", "1-1-2", "4"].map((s) => new Mag(s));
  const sorted = [...mags].sort(Mag.compare).map((m) => m.toLayerName());
  assert.deepEqual(sorted, ["1", "1-1-2", "2-1-2", "2-2-1", "2", "4-4-2", "4", "4"]);
  assert.equal(Mag.compare("2-2-1", new Mag("2-2-1")), 0);
  assert.ok(Mag.compare(1, 2) < 0);
  assert.ok(Mag.compare(4, "2-2-1") > 0);
  throwsArg(() => Mag.compare(3, 1), "a");
  throwsArg(() => Mag.compare(1, "x"), "b");
});

test("Mag toString, toJSON and inspect", () => {
  const m = new Mag("2-2-1");
  assert.equal(String(m), "2-2-1");
  assert.equal(`${new Mag(4)}`, "4");
  assert.deepEqual(m.toJSON(), [2, 2, 1]);
  assert.equal(JSON.stringify({ mag: m }), '{"mag":[2,2,1]}');
  assert.equal(inspect(m), "Mag(2-2-1)");
  assert.equal(inspect(new Mag(8)), "Mag(8)");
  assert.equal(inspect({ m }), "{ m: Mag(2-2-1) }");
});

// ---------------------------------------------------------------- BoundingBox

test("BoundingBox members", () => {
  const b = box([1, 2, 3], [4, 5, 6]);
  assert.deepEqual(b.topLeft, [1, 2, 3]);
  assert.deepEqual(b.size, [4, 5, 6]);
  assert.deepEqual(b.bottomRight, [5, 7, 9]);
  assert.equal(b.volume, 120);
  assert.equal(b.isEmpty(), false);
  const neg = box([-10, -20, 0], [5, 5, 5]);
  assert.deepEqual(neg.bottomRight, [-5, -15, 5]);
  const typed = new BoundingBox(new Int32Array([1, 2, 3]), new Uint16Array([4, 5, 6]));
  assert.ok(typed.equals(b));
  assert.ok(Array.isArray(typed.topLeft));
});

test("BoundingBox is immutable and does not alias its inputs", () => {
  const tl = [1, 2, 3];
  const b = box(tl, [4, 5, 6]);
  tl[0] = 100;
  assert.deepEqual(b.topLeft, [1, 2, 3]);
  assert.ok(Object.isFrozen(b));
  assert.ok(Object.isFrozen(b.topLeft) && Object.isFrozen(b.size) && Object.isFrozen(b.bottomRight));
  assert.throws(() => { b.topLeft = [0, 0, 0]; }, TypeError);
  assert.throws(() => { b.size[0] = 0; }, TypeError);
});

test("BoundingBox constructor rejects bad input", () => {
  for (const bad of BAD_VEC3) {
    throwsArg(() => new BoundingBox(bad, [1, 1, 1]), "topLeft");
    throwsArg(() => new BoundingBox([0, 0, 0], bad), "size");
  }
  throwsArg(() => new BoundingBox([0, 0, 0], [-1, 1, 1]), "size", /non-negative/);
  throwsArg(() => new BoundingBox([0, 0, 0], [1, 1, -50]), "size");
});

test("isEmpty and empty()", () => {
  assert.equal(box([0, 0, 0], [0, 1, 1]).isEmpty(), true);
  assert.equal(box([0, 0, 0], [1, 1, 0]).isEmpty(), true);
  assert.equal(box([5, 5, 5], [1, 1, 1]).isEmpty(), false);
  const e = BoundingBox.empty();
  assert.deepEqual(parts(e), [[0, 0, 0], [0, 0, 0]]);
  assert.equal(e.isEmpty(), true);
  assert.equal(e.volume, 0);
});

test("scenario 18: alignWithMag({ ceil: true }) grows", () => {
  assert.deepEqual(parts(box([1, 1, 1], [10, 10, 10]).alignWithMag(new Mag(2), { ceil: true })), [[0, 0, 0], [12, 12, 12]]);
  assert.deepEqual(parts(box([1, 2, 3], [9, 9, 9]).alignWithMag(new Mag(2), { ceil: true })), [[0, 2, 2], [10, 10, 10]]);
  assert.deepEqual(parts(box([1, 1, 1], [9, 9, 9]).alignWithMag(new Mag(4), { ceil: true })), [[0, 0, 0], [12, 12, 12]]);
  // Mag-likes, anisotropic mags and negative coordinates
  assert.deepEqual(parts(box([1, 1, 1], [10, 10, 10]).alignWithMag("2-2-1", { ceil: true })), [[0, 0, 1], [12, 12, 10]]);
  assert.deepEqual(parts(box([-3, -3, -3], [6, 6, 6]).alignWithMag(2, { ceil: true })), [[-4, -4, -4], [8, 8, 8]]);
});

test("scenario 19: alignWithMag() shrinks by default", () => {
  assert.deepEqual(parts(box([1, 1, 1], [10, 10, 10]).alignWithMag(new Mag(2))), [[2, 2, 2], [8, 8, 8]]);
  assert.deepEqual(parts(box([1, 2, 3], [9, 9, 9]).alignWithMag(new Mag(2))), [[2, 2, 4], [8, 8, 8]]);
  assert.deepEqual(parts(box([1, 1, 1], [9, 9, 9]).alignWithMag(new Mag(4))), [[4, 4, 4], [4, 4, 4]]);
  assert.deepEqual(parts(box([1, 1, 1], [9, 9, 9]).alignWithMag(4, { ceil: false })), [[4, 4, 4], [4, 4, 4]]);
  assert.deepEqual(parts(box([-3, -3, -3], [6, 6, 6]).alignWithMag(2)), [[-2, -2, -2], [4, 4, 4]]);
  // a shrink that would make the size negative gives size 0
  const vanished = box([1, 1, 1], [2, 2, 2]).alignWithMag(4);
  assert.deepEqual(parts(vanished), [[4, 4, 4], [0, 0, 0]]);
  assert.equal(vanished.isEmpty(), true);
  // already aligned: unchanged both ways
  const aligned = box([4, 8, 0], [8, 4, 12]);
  assert.ok(aligned.alignWithMag(4).equals(aligned));
  assert.ok(aligned.alignWithMag(4, { ceil: true }).equals(aligned));
});

test("alignWithMag rejects bad input", () => {
  const b = box([1, 1, 1], [10, 10, 10]);
  for (const bad of [3, "2-2", 0, null, undefined, [2, 2]]) throwsArg(() => b.alignWithMag(bad), "mag");
  throwsArg(() => b.alignWithMag(2, null), "options");
  throwsArg(() => b.alignWithMag(2, true), "options");
  throwsArg(() => b.alignWithMag(2, { ceil: "yes" }), "options.ceil");
});

test("scenario 20: inMag", () => {
  for (const [tl, size] of [[[1, 2, 3], [9, 9, 9]], [[2, 2, 2], [9, 9, 9]]]) {
    throwsArg(() => box(tl, size).inMag(new Mag(2)), "mag", /alignWithMag/);
  }
  assert.deepEqual(parts(box([2, 2, 2], [10, 10, 10]).inMag(new Mag(2))), [[1, 1, 1], [5, 5, 5]]);
  assert.deepEqual(parts(box([4, 4, 3], [8, 8, 5]).inMag("4-4-1")), [[1, 1, 3], [2, 2, 5]]);
  assert.deepEqual(parts(box([-4, 0, 2], [8, 2, 2]).inMag(2)), [[-2, 0, 1], [4, 1, 1]]);
  assert.ok(Object.is(box([-0, 0, 0], [2, 2, 2]).inMag(2).topLeft[0], 0));
  // the suggested fix works
  const unaligned = box([1, 2, 3], [9, 9, 9]);
  assert.deepEqual(parts(unaligned.alignWithMag(2, { ceil: true }).inMag(2)), [[0, 1, 1], [5, 5, 5]]);
  for (const bad of [3, "abc", null, [1, 1]]) throwsArg(() => unaligned.inMag(bad), "mag");
});

test("fromMag multiplies (mag-local → mag1)", () => {
  const b = box([1, 2, 3], [4, 5, 6]);
  assert.deepEqual(parts(b.fromMag("2-2-1")), [[2, 4, 3], [8, 10, 6]]);
  assert.deepEqual(parts(b.fromMag(1)), [[1, 2, 3], [4, 5, 6]]);
  assert.ok(b.fromMag(new Mag("4-2-1")).inMag("4-2-1").equals(b));
  for (const bad of [3, "abc", null, [1, 1]]) throwsArg(() => b.fromMag(bad), "mag");
});

test("scenario 21: contains (inclusive topLeft, exclusive bottomRight)", () => {
  const b = box([1, 1, 1], [5, 5, 5]);
  assert.equal(b.contains([1, 1, 1]), true);
  assert.equal(b.contains([2, 2, 2]), true);
  assert.equal(b.contains([5, 5, 5]), true);
  assert.equal(b.contains([6, 6, 6]), false);
  assert.equal(b.contains([6.0, 5, 5]), false);
  assert.equal(b.contains([0, 1, 1]), false);
  assert.equal(b.contains([1, 1, 6]), false);
  assert.equal(b.contains(new Int32Array([3, 3, 3])), true);
  assert.equal(BoundingBox.empty().contains([0, 0, 0]), false);
  // Decision: points are integer voxel positions (API.md); the later float support of
  // webknossos-libs (5.5 inside) is not taken over.
  throwsArg(() => b.contains([5.5, 5.5, 5.5]), "point");
  for (const bad of BAD_VEC3) throwsArg(() => b.contains(bad), "point");
});

test("containsBbox", () => {
  const b = box([0, 0, 0], [10, 10, 10]);
  assert.equal(b.containsBbox(b), true);
  assert.equal(b.containsBbox(box([2, 2, 2], [8, 8, 8])), true);
  assert.equal(b.containsBbox(box([2, 2, 2], [9, 8, 8])), false);
  assert.equal(b.containsBbox(box([-1, 0, 0], [2, 2, 2])), false);
  assert.equal(b.containsBbox(box([20, 20, 20], [2, 2, 2])), false);
  assert.equal(box([2, 2, 2], [8, 8, 8]).containsBbox(b), false);
  // empty boxes: contained iff their corners lie within the box
  assert.equal(b.containsBbox(box([10, 10, 10], [0, 0, 0])), true);
  assert.equal(b.containsBbox(box([100, 100, 100], [0, 0, 0])), false);
  for (const bad of [null, undefined, [0, 0, 0], { topLeft: [0, 0, 0], size: [1, 1, 1] }, "x"]) {
    throwsArg(() => b.containsBbox(bad), "other");
  }
});

test("intersectedWith", () => {
  const a = box([0, 0, 0], [10, 10, 10]);
  assert.deepEqual(parts(a.intersectedWith(box([5, -5, 2], [10, 10, 3]))), [[5, 0, 2], [5, 5, 3]]);
  assert.ok(a.intersectedWith(a).equals(a));
  assert.ok(a.intersectedWith(box([2, 2, 2], [3, 3, 3])).equals(box([2, 2, 2], [3, 3, 3])));
  // disjoint or touching boxes: error unless allowEmpty, then the size is clamped at 0
  for (const other of [box([20, 0, 0], [5, 5, 5]), box([10, 0, 0], [5, 5, 5])]) {
    throwsArg(() => a.intersectedWith(other), "other", /allowEmpty/);
    throwsArg(() => a.intersectedWith(other, { allowEmpty: false }), "other");
    const e = a.intersectedWith(other, { allowEmpty: true });
    assert.equal(e.isEmpty(), true);
    assert.deepEqual([...e.size], [0, 5, 5]);
    assert.deepEqual([...e.topLeft], [other.topLeft[0], 0, 0]);
  }
  for (const bad of [null, undefined, [0, 0, 0], "x", {}]) throwsArg(() => a.intersectedWith(bad), "other");
  throwsArg(() => a.intersectedWith(a, null), "options");
  throwsArg(() => a.intersectedWith(a, { allowEmpty: 1 }), "options.allowEmpty");
});

test("extendedBy (empty operands are ignored)", () => {
  const a = box([0, 0, 0], [10, 10, 10]);
  const b = box([5, -5, 20], [10, 10, 10]);
  assert.deepEqual(parts(a.extendedBy(b)), [[0, -5, 0], [15, 15, 30]]);
  assert.ok(a.extendedBy(b).equals(b.extendedBy(a)));
  const far = box([100, 100, 100], [1, 1, 1]);
  assert.ok(BoundingBox.empty().extendedBy(far).equals(far));
  assert.ok(far.extendedBy(BoundingBox.empty()).equals(far));
  assert.ok(far.extendedBy(box([0, 0, 0], [5, 0, 5])).equals(far));
  for (const bad of [null, undefined, [0, 0, 0], "x"]) throwsArg(() => a.extendedBy(bad), "other");
});

test("paddedWithMargins", () => {
  const b = box([10, 10, 10], [5, 5, 5]);
  assert.deepEqual(parts(b.paddedWithMargins([1, 2, 3])), [[9, 8, 7], [7, 9, 11]]);
  assert.deepEqual(parts(b.paddedWithMargins([1, 2, 3], [0, 0, 10])), [[9, 8, 7], [6, 7, 18]]);
  assert.deepEqual(parts(b.paddedWithMargins([-1, -1, -1], [-1, 0, 0])), [[11, 11, 11], [3, 4, 4]]);
  assert.deepEqual(parts(b.paddedWithMargins([0, 0, 0])), parts(b));
  assert.deepEqual(parts(b.paddedWithMargins([20, 0, 0])), [[-10, 10, 10], [45, 5, 5]]);
  throwsArg(() => b.paddedWithMargins([-3, 0, 0]), "left");
  throwsArg(() => b.paddedWithMargins([0, 0, 0], [0, -6, 0]), "right");
  for (const bad of BAD_VEC3.filter((v) => v !== undefined)) {
    throwsArg(() => b.paddedWithMargins(bad), "left");
    throwsArg(() => b.paddedWithMargins([0, 0, 0], bad), "right");
  }
  throwsArg(() => b.paddedWithMargins(undefined), "left");
});

test("offset translates", () => {
  const b = box([1, 2, 3], [4, 5, 6]);
  assert.deepEqual(parts(b.offset([10, -20, 0])), [[11, -18, 3], [4, 5, 6]]);
  for (const bad of BAD_VEC3) throwsArg(() => b.offset(bad), "vector");
});

test("scenario 23: chunk with alignment", () => {
  const b = box([10, 10, 10], [150, 150, 54]);
  const chunks = [...b.chunk([64, 64, 64], [64, 64, 64])];
  assert.deepEqual(parts(chunks[0]), [[10, 10, 10], [54, 54, 54]]);
  assert.deepEqual([...chunks[1].topLeft], [10, 64, 10]);
  assert.deepEqual([...chunks[3].topLeft], [64, 10, 10]);
  const last = chunks.at(-1);
  assert.deepEqual(parts(last), [[128, 128, 10], [32, 32, 54]]);
  assert.equal(last.topLeft[0], 128);
  assert.equal(last.bottomRight[0], 160);
  assert.equal(chunks.length, 9);
  assert.equal(chunks.reduce((s, c) => s + c.volume, 0), b.volume);
  for (const c of chunks) {
    assert.ok(b.containsBbox(c));
    for (let a = 0; a < 3; a++) {
      if (c.topLeft[a] !== b.topLeft[a]) assert.equal(c.topLeft[a] % 64, 0);
      if (c.bottomRight[a] !== b.bottomRight[a]) assert.equal(c.bottomRight[a] % 64, 0);
    }
  }
});

test("chunk without alignment starts at topLeft; x outermost, z innermost; edges clipped", () => {
  const b = box([10, 10, 10], [150, 150, 54]);
  const chunks = [...b.chunk([64, 64, 64])];
  assert.deepEqual(parts(chunks[0]), [[10, 10, 10], [64, 64, 54]]);
  assert.deepEqual(parts(chunks.at(-1)), [[138, 138, 10], [22, 22, 54]]);
  const order = [...box([0, 0, 0], [2, 2, 2]).chunk([1, 1, 1])].map((c) => [...c.topLeft]);
  assert.deepEqual(order, [
    [0, 0, 0], [0, 0, 1], [0, 1, 0], [0, 1, 1], [1, 0, 0], [1, 0, 1], [1, 1, 0], [1, 1, 1],
  ]);
  const many = [...box([0, 0, 0], [10, 10, 10]).chunk([4, 4, 4])];
  assert.equal(many.length, 27);
  assert.deepEqual(parts(many.at(-1)), [[8, 8, 8], [2, 2, 2]]);
  assert.equal(many.reduce((s, c) => s + c.volume, 0), 1000);
  const whole = [...box([3, 3, 3], [4, 4, 4]).chunk([8, 8, 8])];
  assert.equal(whole.length, 1);
  assert.deepEqual(parts(whole[0]), [[3, 3, 3], [4, 4, 4]]);
});

test("chunk: alignment coarser than one, negative coordinates, empty boxes", () => {
  // chunk 128, alignment 64: borders are multiples of 64 (here of 128 from 0)
  const b = box([10, 0, 0], [300, 1, 1]);
  const xs = [...b.chunk([128, 1, 1], [64, 1, 1])].map((c) => [c.topLeft[0], c.bottomRight[0]]);
  assert.deepEqual(xs, [[10, 128], [128, 256], [256, 310]]);
  const n = box([-70, 0, 0], [100, 1, 1]);
  const nx = [...n.chunk([64, 1, 1], [64, 1, 1])].map((c) => [c.topLeft[0], c.bottomRight[0]]);
  assert.deepEqual(nx, [[-70, -64], [-64, 0], [0, 30]]);
  assert.deepEqual([...BoundingBox.empty().chunk([4, 4, 4])], []);
  assert.deepEqual([...box([10, 10, 10], [0, 5, 5]).chunk([4, 4, 4], [4, 4, 4])], []);
  assert.deepEqual([...box([10, 10, 10], [5, 5, 0]).chunk([4, 4, 4], [4, 4, 4])], []);
});

test("chunk rejects bad input at the call, not at the first next()", () => {
  const b = box([0, 0, 0], [10, 10, 10]);
  for (const bad of [...BAD_VEC3, [0, 1, 1], [-4, 4, 4], 64]) throwsArg(() => b.chunk(bad), "chunkSize");
  for (const bad of [...BAD_VEC3.filter((v) => v !== undefined), [0, 1, 1], [-4, 4, 4], 64]) {
    throwsArg(() => b.chunk([4, 4, 4], bad), "alignment");
  }
  throwsArg(() => b.chunk([64, 64, 64], [48, 64, 64]), "chunkSize", /multiple of alignment/);
  throwsArg(() => b.chunk([32, 32, 32], [64, 64, 64]), "chunkSize");
});

test("fromWkw / toWkw / toJSON", () => {
  const json = { topLeft: [1, 2, 3], width: 4, height: 5, depth: 6 };
  const b = BoundingBox.fromWkw(json);
  assert.deepEqual(parts(b), [[1, 2, 3], [4, 5, 6]]);
  assert.deepEqual(b.toWkw(), json);
  assert.deepEqual(b.toJSON(), json);
  assert.equal(JSON.stringify(b), '{"topLeft":[1,2,3],"width":4,"height":5,"depth":6}');
  assert.ok(BoundingBox.fromWkw(JSON.parse(JSON.stringify(b))).equals(b));
  const out = b.toWkw();
  out.topLeft[0] = 99; // a plain, mutable copy
  assert.equal(b.topLeft[0], 1);
});

test("fromWkw rejects bad input naming the field", () => {
  const ok = { topLeft: [1, 2, 3], width: 4, height: 5, depth: 6 };
  for (const bad of [undefined, null, 42, "x", [1, 2, 3, 4, 5, 6]]) throwsArg(() => BoundingBox.fromWkw(bad), "bbox");
  throwsArg(() => BoundingBox.fromWkw({ ...ok, topLeft: [1, 2] }), "bbox.topLeft");
  throwsArg(() => BoundingBox.fromWkw({ ...ok, topLeft: undefined }), "bbox.topLeft");
  throwsArg(() => BoundingBox.fromWkw({ ...ok, width: -1 }), "bbox.width");
  throwsArg(() => BoundingBox.fromWkw({ ...ok, height: undefined }), "bbox.height");
  throwsArg(() => BoundingBox.fromWkw({ ...ok, depth: 1.5 }), "bbox.depth");
  throwsArg(() => BoundingBox.fromWkw({ ...ok, depth: "6" }), "bbox.depth");
  throwsArg(() => BoundingBox.fromWkw({ ...ok, width: NaN }, "boundingBox"), "boundingBox.width");
});

test("fromPoints (bottomRight = max + 1)", () => {
  const b = BoundingBox.fromPoints([[1, 2, 3], [4, 0, 5], [2, 2, 2]]);
  assert.deepEqual(parts(b), [[1, 0, 2], [4, 3, 4]]);
  assert.deepEqual(parts(BoundingBox.fromPoints([[7, 8, 9]])), [[7, 8, 9], [1, 1, 1]]);
  function* gen() { yield [0, 0, 0]; yield new Int32Array([-1, 5, 2]); }
  assert.deepEqual(parts(BoundingBox.fromPoints(gen())), [[-1, 0, 0], [2, 6, 3]]);
  for (const p of [[1, 2, 3], [4, 0, 5]]) assert.ok(b.contains(p));
  for (const bad of [undefined, null, 42, "abc", {}, []]) throwsArg(() => BoundingBox.fromPoints(bad), "points");
  throwsArg(() => BoundingBox.fromPoints([[0, 0, 0], [1, 1]]), "points[1]");
  throwsArg(() => BoundingBox.fromPoints([[0, 0, NaN]]), "points[0]");
});

test("fromCsv / toCsv", () => {
  const b = BoundingBox.fromCsv("1,2,3,4,5,6");
  assert.deepEqual(parts(b), [[1, 2, 3], [4, 5, 6]]);
  assert.equal(b.toCsv(), "1,2,3,4,5,6");
  assert.deepEqual(parts(BoundingBox.fromCsv(" -1, 2 ,+3,4,5,0 ")), [[-1, 2, 3], [4, 5, 0]]);
  assert.ok(BoundingBox.fromCsv(box([-7, 0, 9], [1, 2, 3]).toCsv()).equals(box([-7, 0, 9], [1, 2, 3])));
  const bad = [
    "", "1,2,3,4,5", "1,2,3,4,5,6,7", "1,2,3,4,5,x", "1,2,3,-4,5,6", "1.5,2,3,4,5,6", "1,,3,4,5,6",
    "1e3,2,3,4,5,6", "99999999999999999999,0,0,1,1,1", 42, null, undefined, [1, 2, 3, 4, 5, 6],
  ];
  for (const value of bad) throwsArg(() => BoundingBox.fromCsv(value), "csv");
});

test("fromTuple6 / toTuple6", () => {
  const b = BoundingBox.fromTuple6([1, 2, 3, 4, 5, 6]);
  assert.deepEqual(parts(b), [[1, 2, 3], [4, 5, 6]]);
  assert.deepEqual(b.toTuple6(), [1, 2, 3, 4, 5, 6]);
  assert.ok(BoundingBox.fromTuple6(new Int32Array(b.toTuple6())).equals(b));
  for (const bad of [undefined, null, "1,2,3,4,5,6", [1, 2, 3, 4, 5], [1, 2, 3, 4, 5, 6, 7], [1, 2, 3.5, 4, 5, 6], [1, 2, 3, 4, -5, 6], [NaN, 0, 0, 1, 1, 1]]) {
    throwsArg(() => BoundingBox.fromTuple6(bad), "tuple");
  }
});

test("equals never throws", () => {
  const b = box([1, 2, 3], [4, 5, 6]);
  assert.equal(b.equals(box([1, 2, 3], [4, 5, 6])), true);
  assert.equal(b.equals(box([1, 2, 3], [4, 5, 7])), false);
  assert.equal(b.equals(box([0, 2, 3], [4, 5, 6])), false);
  for (const other of [undefined, null, 42, "x", [1, 2, 3, 4, 5, 6], { topLeft: [1, 2, 3], size: [4, 5, 6] }, b.toWkw()]) {
    assert.equal(b.equals(other), false);
  }
});

test("toString and inspect", () => {
  const b = box([1, 2, 3], [4, 5, 6]);
  assert.equal(String(b), "BoundingBox(topLeft=[1,2,3], size=[4,5,6])");
  assert.equal(inspect(b), "BoundingBox(topLeft=[1,2,3], size=[4,5,6])");
  assert.equal(inspect([b]), "[ BoundingBox(topLeft=[1,2,3], size=[4,5,6]) ]");
});

test("index re-exports", async () => {
  const pkg = (await import("../dist/geometry/index.js")).default;
  assert.equal(pkg.BoundingBox, BoundingBox);
  assert.equal(pkg.Mag, Mag);
  assert.equal(typeof pkg.vec3, "function");
  for (const name of ["add", "sub", "mul", "div", "floorDiv", "ceilDiv", "min", "max", "equals", "product", "isPositive", "toString", "vec3"]) {
    assert.equal(typeof vec3Ops[name], "function", name);
  }
});

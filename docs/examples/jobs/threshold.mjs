// A chunk job module for example 4: exported functions called as fn(source, target, index, args)
// wherever the executor runs them (this thread, a worker thread, a `wkw worker` process).
export async function threshold(source, target, _index, { level }) {
  const a = await source.read();
  const mask = new Uint32Array(a.data.length);
  for (let i = 0; i < a.data.length; i++) mask[i] = a.data[i] > level ? 1 : 0;
  await target.write({ data: mask, shape: a.shape.slice(1) });
}

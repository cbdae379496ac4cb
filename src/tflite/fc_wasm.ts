// The fully connected layer's kernel in WebAssembly (SIMD, f64x2), assembled here from its instructions: no
// toolchain and no dependency. The arithmetic is fullyConnected()'s in interpreter.ts, operation for
// operation: per output four float64 partial sums s0..s3 over the inputs i ≡ 0..3 (mod 4), kept as two
// f64x2 lanes (s0, s1) and (s2, s3) and added in the same order (s0 + s1 + s2 + s3 + bias), then rounded to
// float32 (f32.demote_f64 rounds to nearest even, as a Float32Array store does). The products of float32
// values are exact in float64, so the weights and inputs are held as float64 and every sum is the same
// double. Four output rows at a time share the loads of x; each keeps its own sums, so the order does not
// change. Needs inDim and outDim of at least 4; the last outDim mod 4 rows are left to JavaScript.

const uleb = (v: number): number[] => {
  const out: number[] = [];
  do {
    let b = v & 0x7f;
    v >>>= 7;
    if (v) b |= 0x80;
    out.push(b);
  } while (v);
  return out;
};
const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];

// instructions (WebAssembly core spec 2.0, SIMD proposal opcodes)
const I32 = 0x7f;
const V128 = 0x7b;
const get = (l: number) => [0x20, ...uleb(l)];
const set = (l: number) => [0x21, ...uleb(l)];
const i32c = (v: number) => [0x41, ...uleb(v)]; // non-negative values below 64 only (sLEB = uLEB there)
const add = [0x6a];
const mul = [0x6c];
const ltU = [0x49];
const loop = (body: number[]) => [0x03, 0x40, ...body, 0x0b];
const brIf0 = [0x0d, 0];
const simd = (op: number) => [0xfd, ...uleb(op)];
const v128load = (offset: number) => [...simd(0x00), 3, ...uleb(offset)];
const v128zero = [...simd(0x0c), ...new Array(16).fill(0)];
const f64x2add = simd(0xf0);
const f64x2mul = simd(0xf2);
const lane = (l: number) => [...simd(0x21), l];
const f64add = [0xa0];
const f64load = (offset: number) => [0x2b, 3, ...uleb(offset)];
const f32store = (offset: number) => [0x38, 2, ...uleb(offset)];
const demote = [0xb6];

// fc(x, w, bias, o, batch, inDim, outDim, rows): byte addresses of x (batch×inDim f64), w (outDim×inDim
// f64), bias (outDim f64, zeros when the layer has none: +0 is added like the JavaScript kernel's `+ 0`) and
// o (batch×outDim f32); output rows 0..rows−1 (a multiple of 4) of every batch row. Inputs past the last
// multiple of 4 go into s0 one by one after the loop, as in JavaScript.
const [X, W, B, O, BATCH, IN, OUT, ROWS] = [0, 1, 2, 3, 4, 5, 6, 7];
const [BI, R, I, XR, W0, ROW, LAST] = [8, 9, 10, 11, 12, 16, 17]; // W0..W0+3: the four rows' weights
const ACC = 18; // ACC + 2r, ACC + 2r + 1: row r's lanes (s0, s1) and (s2, s3)
const XV = 26; // XV, XV + 1: x[i..i+1], x[i+2..i+3]
const T = 28; // f64: s0 with the tail inputs
const geU = [0x4f];
const f64mul = [0xa2];
const block = (body: number[]) => [0x02, 0x40, ...body, 0x0b];

const rowSum = (r: number): number[] => [
  // s0 += x[i]·w[i] for the tail inputs, in order
  ...get(ACC + 2 * r),
  ...lane(0),
  ...set(T),
  ...get(LAST),
  ...set(I),
  ...block(
    loop([
      ...get(I),
      ...get(ROW),
      ...geU,
      0x0d,
      1, // br_if out of the block
      ...get(T),
      ...get(XR),
      ...get(I),
      ...add,
      ...f64load(0),
      ...get(W0 + r),
      ...get(I),
      ...add,
      ...f64load(0),
      ...f64mul,
      ...f64add,
      ...set(T),
      ...get(I),
      ...i32c(8),
      ...add,
      ...set(I),
      0x0c,
      0, // br to the loop
    ]),
  ),
  ...get(O),
  ...get(BI),
  ...get(OUT),
  ...mul,
  ...get(R),
  ...add,
  ...i32c(2),
  0x74, // i32.shl: the f32 index to bytes
  ...add,
  ...get(T),
  ...get(ACC + 2 * r),
  ...lane(1),
  ...f64add,
  ...get(ACC + 2 * r + 1),
  ...lane(0),
  ...f64add,
  ...get(ACC + 2 * r + 1),
  ...lane(1),
  ...f64add,
  ...get(B),
  ...get(R),
  ...i32c(3),
  0x74,
  ...add,
  ...f64load(8 * r),
  ...f64add,
  ...demote,
  ...f32store(4 * r),
];

const body: number[] = [
  ...get(IN),
  ...i32c(3),
  0x74,
  ...set(ROW),
  ...get(IN),
  0x41,
  0x7c, // i32.const −4 (signed LEB128)
  0x71, // i32.and
  ...i32c(3),
  0x74,
  ...set(LAST),
  ...i32c(0),
  ...set(BI),
  ...loop([
    ...get(X),
    ...get(BI),
    ...get(ROW),
    ...mul,
    ...add,
    ...set(XR),
    ...i32c(0),
    ...set(R),
    ...loop([
      ...get(W),
      ...get(R),
      ...get(ROW),
      ...mul,
      ...add,
      ...set(W0),
      ...[1, 2, 3].flatMap((r) => [...get(W0 + r - 1), ...get(ROW), ...add, ...set(W0 + r)]),
      ...Array.from({ length: 8 }, (_, a) => [...v128zero, ...set(ACC + a)]).flat(),
      ...i32c(0),
      ...set(I),
      ...loop([
        ...get(XR),
        ...get(I),
        ...add,
        ...v128load(0),
        ...set(XV),
        ...get(XR),
        ...get(I),
        ...add,
        ...v128load(16),
        ...set(XV + 1),
        ...[0, 1, 2, 3].flatMap((r) =>
          [0, 1].flatMap((h) => [
            ...get(ACC + 2 * r + h),
            ...get(XV + h),
            ...get(W0 + r),
            ...get(I),
            ...add,
            ...v128load(16 * h),
            ...f64x2mul,
            ...f64x2add,
            ...set(ACC + 2 * r + h),
          ]),
        ),
        ...get(I),
        ...i32c(32),
        ...add,
        ...set(I),
        ...get(I),
        ...get(LAST),
        ...ltU,
        ...brIf0,
      ]),
      ...[0, 1, 2, 3].flatMap(rowSum),
      ...get(R),
      ...i32c(4),
      ...add,
      ...set(R),
      ...get(R),
      ...get(ROWS),
      ...ltU,
      ...brIf0,
    ]),
    ...get(BI),
    ...i32c(1),
    ...add,
    ...set(BI),
    ...get(BI),
    ...get(BATCH),
    ...ltU,
    ...brIf0,
  ]),
  0x0b,
];

const code = [
  ...vec(
    [
      [10, I32],
      [10, V128],
      [1, 0x7c], // f64
    ].map(([n, t]) => [...uleb(n!), t!]),
  ),
  ...body,
];
const utf8 = (s: string) => [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];
const MODULE = new Uint8Array([
  ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
  ...section(1, vec([[0x60, ...vec(new Array(8).fill([I32])), 0]])),
  ...section(3, vec([[0]])),
  ...section(5, vec([[0x00, 1]])),
  ...section(
    7,
    vec([
      [...utf8('fc'), 0x00, 0],
      [...utf8('mem'), 0x02, 0],
    ]),
  ),
  ...section(10, vec([[...uleb(code.length), ...code]])),
]);

type FcFn = (
  x: number,
  w: number,
  b: number,
  o: number,
  batch: number,
  inD: number,
  outD: number,
  rows: number,
) => void;

/** The kernel with its own memory: constant weights and biases packed once as float64 (keyed by their
 *  arrays, which the interpreter never mutates), inputs and outputs in a scratch area above them. */
export class WasmFc {
  private readonly fc: FcFn;
  private readonly mem: WebAssembly.Memory;
  private top = 0;
  private readonly packed = new Map<Float32Array | number, number>();

  private constructor(inst: WebAssembly.Instance) {
    this.fc = inst.exports.fc as FcFn;
    this.mem = inst.exports.mem as WebAssembly.Memory;
  }

  /** The kernel, or undefined where WebAssembly SIMD is not available (the JavaScript kernel is used). */
  static create(): WasmFc | undefined {
    try {
      return new WasmFc(new WebAssembly.Instance(new WebAssembly.Module(MODULE)));
    } catch {
      return undefined;
    }
  }

  static fits(inDim: number, outDim: number): boolean {
    return inDim >= 4 && outDim >= 4;
  }

  private alloc(bytes: number): number {
    const at = this.top;
    this.top += Math.ceil(bytes / 16) * 16;
    const need = this.top - this.mem.buffer.byteLength;
    if (need > 0) this.mem.grow(Math.ceil(need / 65536));
    return at;
  }

  /** The float64 copy of a constant array (a number: that many zeros). */
  private pack(a: Float32Array | number): number {
    let at = this.packed.get(a);
    if (at === undefined) {
      const len = typeof a === 'number' ? a : a.length;
      at = this.alloc(len * 8);
      const dst = new Float64Array(this.mem.buffer, at, len);
      if (typeof a === 'number') dst.fill(0);
      else dst.set(a);
      this.packed.set(a, at);
    }
    return at;
  }

  /** Rows 0..r−1 (r = outDim rounded down to a multiple of 4) of o (batch×outDim) = x·wᵀ + bias, exactly as
   *  fullyConnected() computes them; returns r. `constant`: w and bias never change (model weights), so
   *  they are packed once, keyed by the arrays. */
  run(
    x: Float32Array,
    w: Float32Array,
    bias: Float32Array | undefined,
    o: Float32Array,
    batch: number,
    constant: boolean,
  ): number {
    const outDim = o.length / batch;
    const inDim = x.length / batch;
    const rows = outDim - (outDim % 4);
    const copy = (a: Float32Array) => {
      const at = this.alloc(a.length * 8);
      new Float64Array(this.mem.buffer, at, a.length).set(a);
      return at;
    };
    // packed arrays first: the scratch area above `mark` is given back at the end
    const wPacked = constant ? this.pack(w) : -1;
    const bPacked = !bias ? this.pack(outDim) : constant ? this.pack(bias) : -1;
    const mark = this.top;
    const wAt = wPacked >= 0 ? wPacked : copy(w);
    const bAt = bPacked >= 0 ? bPacked : copy(bias!);
    const xAt = copy(x);
    const oAt = this.alloc(o.length * 4);
    this.fc(xAt, wAt, bAt, oAt, batch, inDim, outDim, rows);
    const res = new Float32Array(this.mem.buffer, oAt, o.length);
    for (let b = 0; b < batch; b++) o.set(res.subarray(b * outDim, b * outDim + rows), b * outDim);
    this.top = mark;
    return rows;
  }
}

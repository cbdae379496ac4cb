/**
 * Float32 interpreter for the KWT-1 TFLite graph (kwt1_non_stream.tflite), plus an attention
 * tap/hook so callers can trace and replace each layer's self-attention output.
 *
 * Supported builtin ops (exactly the 18 the model uses): ADD, CONCATENATION, FULLY_CONNECTED,
 * MUL, RESHAPE, SOFTMAX, TANH, GATHER, TRANSPOSE, MEAN, SUB, STRIDED_SLICE, MAXIMUM, LOG, SQRT,
 * RSQRT, POW, SQUARED_DIFFERENCE. Binary elementwise ops use numpy broadcasting. All tensor
 * shapes in this model are static, so shapes are taken from the flatbuffer (checked at run time).
 *
 * What the graph looks like (found by dumping it, see reader.test.ts):
 *  - Front end (ops 0..17): STRIDED_SLICE (identity on [1,16000]) -> RESHAPE [1,100,160] ->
 *    GATHER(axis 1, idx [98,3]) -> RESHAPE [1,98,480] (30 ms frames, 10 ms hop) -> MUL (Hann
 *    window) -> two FULLY_CONNECTED with constant [244,480] matrices (real and imaginary DFT rows,
 *    only the 244 bins the mel bank needs) -> MUL x*x each, ADD, SQRT (magnitude) ->
 *    FULLY_CONNECTED [80,244] (mel filterbank) -> MAXIMUM 1e-12 -> LOG -> FULLY_CONNECTED
 *    [40,80] (DCT -> 40 MFCC) -> SUB 0, MUL 1 (identity normalizer) -> [98,40].
 *  - Embedding: FULLY_CONNECTED [64,40] + bias -> [1,98,64], CONCATENATION with class_emb
 *    (axis 1) -> [1,99,64], ADD pos_emb.
 *  - 12 post-norm blocks `kws_transformer/transformer_block{,_1.._11}`; in block l the attention
 *    lives under `.../multi_head_self_attention{,_l}/`:
 *      Q = dense_(5l+1), K = dense_(5l+2), V = dense_(5l+3): bias-free FULLY_CONNECTED [64,64]
 *        (outputs named `.../multi_head_self_attention_l/dense_N/Tensordot/MatMul1`, [99,64]);
 *      the output projection dense_(5l+4) has a bias; dense_(5l+5)/(5l+6) are the GELU MLP
 *      (tanh approximation built from POW/MUL/ADD/TANH).
 *    BATCH_MATMULs were lowered by the converter to FULLY_CONNECTED with a *non-constant*
 *    weights operand:
 *      scores = FC(input=Q, weights=K') where K' = TRANSPOSE(RESHAPE(TRANSPOSE(RESHAPE(K))))
 *               == K (99x64), i.e. scores[i][j] = q_i . k_j; then MUL 0.125 (1/sqrt 64),
 *               RESHAPE [1,1,99,99], SOFTMAX (beta 1, last axis);
 *      V is computed *after* the softmax; V' = TRANSPOSE(V) is [64,99];
 *      attnOut = FC(input=softmax, weights=V') -> [99,64], attnOut[i][c] = sum_j p_ij v_jc.
 *    That last FC (first input produced by SOFTMAX, second input non-constant and traced back
 *    through TRANSPOSE/RESHAPE to V) is the tensor the attention hook replaces; it then feeds the
 *    output projection dense_(5l+4), residual ADD and LayerNorm (MEAN/SQUARED_DIFFERENCE/RSQRT).
 *  - Head: STRIDED_SLICE the class token [1,64] -> FULLY_CONNECTED [12,64] + bias -> logits
 *    [1,12] (graph output; no softmax in the graph, `probs` is computed here).
 *
 * Arithmetic: tensors are stored as Float32Array (so every op rounds to float32 like TFLite);
 * dot products and reductions accumulate in float64. FULLY_CONNECTED runs in a WebAssembly SIMD kernel
 * (fc_wasm.ts) with the same partial sums in the same order, so the results do not depend on it; outputs of
 * elementwise ops, FCs and softmax come from a per-model buffer pool (a buffer goes back after the last
 * operator reading it), so a lean hook's Q, K, V views are valid only during the call.
 */
import { defaultKwt1Path, readTfliteFile, type TfliteModel, type TfliteOperator } from './reader.ts';
import { WasmFc } from './fc_wasm.ts';

export const KWT_LABELS = [
  'silence',
  'unknown',
  'yes',
  'no',
  'up',
  'down',
  'left',
  'right',
  'on',
  'off',
  'stop',
  'go',
] as const;

/** Called once per layer (0..11) with that layer's Q, K, V rows (n=99 rows of d=64).
 * Return n rows of d values to replace softmax(QK^T/8)·V, or undefined to keep the exact one. */
export interface AttentionHook {
  (layer: number, q: Float32Array[], k: Float32Array[], v: Float32Array[]): Float32Array[] | undefined;
}

export interface LayerTrace {
  q: Float32Array[];
  k: Float32Array[];
  v: Float32Array[];
  /** n×n softmax(QK^T/sqrt(d)) */
  attn: Float32Array[];
  /** n×d exact attention output attn·V (as computed by the graph, before any hook). */
  out: Float32Array[];
  /** The rows the hook substituted for `out` (undefined when the hook kept the exact output). */
  replaced?: Float32Array[];
}

export interface KwtRunResult {
  logits: Float32Array;
  label: string;
  probs: Float32Array;
  layers: LayerTrace[];
  /** Set when `run` was asked for one: the state before the first attention output. */
  checkpoint?: KwtCheckpoint;
}

/** The graph's tensors just before operator `op` (the first attention output) for one audio clip. */
export interface KwtCheckpoint {
  readonly model: KwtModel;
  readonly op: number;
  readonly vals: readonly (Float32Array | Int32Array | undefined)[];
}

export interface KwtRunOptions {
  attention?: AttentionHook;
  /** Lean run for evaluations: no layer traces, the hook sees views of Q, K, V (no copies, valid only during
   *  the call) and must replace every layer, so the exact attention (scores, softmax, attn·V) is not
   *  computed at all. */
  lean?: boolean;
}

/** Per-layer tensor indices located in the graph. */
export interface AttentionSite {
  layer: number;
  q: number;
  k: number;
  v: number;
  /** SOFTMAX output tensor (scaled scores -> probabilities). */
  softmax: number;
  /** Tensor holding softmax·V (FULLY_CONNECTED output). */
  out: number;
  /** Operator index producing `out`. */
  outOp: number;
}

type Buf = Float32Array | Int32Array;

function size(shape: number[]): number {
  let s = 1;
  for (const d of shape) s *= d;
  return s;
}

function stridesOf(shape: number[]): number[] {
  const st = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    st[i] = s;
    s *= shape[i]!;
  }
  return st;
}

function firstName(name: string): string {
  const i = name.indexOf(';');
  return i < 0 ? name : name.slice(0, i);
}

function rows(data: Float32Array, n: number, d: number, copy: boolean): Float32Array[] {
  const src = copy ? data.slice(0, n * d) : data;
  const out: Float32Array[] = new Array(n);
  for (let i = 0; i < n; i++) out[i] = src.subarray(i * d, (i + 1) * d);
  return out;
}

function activate(x: Float32Array, act: string | undefined): void {
  if (!act || act === 'NONE') return;
  const n = x.length;
  switch (act) {
    case 'RELU':
      for (let i = 0; i < n; i++) if (x[i]! < 0) x[i] = 0;
      break;
    case 'RELU6':
      for (let i = 0; i < n; i++) x[i] = Math.min(6, Math.max(0, x[i]!));
      break;
    case 'RELU_N1_TO_1':
      for (let i = 0; i < n; i++) x[i] = Math.min(1, Math.max(-1, x[i]!));
      break;
    case 'TANH':
      for (let i = 0; i < n; i++) x[i] = Math.tanh(x[i]!);
      break;
    default:
      throw new Error(`unsupported fused activation ${act}`);
  }
}

const BINARY: Record<string, (a: number, b: number) => number> = {
  ADD: (a, b) => a + b,
  SUB: (a, b) => a - b,
  MUL: (a, b) => a * b,
  MAXIMUM: (a, b) => (a > b ? a : b),
  POW: (a, b) => Math.pow(a, b),
  SQUARED_DIFFERENCE: (a, b) => (a - b) * (a - b),
};

const UNARY: Record<string, (a: number) => number> = {
  TANH: Math.tanh,
  LOG: Math.log,
  SQRT: Math.sqrt,
  RSQRT: (a) => 1 / Math.sqrt(a),
};

/** b's shape, without leading 1s, equals the end of a's shape (so b repeats along a in memory order). */
function sameTail(aShape: number[], bShape: number[]): boolean {
  let j = 0;
  while (j < bShape.length && bShape[j] === 1) j++;
  const t = bShape.slice(j);
  if (t.length > aShape.length) return false;
  return t.every((x, i) => x === aShape[aShape.length - t.length + i]);
}

/** out[o + j] = a[pa + j·ia] op b[pb + j·ib] for j < len; the common ops inline, others through f. */
function stridedRow(
  op: string,
  f: (x: number, y: number) => number,
  a: Float32Array,
  pa: number,
  ia: number,
  b: Float32Array,
  pb: number,
  ib: number,
  out: Float32Array,
  o: number,
  len: number,
): void {
  switch (op) {
    case 'ADD':
      for (let j = 0; j < len; j++) out[o + j] = a[pa + j * ia]! + b[pb + j * ib]!;
      return;
    case 'SUB':
      for (let j = 0; j < len; j++) out[o + j] = a[pa + j * ia]! - b[pb + j * ib]!;
      return;
    case 'MUL':
      for (let j = 0; j < len; j++) out[o + j] = a[pa + j * ia]! * b[pb + j * ib]!;
      return;
    case 'SQUARED_DIFFERENCE':
      for (let j = 0; j < len; j++) {
        const t = a[pa + j * ia]! - b[pb + j * ib]!;
        out[o + j] = t * t;
      }
      return;
    default:
      for (let j = 0; j < len; j++) out[o + j] = f(a[pa + j * ia]!, b[pb + j * ib]!);
  }
}

/** numpy-broadcast binary op into `out` (shape outShape). */
function broadcastBinary(
  op: string,
  a: Float32Array,
  aShape: number[],
  b: Float32Array,
  bShape: number[],
  out: Float32Array,
  outShape: number[],
): void {
  const n = out.length;
  if (a.length === n && b.length === n) {
    switch (op) {
      case 'ADD':
        for (let i = 0; i < n; i++) out[i] = a[i]! + b[i]!;
        return;
      case 'SUB':
        for (let i = 0; i < n; i++) out[i] = a[i]! - b[i]!;
        return;
      case 'MUL':
        for (let i = 0; i < n; i++) out[i] = a[i]! * b[i]!;
        return;
      default: {
        const f = BINARY[op]!;
        for (let i = 0; i < n; i++) out[i] = f(a[i]!, b[i]!);
        return;
      }
    }
  }
  // a scalar b, or b repeating along a's last axes (biases, LayerNorm scales): loops without a call per element
  if (b.length === 1 || (a.length === n && n % b.length === 0 && sameTail(aShape, bShape))) {
    // row by row over b (no index modulo per element)
    const m = b.length;
    if (op === 'POW' && m === 1 && b[0] === 3) {
      // GELU's x³: a float32 squared is exact in float64, so x·x·x is rounded once (Math.pow is 40× slower)
      for (let i = 0; i < n; i++) out[i] = a[i]! * a[i]! * a[i]!;
      return;
    }
    if (m === 1) {
      const c = b[0]!;
      switch (op) {
        case 'ADD':
          for (let i = 0; i < n; i++) out[i] = a[i]! + c;
          return;
        case 'SUB':
          for (let i = 0; i < n; i++) out[i] = a[i]! - c;
          return;
        case 'MUL':
          for (let i = 0; i < n; i++) out[i] = a[i]! * c;
          return;
        default: {
          const f = op === 'POW' ? Math.pow : BINARY[op]!;
          for (let i = 0; i < n; i++) out[i] = f(a[i]!, c);
          return;
        }
      }
    }
    for (let base = 0; base < n; base += m) {
      switch (op) {
        case 'ADD':
          for (let j = 0; j < m; j++) out[base + j] = a[base + j]! + b[j]!;
          break;
        case 'SUB':
          for (let j = 0; j < m; j++) out[base + j] = a[base + j]! - b[j]!;
          break;
        case 'MUL':
          for (let j = 0; j < m; j++) out[base + j] = a[base + j]! * b[j]!;
          break;
        case 'POW':
          for (let j = 0; j < m; j++) out[base + j] = Math.pow(a[base + j]!, b[j]!);
          break;
        default: {
          const f = BINARY[op]!;
          for (let j = 0; j < m; j++) out[base + j] = f(a[base + j]!, b[j]!);
        }
      }
    }
    return;
  }
  const f = BINARY[op]!;
  const r = outShape.length;
  const bs = (shape: number[]): number[] => {
    const st = stridesOf(shape);
    const res = new Array<number>(r).fill(0);
    for (let i = 0; i < shape.length; i++) {
      const oi = r - shape.length + i;
      res[oi] = shape[i] === 1 ? 0 : st[i]!;
    }
    return res;
  };
  const sa = bs(aShape);
  const sb = bs(bShape);
  const inner = r > 0 ? outShape[r - 1]! : 1;
  const ia = r > 0 ? sa[r - 1]! : 0;
  const ib = r > 0 ? sb[r - 1]! : 0;
  const outer = inner === 0 ? 0 : n / inner;
  const idx = new Array<number>(Math.max(r - 1, 0)).fill(0);
  let o = 0;
  for (let k = 0; k < outer; k++) {
    let pa = 0;
    let pb = 0;
    for (let d = 0; d < r - 1; d++) {
      pa += idx[d]! * sa[d]!;
      pb += idx[d]! * sb[d]!;
    }
    stridedRow(op, f, a, pa, ia, b, pb, ib, out, o, inner);
    o += inner;
    for (let d = r - 2; d >= 0; d--) {
      if (++idx[d]! < outShape[d]!) break;
      idx[d] = 0;
    }
  }
}

function normAxis(axis: number, rank: number): number {
  return axis < 0 ? axis + rank : axis;
}

/** o[b][r] = Σ_i x[b][i]·w[r][i] + bias[r], each sum in float64 over four interleaved partial sums
 *  (s0 + s1 + s2 + s3 + bias, tail into s0), then rounded to float32. Two output rows at a time share
 *  the loads of x; the order of every addition is the same as one row at a time, so the results are too. */
export function fullyConnected(
  x: Float32Array,
  w: Float32Array,
  bias: Float32Array | undefined,
  o: Float32Array,
  batch: number,
  inDim: number,
  outDim: number,
  r0 = 0,
): void {
  const last = inDim - (inDim % 4);
  for (let b = 0; b < batch; b++) {
    const xo = b * inDim;
    let r = r0;
    for (; r + 1 < outDim; r += 2) {
      const wa = r * inDim;
      const wb = wa + inDim;
      let a0 = 0,
        a1 = 0,
        a2 = 0,
        a3 = 0,
        b0 = 0,
        b1 = 0,
        b2 = 0,
        b3 = 0;
      for (let i = 0; i < last; i += 4) {
        const x0 = x[xo + i]!;
        const x1 = x[xo + i + 1]!;
        const x2 = x[xo + i + 2]!;
        const x3 = x[xo + i + 3]!;
        a0 += x0 * w[wa + i]!;
        a1 += x1 * w[wa + i + 1]!;
        a2 += x2 * w[wa + i + 2]!;
        a3 += x3 * w[wa + i + 3]!;
        b0 += x0 * w[wb + i]!;
        b1 += x1 * w[wb + i + 1]!;
        b2 += x2 * w[wb + i + 2]!;
        b3 += x3 * w[wb + i + 3]!;
      }
      for (let i = last; i < inDim; i++) {
        a0 += x[xo + i]! * w[wa + i]!;
        b0 += x[xo + i]! * w[wb + i]!;
      }
      o[b * outDim + r] = a0 + a1 + a2 + a3 + (bias ? bias[r]! : 0);
      o[b * outDim + r + 1] = b0 + b1 + b2 + b3 + (bias ? bias[r + 1]! : 0);
    }
    for (; r < outDim; r++) {
      const wo = r * inDim;
      let s0 = 0,
        s1 = 0,
        s2 = 0,
        s3 = 0;
      for (let i = 0; i < last; i += 4) {
        s0 += x[xo + i]! * w[wo + i]!;
        s1 += x[xo + i + 1]! * w[wo + i + 1]!;
        s2 += x[xo + i + 2]! * w[wo + i + 2]!;
        s3 += x[xo + i + 3]! * w[wo + i + 3]!;
      }
      for (let i = last; i < inDim; i++) s0 += x[xo + i]! * w[wo + i]!;
      o[b * outDim + r] = s0 + s1 + s2 + s3 + (bias ? bias[r]! : 0);
    }
  }
}

export class KwtModel {
  readonly model: TfliteModel;
  readonly sites: AttentionSite[];
  private readonly siteByOp = new Map<number, AttentionSite>();
  private readonly consts: (Buf | undefined)[];
  private readonly exactOnly: Set<number>;
  /** Index of the last operator reading each tensor (-1: none), to keep checkpoints small. */
  private readonly lastUse: number[];
  /** The same products in WebAssembly for constant weights (fc_wasm.ts), where the runtime has SIMD. */
  private readonly wasm = WasmFc.create();
  /** Tensors whose last reader is each operator, and float32 buffers of finished runs by length: a run
   *  takes its elementwise, FC and softmax outputs from here and gives each back after its last reader. */
  private readonly dieAt: number[][];
  private readonly pool = new Map<number, Float32Array[]>();

  private constructor(model: TfliteModel) {
    this.model = model;
    this.consts = model.tensors.map((t) => t.data);
    for (const op of model.operators) {
      if (!(op.opcode in BINARY || op.opcode in UNARY || KwtModel.OTHER_OPS.has(op.opcode))) {
        throw new Error(`unsupported op ${op.opcode} (operator ${op.index})`);
      }
    }
    this.sites = KwtModel.findAttention(model);
    for (const s of this.sites) this.siteByOp.set(s.outOp, s);
    this.exactOnly = KwtModel.exactAttentionOps(model, this.sites);
    this.lastUse = model.tensors.map(() => -1);
    for (const op of model.operators) for (const t of op.inputs) if (t >= 0) this.lastUse[t] = op.index;
    for (const t of model.outputs) this.lastUse[t] = model.operators.length;
    // a hook reads its layer's Q, K, V at the attention output
    for (const s of this.sites) for (const t of [s.q, s.k, s.v]) this.lastUse[t] = Math.max(this.lastUse[t]!, s.outOp);
    this.dieAt = model.operators.map(() => []);
    this.lastUse.forEach((op, t) => op >= 0 && op < model.operators.length && this.dieAt[op]!.push(t));
  }

  /** Operators whose outputs feed only attention outputs (scores, scale, softmax, the K and V transposes,
   *  attn·V itself): a run whose hook replaces every layer does not need them. */
  private static exactAttentionOps(model: TfliteModel, sites: AttentionSite[]): Set<number> {
    const consumers = new Map<number, number[]>();
    for (const op of model.operators)
      for (const t of op.inputs) if (t >= 0) consumers.set(t, [...(consumers.get(t) ?? []), op.index]);
    const keep = new Set<number>([...model.outputs, ...sites.flatMap((s) => [s.q, s.k, s.v])]);
    const dead = new Set(sites.map((s) => s.outOp));
    for (let i = model.operators.length - 1; i >= 0; i--) {
      const op = model.operators[i]!;
      if (dead.has(i)) continue;
      const unused = op.outputs.every(
        (t) => !keep.has(t) && (consumers.get(t) ?? []).length > 0 && consumers.get(t)!.every((c) => dead.has(c)),
      );
      if (unused) dead.add(i);
    }
    for (const s of sites) dead.delete(s.outOp);
    return dead;
  }

  private static readonly OTHER_OPS = new Set([
    'CONCATENATION',
    'FULLY_CONNECTED',
    'RESHAPE',
    'SOFTMAX',
    'GATHER',
    'TRANSPOSE',
    'MEAN',
    'STRIDED_SLICE',
  ]);

  static load(path?: string): KwtModel {
    return new KwtModel(readTfliteFile(path ?? defaultKwt1Path()));
  }

  static fromModel(model: TfliteModel): KwtModel {
    return new KwtModel(model);
  }

  /**
   * Locate Q/K/V by tensor name (the three bias-free dense layers of each block's
   * multi_head_self_attention, in dense-number order Q, K, V), and the attn·V tensor
   * structurally (FULLY_CONNECTED consuming a SOFTMAX output and a non-constant operand that
   * traces back through TRANSPOSE/RESHAPE to V). Cross-checks that the scores FC consumes Q and K.
   */
  static findAttention(model: TfliteModel): AttentionSite[] {
    const { tensors, operators } = model;
    const producer = new Map<number, TfliteOperator>();
    for (const op of operators) for (const o of op.outputs) producer.set(o, op);
    const traceBack = (t: number): number => {
      let cur = t;
      for (;;) {
        const p = producer.get(cur);
        if (!p || (p.opcode !== 'TRANSPOSE' && p.opcode !== 'RESHAPE')) return cur;
        cur = p.inputs[0]!;
      }
    };
    const re = /^kws_transformer\/transformer_block(?:_(\d+))?\/multi_head_self_attention(?:_\d+)?\/dense_(\d+)\//;
    const perLayer = new Map<number, { dense: number; tensor: number }[]>();
    for (const op of operators) {
      if (op.opcode !== 'FULLY_CONNECTED') continue;
      const out = op.outputs[0]!;
      const m = re.exec(firstName(tensors[out]!.name));
      if (!m) continue;
      const hasBias = op.inputs.length > 2 && op.inputs[2]! >= 0;
      if (hasBias || !tensors[op.inputs[1]!]!.data) continue;
      const layer = m[1] === undefined ? 0 : Number(m[1]);
      const list = perLayer.get(layer) ?? [];
      list.push({ dense: Number(m[2]), tensor: out });
      perLayer.set(layer, list);
    }
    const sites: AttentionSite[] = [];
    const layers = [...perLayer.keys()].sort((a, b) => a - b);
    for (const layer of layers) {
      const list = perLayer.get(layer)!.sort((a, b) => a.dense - b.dense);
      if (list.length !== 3)
        throw new Error(`layer ${layer}: expected 3 bias-free attention dense layers, got ${list.length}`);
      const [q, k, v] = list.map((e) => e.tensor) as [number, number, number];
      // attn·V: FC(softmax, f(V))
      const outOp = operators.find(
        (op) =>
          op.opcode === 'FULLY_CONNECTED' &&
          producer.get(op.inputs[0]!)?.opcode === 'SOFTMAX' &&
          traceBack(op.inputs[1]!) === v,
      );
      if (!outOp) throw new Error(`layer ${layer}: attn·V FULLY_CONNECTED not found`);
      const softmax = outOp.inputs[0]!;
      // cross-check scores: softmax <- RESHAPE <- MUL(scale) <- FC(Q, f(K))
      let cur = producer.get(softmax)!.inputs[0]!;
      let p = producer.get(cur);
      while (p && (p.opcode === 'RESHAPE' || p.opcode === 'MUL')) {
        cur = p.inputs[0]!;
        p = producer.get(cur);
      }
      if (!p || p.opcode !== 'FULLY_CONNECTED' || p.inputs[0] !== q || traceBack(p.inputs[1]!) !== k) {
        throw new Error(`layer ${layer}: scores FC(Q,K) not found where expected`);
      }
      sites.push({ layer, q, k, v, softmax, out: outOp.outputs[0]!, outOp: outOp.index });
    }
    return sites;
  }

  /** A hook's rows as one n×d tensor, shape checked. */
  private replaced(rep: Float32Array[] | undefined, o: Float32Array, n: number, d: number): Float32Array {
    if (!rep) throw new Error("a lean run's attention hook must replace every layer");
    if (rep.length !== n) throw new Error(`attention hook returned ${rep.length} rows, expected ${n}`);
    for (let i = 0; i < n; i++) {
      const row = rep[i]!;
      if (row.length !== d) throw new Error(`attention hook row ${i} has ${row.length} values, expected ${d}`);
      o.set(row, i * d);
    }
    return o;
  }

  /** Run the graph on one second of 16 kHz audio (float samples in [-1, 1]). With `checkpoint`, the
   *  result also holds the graph's state just before the first attention output, for `resume`. */
  run(audio: Float32Array, opts: KwtRunOptions & { checkpoint?: boolean } = {}): KwtRunResult {
    const { tensors } = this.model;
    const inT = tensors[this.model.inputs[0]!]!;
    const need = size(inT.shape);
    if (audio.length !== need) throw new Error(`expected ${need} samples, got ${audio.length}`);
    const vals: (Buf | undefined)[] = this.consts.slice();
    vals[inT.index] = Float32Array.from(audio);
    return this.exec(vals, 0, opts, opts.checkpoint ?? false);
  }

  /** Run the rest of the graph from a checkpoint of `run`: the same result as running the whole graph
   *  on the same audio with these options, without recomputing the part no attention hook can change
   *  (the front end and the first block's Q, K, V; about a quarter of the work). */
  resume(cp: KwtCheckpoint, opts: KwtRunOptions = {}): KwtRunResult {
    if (cp.model !== this) throw new Error('checkpoint of another model');
    return this.exec(cp.vals.slice(), cp.op, opts, false);
  }

  private exec(vals: (Buf | undefined)[], start: number, opts: KwtRunOptions, keep: boolean): KwtRunResult {
    const { tensors, operators } = this.model;
    const firstSite = this.sites[0]?.outOp ?? operators.length;
    let checkpoint: KwtCheckpoint | undefined;
    const layers: LayerTrace[] = [];
    const lean = opts.lean ?? false;
    if (lean && !opts.attention) throw new Error('a lean run needs an attention hook');
    const get = (i: number): Buf => {
      const v = vals[i];
      if (!v) throw new Error(`tensor ${i} (${tensors[i]!.name}) not computed`);
      return v;
    };
    const getF = (i: number): Float32Array => {
      const v = get(i);
      if (!(v instanceof Float32Array)) throw new Error(`tensor ${i} is not float32`);
      return v;
    };
    const shp = (i: number): number[] => tensors[i]!.shape;
    // buffers this run took from the pool or made (never the constants or a checkpoint's), with the last
    // operator reading any tensor held in them (a RESHAPE shares its input's buffer)
    const owned = new Map<Float32Array, number>();
    const alloc = (len: number): Float32Array => {
      const b = this.pool.get(len)?.pop() ?? new Float32Array(len);
      owned.set(b, -1);
      return b;
    };

    for (let oi = start; oi < operators.length; oi++) {
      const op = operators[oi]!;
      // tensors are never mutated in place: a shallow copy of the table is a complete snapshot
      if (keep && oi === firstSite) {
        checkpoint = { model: this, op: oi, vals: vals.map((v, t) => (this.lastUse[t]! >= oi ? v : undefined)) };
        owned.clear(); // the checkpoint keeps them
      }
      if (lean && this.exactOnly.has(oi)) continue;
      const outIdx = op.outputs[0]!;
      const outShape = shp(outIdx);
      const ins = op.inputs;
      let out: Buf;
      switch (op.opcode) {
        case 'ADD':
        case 'SUB':
        case 'MUL':
        case 'MAXIMUM':
        case 'POW':
        case 'SQUARED_DIFFERENCE': {
          const o = alloc(size(outShape));
          broadcastBinary(op.opcode, getF(ins[0]!), shp(ins[0]!), getF(ins[1]!), shp(ins[1]!), o, outShape);
          activate(o, op.options.fusedActivation);
          out = o;
          break;
        }
        case 'TANH':
        case 'LOG':
        case 'SQRT':
        case 'RSQRT': {
          const a = getF(ins[0]!);
          const o = alloc(a.length);
          const f = UNARY[op.opcode]!;
          for (let i = 0; i < a.length; i++) o[i] = f(a[i]!);
          out = o;
          break;
        }
        case 'RESHAPE': {
          const a = get(ins[0]!);
          if (a.length !== size(outShape)) throw new Error(`RESHAPE size mismatch at op ${op.index}`);
          out = a; // tensors are never mutated in place, so aliasing is safe
          break;
        }
        case 'FULLY_CONNECTED': {
          const site = this.siteByOp.get(op.index);
          if (site && lean) {
            const qShape = shp(site.q);
            const d = qShape[qShape.length - 1]!;
            const n = size(qShape) / d;
            const view = (t: number) => rows(getF(t), n, d, false);
            const rep = opts.attention!(site.layer, view(site.q), view(site.k), view(site.v));
            out = this.replaced(rep, alloc(n * d), n, d);
            break;
          }
          const x = getF(ins[0]!);
          const w = getF(ins[1]!);
          const wShape = shp(ins[1]!);
          const outDim = wShape[0]!;
          const inDim = wShape[1]!;
          const bias = ins.length > 2 && ins[2]! >= 0 ? getF(ins[2]!) : undefined;
          const batch = x.length / inDim;
          if (!Number.isInteger(batch)) throw new Error(`FC input size mismatch at op ${op.index}`);
          const o = alloc(batch * outDim);
          const constant = this.consts[ins[1]!] === w && (!bias || this.consts[ins[2]!] === bias);
          // the rows WebAssembly leaves (outDim mod 4, or all where it cannot run) in JavaScript
          const done = this.wasm && WasmFc.fits(inDim, outDim) ? this.wasm.run(x, w, bias, o, batch, constant) : 0;
          if (done < outDim) fullyConnected(x, w, bias, o, batch, inDim, outDim, done);
          activate(o, op.options.fusedActivation);
          out = o;
          if (site) {
            const n = batch;
            const d = outDim;
            const q = rows(getF(site.q), n, d, true);
            const k = rows(getF(site.k), n, d, true);
            const v = rows(getF(site.v), n, d, true);
            const attn = rows(getF(site.softmax), n, n, true);
            const trace: LayerTrace = { q, k, v, attn, out: rows(o, n, d, true) };
            const rep = opts.attention?.(site.layer, q, k, v);
            if (rep) {
              out = this.replaced(rep, alloc(n * d), n, d);
              trace.replaced = rows(out as Float32Array, n, d, true);
            }
            layers[site.layer] = trace;
          }
          break;
        }
        case 'SOFTMAX': {
          const a = getF(ins[0]!);
          const beta = op.options.beta ?? 1;
          const inner = outShape[outShape.length - 1]!;
          const o = alloc(a.length);
          for (let base = 0; base < a.length; base += inner) {
            let mx = -Infinity;
            for (let j = 0; j < inner; j++) if (a[base + j]! > mx) mx = a[base + j]!;
            let sum = 0;
            for (let j = 0; j < inner; j++) {
              const e = Math.exp(beta * (a[base + j]! - mx));
              o[base + j] = e;
              sum += e;
            }
            for (let j = 0; j < inner; j++) o[base + j] = o[base + j]! / sum;
          }
          out = o;
          break;
        }
        case 'CONCATENATION': {
          const rank = outShape.length;
          const axis = normAxis(op.options.axis ?? 0, rank);
          let outer = 1;
          for (let d = 0; d < axis; d++) outer *= outShape[d]!;
          const o = new Float32Array(size(outShape));
          const outRow = size(outShape.slice(axis));
          let off = 0;
          for (const t of ins) {
            const a = getF(t);
            const row = size(shp(t).slice(axis));
            for (let b = 0; b < outer; b++) o.set(a.subarray(b * row, (b + 1) * row), b * outRow + off);
            off += row;
          }
          activate(o, op.options.fusedActivation);
          out = o;
          break;
        }
        case 'GATHER': {
          const a = get(ins[0]!);
          const aShape = shp(ins[0]!);
          const idx = get(ins[1]!);
          const axis = normAxis(op.options.axis ?? 0, aShape.length);
          if ((op.options.batchDims ?? 0) !== 0) throw new Error('GATHER batch_dims unsupported');
          let outer = 1;
          for (let d = 0; d < axis; d++) outer *= aShape[d]!;
          const inner = size(aShape.slice(axis + 1));
          const axisLen = aShape[axis]!;
          const o =
            a instanceof Int32Array
              ? new Int32Array(outer * idx.length * inner)
              : new Float32Array(outer * idx.length * inner);
          let p = 0;
          for (let b = 0; b < outer; b++) {
            for (let i = 0; i < idx.length; i++) {
              const j = idx[i]!;
              if (j < 0 || j >= axisLen) throw new Error(`GATHER index ${j} out of range`);
              const src = (b * axisLen + j) * inner;
              o.set(a.subarray(src, src + inner), p);
              p += inner;
            }
          }
          out = o;
          break;
        }
        case 'TRANSPOSE': {
          const a = get(ins[0]!);
          const aShape = shp(ins[0]!);
          const perm = Array.from(get(ins[1]!));
          const r = aShape.length;
          const st = stridesOf(aShape);
          const o = a instanceof Int32Array ? new Int32Array(a.length) : new Float32Array(a.length);
          const oShape = perm.map((p) => aShape[p]!);
          const pst = perm.map((p) => st[p]!);
          if (r === 2 || (r >= 2 && oShape.slice(0, r - 2).every((x) => x === 1))) {
            // fast path: effectively a 2-D transpose (leading unit dims)
            const R = oShape[r - 2]!;
            const C = oShape[r - 1]!;
            const sr = pst[r - 2]!;
            const sc = pst[r - 1]!;
            let q = 0;
            for (let i = 0; i < R; i++) for (let j = 0; j < C; j++) o[q++] = a[i * sr + j * sc]!;
          } else {
            const idx = new Array<number>(r).fill(0);
            for (let q = 0; q < o.length; q++) {
              let src = 0;
              for (let d = 0; d < r; d++) src += idx[d]! * pst[d]!;
              o[q] = a[src]!;
              for (let d = r - 1; d >= 0; d--) {
                if (++idx[d]! < oShape[d]!) break;
                idx[d] = 0;
              }
            }
          }
          out = o;
          break;
        }
        case 'MEAN': {
          const a = getF(ins[0]!);
          const aShape = shp(ins[0]!);
          const r = aShape.length;
          const axes = new Set(Array.from(get(ins[1]!)).map((x) => normAxis(x, r)));
          // output index = input index with reduced axes set to 0
          const keptShape = aShape.map((d, i) => (axes.has(i) ? 1 : d));
          const acc = new Float64Array(size(keptShape));
          if (axes.size === 1 && axes.has(r - 1)) {
            // the last axis (LayerNorm): contiguous rows, summed in the same order as the general loop
            const w = aShape[r - 1]!;
            for (let q = 0; q < acc.length; q++) {
              let sum = 0;
              for (let j = 0; j < w; j++) sum += a[q * w + j]!;
              acc[q] = sum;
            }
          } else {
            const kst = stridesOf(keptShape);
            const idx = new Array<number>(r).fill(0);
            for (let p = 0; p < a.length; p++) {
              let q = 0;
              for (let d = 0; d < r; d++) if (!axes.has(d)) q += idx[d]! * kst[d]!;
              acc[q]! += a[p]!;
              for (let d = r - 1; d >= 0; d--) {
                if (++idx[d]! < aShape[d]!) break;
                idx[d] = 0;
              }
            }
          }
          const cnt = a.length / acc.length;
          const o = new Float32Array(acc.length);
          for (let i = 0; i < acc.length; i++) o[i] = acc[i]! / cnt;
          if (size(outShape) !== o.length) throw new Error(`MEAN size mismatch at op ${op.index}`);
          out = o;
          break;
        }
        case 'STRIDED_SLICE': {
          const a = get(ins[0]!);
          const aShape = shp(ins[0]!);
          const r = aShape.length;
          const begin = Array.from(get(ins[1]!));
          const end = Array.from(get(ins[2]!));
          const strides = ins.length > 3 ? Array.from(get(ins[3]!)) : new Array<number>(r).fill(1);
          const o8 = op.options;
          if ((o8.ellipsisMask ?? 0) !== 0 || (o8.newAxisMask ?? 0) !== 0 || o8.offset) {
            throw new Error('STRIDED_SLICE ellipsis/new_axis/offset unsupported');
          }
          const starts: number[] = [];
          const counts: number[] = [];
          for (let d = 0; d < r; d++) {
            const dim = aShape[d]!;
            const s = strides[d] ?? 1;
            const clamp = (x: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, x));
            let b = begin[d] ?? 0;
            let e = end[d] ?? dim;
            if (b < 0) b += dim;
            if (e < 0) e += dim;
            if (s > 0) {
              b = ((o8.beginMask ?? 0) >> d) & 1 ? 0 : clamp(b, 0, dim);
              e = ((o8.endMask ?? 0) >> d) & 1 ? dim : clamp(e, 0, dim);
            } else {
              b = ((o8.beginMask ?? 0) >> d) & 1 ? dim - 1 : clamp(b, -1, dim - 1);
              e = ((o8.endMask ?? 0) >> d) & 1 ? -1 : clamp(e, -1, dim - 1);
            }
            if (((o8.shrinkAxisMask ?? 0) >> d) & 1) {
              b = begin[d]! < 0 ? begin[d]! + dim : begin[d]!;
              e = b + 1;
            }
            const c = s > 0 ? Math.max(0, Math.ceil((e - b) / s)) : Math.max(0, Math.ceil((b - e) / -s));
            starts.push(b);
            counts.push(c);
          }
          const st = stridesOf(aShape);
          const total = counts.reduce((x, y) => x * y, 1);
          const o = a instanceof Int32Array ? new Int32Array(total) : new Float32Array(total);
          const idx = new Array<number>(r).fill(0);
          for (let q = 0; q < total; q++) {
            let src = 0;
            for (let d = 0; d < r; d++) src += (starts[d]! + idx[d]! * (strides[d] ?? 1)) * st[d]!;
            o[q] = a[src]!;
            for (let d = r - 1; d >= 0; d--) {
              if (++idx[d]! < counts[d]!) break;
              idx[d] = 0;
            }
          }
          if (total !== size(outShape)) throw new Error(`STRIDED_SLICE size mismatch at op ${op.index}`);
          out = o;
          break;
        }
        default:
          throw new Error(`unsupported op ${op.opcode}`);
      }
      vals[outIdx] = out;
      if (out instanceof Float32Array && owned.has(out))
        owned.set(out, Math.max(owned.get(out)!, this.lastUse[outIdx]!));
      for (const t of this.dieAt[oi]!) {
        const b = vals[t];
        if (!(b instanceof Float32Array) || owned.get(b) !== oi) continue;
        owned.delete(b);
        const free = this.pool.get(b.length);
        if (free) free.push(b);
        else this.pool.set(b.length, [b]);
      }
    }
    const logits = Float32Array.from(getF(this.model.outputs[0]!));
    const probs = softmax(logits);
    let best = 0;
    for (let i = 1; i < logits.length; i++) if (logits[i]! > logits[best]!) best = i;
    return { logits, probs, label: KWT_LABELS[best] ?? String(best), layers, checkpoint };
  }
}

export function softmax(x: Float32Array): Float32Array {
  let mx = -Infinity;
  for (const v of x) if (v > mx) mx = v;
  const o = new Float32Array(x.length);
  let s = 0;
  for (let i = 0; i < x.length; i++) {
    o[i] = Math.exp(x[i]! - mx);
    s += o[i]!;
  }
  for (let i = 0; i < x.length; i++) o[i] = o[i]! / s;
  return o;
}

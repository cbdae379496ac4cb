/**
 * Minimal TFLite FlatBuffer reader (hand-written table access, no runtime dependency).
 *
 * Implements just enough of the TFLite schema (schema.fbs, version 3, file identifier "TFL3")
 * to load a float32 model: operator codes, the first subgraph's tensors / operators / inputs /
 * outputs, and constant buffers. Builtin options are decoded for the ops the KWT-1 interpreter
 * needs (see `decodeOptions`).
 *
 * FlatBuffer layout recap: a table at position t starts with an int32 soffset to its vtable
 * (vtable = t - soffset); the vtable holds uint16 vtable size, uint16 table size, then one uint16
 * field offset per field id (0 = absent -> default). Reference fields (tables, vectors, strings)
 * store a uint32 offset relative to the field's own position. A vector is a uint32 length
 * followed by its elements; a union takes two field ids (type byte, then the table).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** TFLite BuiltinOperator enum values (subset + the ones this model uses). */
export const BUILTIN_OP_NAMES: Record<number, string> = {
  0: 'ADD',
  1: 'AVERAGE_POOL_2D',
  2: 'CONCATENATION',
  3: 'CONV_2D',
  4: 'DEPTHWISE_CONV_2D',
  6: 'DEQUANTIZE',
  8: 'FLOOR',
  9: 'FULLY_CONNECTED',
  14: 'LOGISTIC',
  17: 'MAX_POOL_2D',
  18: 'MUL',
  19: 'RELU',
  21: 'RELU6',
  22: 'RESHAPE',
  25: 'SOFTMAX',
  28: 'TANH',
  32: 'CUSTOM',
  34: 'PAD',
  36: 'GATHER',
  39: 'TRANSPOSE',
  40: 'MEAN',
  41: 'SUB',
  42: 'DIV',
  43: 'SQUEEZE',
  45: 'STRIDED_SLICE',
  47: 'EXP',
  49: 'SPLIT',
  53: 'CAST',
  55: 'MAXIMUM',
  57: 'MINIMUM',
  59: 'NEG',
  65: 'SLICE',
  66: 'SIN',
  70: 'EXPAND_DIMS',
  73: 'LOG',
  74: 'SUM',
  75: 'SQRT',
  76: 'RSQRT',
  77: 'SHAPE',
  78: 'POW',
  83: 'PACK',
  88: 'UNPACK',
  92: 'SQUARE',
  99: 'SQUARED_DIFFERENCE',
  126: 'BATCH_MATMUL',
  150: 'GELU',
};

/** TFLite TensorType enum. */
export const TENSOR_TYPE_NAMES: Record<number, string> = {
  0: 'FLOAT32',
  1: 'FLOAT16',
  2: 'INT32',
  3: 'UINT8',
  4: 'INT64',
  5: 'STRING',
  6: 'BOOL',
  7: 'INT16',
  8: 'COMPLEX64',
  9: 'INT8',
  10: 'FLOAT64',
};

/** ActivationFunctionType enum. */
export type FusedActivation = 'NONE' | 'RELU' | 'RELU_N1_TO_1' | 'RELU6' | 'TANH' | 'SIGN_BIT';
const ACTIVATIONS: FusedActivation[] = ['NONE', 'RELU', 'RELU_N1_TO_1', 'RELU6', 'TANH', 'SIGN_BIT'];

export interface TfliteTensor {
  index: number;
  name: string;
  shape: number[];
  type: string;
  /** Constant data (undefined for activations / empty buffers). */
  data?: Float32Array | Int32Array;
}

export interface OpOptions {
  fusedActivation?: FusedActivation;
  /** FULLY_CONNECTED */
  keepNumDims?: boolean;
  /** SOFTMAX */
  beta?: number;
  /** CONCATENATION, GATHER */
  axis?: number;
  /** GATHER */
  batchDims?: number;
  /** MEAN (ReducerOptions) */
  keepDims?: boolean;
  /** RESHAPE */
  newShape?: number[];
  /** STRIDED_SLICE */
  beginMask?: number;
  endMask?: number;
  ellipsisMask?: number;
  newAxisMask?: number;
  shrinkAxisMask?: number;
  offset?: boolean;
}

export interface TfliteOperator {
  index: number;
  opcode: string;
  inputs: number[];
  outputs: number[];
  options: OpOptions;
}

export interface TfliteModel {
  version: number;
  description: string;
  tensors: TfliteTensor[];
  operators: TfliteOperator[];
  inputs: number[];
  outputs: number[];
}

class FB {
  readonly dv: DataView;
  constructor(readonly buf: Uint8Array) {
    this.dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  u8(p: number): number {
    return this.dv.getUint8(p);
  }
  i8(p: number): number {
    return this.dv.getInt8(p);
  }
  u16(p: number): number {
    return this.dv.getUint16(p, true);
  }
  i32(p: number): number {
    return this.dv.getInt32(p, true);
  }
  u32(p: number): number {
    return this.dv.getUint32(p, true);
  }
  f32(p: number): number {
    return this.dv.getFloat32(p, true);
  }
  /** Absolute position of field `id` of table `t`, or 0 when absent. */
  field(t: number, id: number): number {
    const vt = t - this.i32(t);
    const vtSize = this.u16(vt);
    const o = 4 + 2 * id;
    if (o >= vtSize) return 0;
    const off = this.u16(vt + o);
    return off === 0 ? 0 : t + off;
  }
  deref(p: number): number {
    return p + this.u32(p);
  }
  table(t: number, id: number): number {
    const p = this.field(t, id);
    return p === 0 ? 0 : this.deref(p);
  }
  /** [start of elements, length] of a vector field, or [0, 0]. */
  vector(t: number, id: number): [number, number] {
    const p = this.field(t, id);
    if (p === 0) return [0, 0];
    const v = this.deref(p);
    return [v + 4, this.u32(v)];
  }
  intVector(t: number, id: number): number[] {
    const [s, n] = this.vector(t, id);
    const out: number[] = new Array(n);
    for (let i = 0; i < n; i++) out[i] = this.i32(s + 4 * i);
    return out;
  }
  tableVector(t: number, id: number): number[] {
    const [s, n] = this.vector(t, id);
    const out: number[] = new Array(n);
    for (let i = 0; i < n; i++) out[i] = this.deref(s + 4 * i);
    return out;
  }
  string(t: number, id: number): string {
    const [s, n] = this.vector(t, id);
    return n === 0 ? '' : new TextDecoder().decode(this.buf.subarray(s, s + n));
  }
  scalarI32(t: number, id: number, def = 0): number {
    const p = this.field(t, id);
    return p ? this.i32(p) : def;
  }
  scalarU32(t: number, id: number, def = 0): number {
    const p = this.field(t, id);
    return p ? this.u32(p) : def;
  }
  scalarI8(t: number, id: number, def = 0): number {
    const p = this.field(t, id);
    return p ? this.i8(p) : def;
  }
  scalarU8(t: number, id: number, def = 0): number {
    const p = this.field(t, id);
    return p ? this.u8(p) : def;
  }
  scalarF32(t: number, id: number, def = 0): number {
    const p = this.field(t, id);
    return p ? this.f32(p) : def;
  }
  bool(t: number, id: number, def = false): boolean {
    const p = this.field(t, id);
    return p ? this.u8(p) !== 0 : def;
  }
}

function decodeOptions(fb: FB, opcode: string, t: number): OpOptions {
  if (t === 0) return {};
  const act = (id: number): FusedActivation => ACTIVATIONS[fb.scalarI8(t, id)] ?? 'NONE';
  switch (opcode) {
    case 'ADD':
    case 'MUL':
    case 'SUB':
      return { fusedActivation: act(0) };
    case 'CONCATENATION':
      return { axis: fb.scalarI32(t, 0), fusedActivation: act(1) };
    case 'FULLY_CONNECTED':
      return { fusedActivation: act(0), keepNumDims: fb.bool(t, 2) };
    case 'SOFTMAX':
      return { beta: fb.scalarF32(t, 0) };
    case 'RESHAPE':
      return { newShape: fb.intVector(t, 0) };
    case 'GATHER':
      return { axis: fb.scalarI32(t, 0), batchDims: fb.scalarI32(t, 1) };
    case 'MEAN':
    case 'SUM':
      return { keepDims: fb.bool(t, 0) };
    case 'STRIDED_SLICE':
      return {
        beginMask: fb.scalarI32(t, 0),
        endMask: fb.scalarI32(t, 1),
        ellipsisMask: fb.scalarI32(t, 2),
        newAxisMask: fb.scalarI32(t, 3),
        shrinkAxisMask: fb.scalarI32(t, 4),
        offset: fb.bool(t, 5),
      };
    default:
      return {};
  }
}

/** Parse a TFLite flatbuffer (first subgraph only). */
export function parseTflite(bytes: Uint8Array): TfliteModel {
  const fb = new FB(bytes);
  const ident = new TextDecoder().decode(bytes.subarray(4, 8));
  if (ident !== 'TFL3') throw new Error(`not a TFLite flatbuffer (identifier '${ident}')`);
  const model = fb.u32(0);
  const version = fb.scalarU32(model, 0);
  // OperatorCode: 0 deprecated_builtin_code:byte, 1 custom_code, 2 version, 3 builtin_code:int
  const opcodes = fb.tableVector(model, 1).map((oc) => {
    const dep = fb.scalarI8(oc, 0);
    const code = Math.max(dep, fb.scalarI32(oc, 3));
    if (code === 32) return `CUSTOM:${fb.string(oc, 1)}`;
    return BUILTIN_OP_NAMES[code] ?? `BUILTIN_${code}`;
  });
  // Buffer: 0 data:[ubyte], 1 offset:ulong, 2 size:ulong
  const buffers = fb.tableVector(model, 4).map((b) => {
    const [s, n] = fb.vector(b, 0);
    if (n > 0) return bytes.subarray(s, s + n);
    const offP = fb.field(b, 1);
    const sizeP = fb.field(b, 2);
    if (offP && sizeP) {
      const off = Number(fb.dv.getBigUint64(offP, true));
      const size = Number(fb.dv.getBigUint64(sizeP, true));
      if (off > 1 && size > 0) return bytes.subarray(off, off + size);
    }
    return undefined;
  });
  const subgraphs = fb.tableVector(model, 2);
  if (subgraphs.length < 1) throw new Error('model has no subgraph');
  const sg = subgraphs[0]!;
  // Tensor: 0 shape, 1 type:byte, 2 buffer:uint, 3 name, 4 quantization, ...
  const tensors: TfliteTensor[] = fb.tableVector(sg, 0).map((tt, index) => {
    const shape = fb.intVector(tt, 0);
    const typeCode = fb.scalarI8(tt, 1);
    const type = TENSOR_TYPE_NAMES[typeCode] ?? `TYPE_${typeCode}`;
    const buf = buffers[fb.scalarU32(tt, 2)];
    let data: Float32Array | Int32Array | undefined;
    if (buf && buf.length > 0) {
      // copy: flatbuffer payloads are not guaranteed 4-byte aligned
      const copy = buf.slice().buffer;
      if (type === 'FLOAT32') data = new Float32Array(copy);
      else if (type === 'INT32') data = new Int32Array(copy);
      else if (type === 'INT64') {
        const b64 = new BigInt64Array(copy);
        data = Int32Array.from(b64, (x) => Number(x));
      }
    }
    return { index, name: fb.string(tt, 3), shape, type, data };
  });
  // Operator: 0 opcode_index, 1 inputs, 2 outputs, 3 builtin_options_type, 4 builtin_options
  const operators: TfliteOperator[] = fb.tableVector(sg, 3).map((o, index) => {
    const opcode = opcodes[fb.scalarU32(o, 0)] ?? 'UNKNOWN';
    return {
      index,
      opcode,
      inputs: fb.intVector(o, 1),
      outputs: fb.intVector(o, 2),
      options: decodeOptions(fb, opcode, fb.table(o, 4)),
    };
  });
  return {
    version,
    description: fb.string(model, 3),
    tensors,
    operators,
    inputs: fb.intVector(sg, 1),
    outputs: fb.intVector(sg, 2),
  };
}

/**
 * Default model location: `data/kwt1/` in the repository (shipped with its licence); then `shared/`
 * beside the checkout (`<repo>/../shared`) and `/work/shared`. Override with KWT1_TFLITE.
 */
export function defaultKwt1Path(): string {
  if (process.env.KWT1_TFLITE) return process.env.KWT1_TFLITE;
  const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
  const candidates = [
    join(repoRoot, 'data', 'kwt1', 'kwt1_non_stream.tflite'),
    join(repoRoot, '..', 'shared', 'data', 'kwt1', 'kwt1_non_stream.tflite'),
    '/work/shared/data/kwt1/kwt1_non_stream.tflite',
  ];
  return candidates.find((c) => existsSync(c)) ?? candidates[0]!;
}

export function readTfliteFile(path: string): TfliteModel {
  return parseTflite(new Uint8Array(readFileSync(path)));
}

import { describe, it, expect } from 'vitest';
import { defaultKwt1Path, readTfliteFile } from './reader.ts';

const model = readTfliteFile(defaultKwt1Path());

describe('TFLite reader on kwt1_non_stream.tflite', () => {
  it('parses the subgraph: tensors, operators, inputs and outputs', () => {
    expect(model.version).toBe(3);
    expect(model.tensors.length).toBe(809);
    expect(model.operators.length).toBe(612);
    expect(model.inputs.length).toBe(1);
    expect(model.outputs.length).toBe(1);
    const inp = model.tensors[model.inputs[0]!]!;
    const out = model.tensors[model.outputs[0]!]!;
    expect(inp.name).toBe('input_1');
    expect(inp.shape).toEqual([1, 16000]);
    expect(inp.type).toBe('FLOAT32');
    expect(out.shape).toEqual([1, 12]);
    expect(out.type).toBe('FLOAT32');
  });

  it('finds exactly the 18 builtin op kinds with the expected counts', () => {
    const counts: Record<string, number> = {};
    for (const op of model.operators) counts[op.opcode] = (counts[op.opcode] ?? 0) + 1;
    expect(Object.keys(counts).sort()).toEqual([
      'ADD',
      'CONCATENATION',
      'FULLY_CONNECTED',
      'GATHER',
      'LOG',
      'MAXIMUM',
      'MEAN',
      'MUL',
      'POW',
      'RESHAPE',
      'RSQRT',
      'SOFTMAX',
      'SQRT',
      'SQUARED_DIFFERENCE',
      'STRIDED_SLICE',
      'SUB',
      'TANH',
      'TRANSPOSE',
    ]);
    expect(counts).toMatchObject({
      SOFTMAX: 12,
      TANH: 12,
      POW: 12,
      RSQRT: 24,
      SQUARED_DIFFERENCE: 24,
      MEAN: 48,
      FULLY_CONNECTED: 102,
      MUL: 136,
      ADD: 98,
      SUB: 25,
      RESHAPE: 76,
      TRANSPOSE: 36,
      GATHER: 1,
      CONCATENATION: 1,
      STRIDED_SLICE: 2,
      LOG: 1,
      SQRT: 1,
      MAXIMUM: 1,
    });
  });

  it('decodes constant buffers and builtin options', () => {
    const byName = (n: string) => model.tensors.find((t) => t.name === n)!;
    const cls = byName('class_emb');
    expect(cls.shape).toEqual([1, 1, 64]);
    expect(cls.data).toBeInstanceOf(Float32Array);
    expect(cls.data!.length).toBe(64);
    expect(byName('pos_emb').shape).toEqual([1, 99, 64]);
    const frame = byName('speech_features/data_frame/frame/concat_1');
    expect(Array.from(frame.data as Int32Array)).toEqual([1, 100, 160]);
    // the 1/sqrt(64) score scale
    const scale = model.tensors.find((t) => t.name.includes('multi_head_self_attention_9/truediv') && t.data)!;
    expect(scale.data![0]).toBeCloseTo(0.125, 7);

    const softmaxes = model.operators.filter((o) => o.opcode === 'SOFTMAX');
    expect(softmaxes.every((o) => o.options.beta === 1)).toBe(true);
    const concat = model.operators.find((o) => o.opcode === 'CONCATENATION')!;
    expect(concat.options.axis).toBe(1);
    const gather = model.operators.find((o) => o.opcode === 'GATHER')!;
    expect(gather.options.axis).toBe(1);
    expect(model.tensors[gather.inputs[1]!]!.shape).toEqual([98, 3]);
    const means = model.operators.filter((o) => o.opcode === 'MEAN');
    expect(means.every((o) => o.options.keepDims === true)).toBe(true);
    const head = model.operators.find((o) => o.opcode === 'STRIDED_SLICE' && o.options.shrinkAxisMask)!;
    expect(head.options).toMatchObject({ beginMask: 5, endMask: 5, shrinkAxisMask: 2 });
    const fcs = model.operators.filter((o) => o.opcode === 'FULLY_CONNECTED');
    expect(fcs.every((o) => o.options.fusedActivation === 'NONE' && o.options.keepNumDims === false)).toBe(true);
  });

  it('names the three bias-free attention dense layers of every block', () => {
    for (let l = 0; l < 12; l++) {
      const sfx = l === 0 ? '' : `_${l}`;
      const prefix = `kws_transformer/transformer_block${sfx}/multi_head_self_attention${sfx}/`;
      const dense = model.operators.filter(
        (o) =>
          o.opcode === 'FULLY_CONNECTED' &&
          model.tensors[o.outputs[0]!]!.name.startsWith(prefix + 'dense_') &&
          (o.inputs.length < 3 || o.inputs[2]! < 0),
      );
      expect(dense.length).toBe(3);
      for (const o of dense) expect(model.tensors[o.outputs[0]!]!.shape).toEqual([99, 64]);
    }
  });

  it('rejects a non-TFLite buffer', async () => {
    const { parseTflite } = await import('./reader.ts');
    expect(() => parseTflite(new Uint8Array(64))).toThrow(/not a TFLite/);
  });
});

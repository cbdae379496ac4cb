// The WebAssembly fully connected kernel against the JavaScript one, bit for bit.
import { describe, expect, it } from 'vitest';
import { Rng } from '../spec/rng.ts';
import { WasmFc } from './fc_wasm.ts';
import { fullyConnected } from './interpreter.ts';

describe('WasmFc = fullyConnected', () => {
  const wasm = WasmFc.create();
  it('is available (WebAssembly SIMD)', () => expect(wasm).toBeDefined());
  it('every shape: tails of inputs and rows, batches, with and without bias, constant or not', () => {
    const rng = new Rng(21);
    const rand = (n: number, scale: number) => Float32Array.from({ length: n }, () => (rng.next() * 2 - 1) * scale);
    let cases = 0;
    for (const inDim of [4, 5, 7, 64, 99])
      for (const outDim of [4, 6, 12, 99])
        for (const batch of [1, 3])
          for (const withBias of [false, true])
            for (const constant of [false, true]) {
              const x = rand(batch * inDim, 3);
              const w = rand(outDim * inDim, 0.5);
              const bias = withBias ? rand(outDim, 1) : undefined;
              const ref = new Float32Array(batch * outDim);
              fullyConnected(x, w, bias, ref, batch, inDim, outDim);
              const got = new Float32Array(batch * outDim).fill(NaN);
              const done = wasm!.run(x, w, bias, got, batch, constant);
              expect(done).toBe(outDim - (outDim % 4));
              fullyConnected(x, w, bias, got, batch, inDim, outDim, done);
              expect(new Uint32Array(got.buffer)).toEqual(new Uint32Array(ref.buffer));
              cases++;
            }
    expect(cases).toBe(160);
  });
});

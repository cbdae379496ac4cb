// The user-facing configuration: one zod schema, every field described once.
// The descriptions feed `elsa-gen params` and the README table; errors name the JSON path.
import { z } from 'zod';

const int = (desc: string) => z.number().int().describe(desc);

export const FixedFormatSchema = z
  .object({
    int: int('integer bits (excluding sign)').min(0).max(16),
    frac: int('fraction bits').min(0).max(16),
  })
  .strict();

/** The shallowest queues at which pipeline.candSel 3 is the default (src/gen/config.ts withDerivedDefaults). */
export const CAND_SEL_3_QUEUE_DEPTH = 5;

export const ElsaConfigSchema = z
  .object({
    name: z
      .string()
      .regex(/^[a-z][a-z0-9_]*$/, 'must be lower_snake_case')
      .describe(
        'config name: names the output folder (rtl-out/<name>), the FuseSoC core <name>.core and reports; ' +
          'not part of the hardware hash',
      ),
    prefix: z
      .string()
      .regex(/^([a-z][a-z0-9_]*_)?$/, 'must be lower_snake_case ending in "_" (or empty)')
      .optional()
      .describe(
        'prefix of every generated module and .v file name and of the FuseSoC core, ' +
          'so two configurations can sit in one design; not part of the hardware hash',
      ),
    nMax: int('maximum number of entities n (keys/queries) per invocation; the runtime n is an input').min(1).max(4096),
    d: int('vector dimension d of Q, K, V').min(4).max(512),
    k: int('hash bits k per vector (k | d or d | k)').min(2).max(1024),
    pA: int('P_a: attention computation modules = K/V banks; must divide nMax').min(1).max(16),
    pC: int('P_c: candidate selection modules per bank').min(1).max(32),
    mH: int('m_h: multipliers in the hash computation module').min(1).max(4096),
    mO: int('m_o: multipliers in the output division module; must divide d').min(1).max(512),
    queueDepth: int(
      'entries in each candidate selection output queue (6 lets pipeline.candSel 3 overlap queries at full rate)',
    )
      .min(2)
      .max(64)
      .default(6),
    hashSeed: int('seed of the random orthogonal hash factors')
      .min(0)
      .max(2 ** 31 - 1)
      .default(1),
    thetaBias: z
      .number()
      .min(0)
      .max(1.5)
      .nullable()
      .default(null)
      .describe(
        'θ_bias in radians; null = measured: the 80th percentile of the signed angle-estimate error on N(0,1) vectors',
      ),
    scoreScale: z
      .union([z.literal('inv_sqrt_d'), z.number().positive().max(16)])
      .default('inv_sqrt_d')
      .describe('constant multiplying q·k before exp (folded into the exp unit)'),
    formats: z
      .object({
        qkv: FixedFormatSchema.default({ int: 5, frac: 3 }).describe(
          'Q/K/V element format: 1 sign + int + frac bits (paper: 1.5.3)',
        ),
        out: FixedFormatSchema.nullable().default(null).describe('output element format; null = same as qkv'),
        hashCoefFrac: int('fraction bits of the hash matrix elements (1 sign + 0 int + frac; paper: 5)')
          .min(2)
          .max(12)
          .default(5),
        simFrac: int('fraction bits of the cos table and of the threshold t (both signed, range [-2, 2))')
          .min(3)
          .max(12)
          .default(7),
        expConstFrac: int('fraction bits of the constant scoreScale·log2(e) in the exp unit')
          .min(4)
          .max(20)
          .default(12),
        expExpBits: int('exponent bits of the exp-side custom float (paper: 10)').min(4).max(12).default(10),
        expFracBits: int('fraction bits of the exp-side custom float = log2 of the 2^frac table size (paper: 5)')
          .min(2)
          .max(8)
          .default(5),
        recipIndexBits: int('log2 of the reciprocal table size (paper: 5, 32 entries)').min(2).max(8).default(5),
        recipFrac: int('fraction bits of the reciprocal table entries').min(4).max(16).default(12),
        accGuard: int('guard bits of the block-exponent exp/value accumulators').min(0).max(20).default(12),
      })
      .strict()
      .prefault({}),
    selection: z
      .enum(['threshold', 'topm'])
      .default('threshold')
      .describe(
        "candidate selection rule: 'threshold' = the paper's (one runtime t per invocation); 'topm' = per query " +
          'the m keys with the largest estimate ‖k‖·cos (runtime m; a histogram pass over the keys first)',
      ),
    topmZoom: int(
      'top-m histogram window: the bins cover the estimates within ±max/2^zoom (max = max‖k‖·cos(0)) around 0, ' +
        'the estimates beyond fall into the end bins',
    )
      .min(0)
      .max(8)
      .default(1),
    emptySet: z
      .enum(['zero', 'best'])
      .default('zero')
      .describe(
        "a query with no candidate: 'zero' = an all-zero output row (the paper); 'best' = the keys with the " +
          'largest estimate over all banks (ties kept), found in a pass over the keys before selection',
      ),
    topmBinBits: int('log2 of the estimate histogram bins of top-m selection (the m-th key is found to a bin)')
      .min(2)
      .max(6)
      .default(5),
    pipeline: z
      .object({
        dot: int(
          'register stages in the attention dot product: the adder tree is cut into dot + 1 parts (levels spread ' +
            'evenly); from 2 on each multiplier is also split into two registered partial products',
        )
          .min(0)
          .max(3)
          .default(2),
        exp: int(
          'register stages inside the exp unit: 1 registers the product score·C, 2 splits it into two registered ' +
            'partial products and a registered sum',
        )
          .min(0)
          .max(2)
          .default(2),
        acc: int(
          'register stages in the exp/value accumulation: 1 registers the products M·v before the sums; 2 also ' +
            'tracks the block exponent one term ahead and aligns the term in a stage of its own, so the ' +
            'accumulation loop holds one shift and one add; 3 also pairs the terms and takes two at once in a loop ' +
            'of two cycles, one shift then one add (bit-exact, 2 cycles more latency)',
        )
          .min(0)
          .max(3)
          .default(2),
        outputDiv: int(
          'register stages in the output division: 1 registers the product (DSP output register), 2 also the ' +
            'rounded value before saturation, 3 also splits the multiply into two registered partial products; 4 ' +
            'also cuts the start stage (block-exponent maximum and shifts E − e_b, then Σe, then the reciprocal, a ' +
            'registered stage each) and, when O is wider than a 25-bit DSP port, splits O instead of the reciprocal',
        )
          .min(0)
          .max(4)
          .default(4),
        candSel: int(
          'register stages in candidate selection: 1 registers each selection result (the push moves one cycle ' +
            'later), 2 also the cos table entry, key norm and threshold (the multiplier operands), 3 also splits ' +
            'the multiply into two registered partial products (summed and compared in the last stage; with k > 32 ' +
            'stage 1 registers the Hamming distance and stage 2 looks the cos entry up); from 2 on ' +
            "the bank runs the next query's selection behind the current one's, and 3 wants queueDepth >= 6; " +
            `default 3, or 2 when queueDepth < ${CAND_SEL_3_QUEUE_DEPTH} (there the third stage costs cycles)`,
        )
          .min(0)
          .max(3)
          .default(3),
        hash: int(
          'register stages in the hash unit, each a cycle more per hash: 1 registers the products right after the ' +
            'step mux, 2 computes each as two registered partial products of half the depth added back into a ' +
            'registered product, 3 also registers the lane sums; a Kronecker mode that reads the buffer the ' +
            'previous mode writes may wait idle slots for them',
        )
          .min(0)
          .max(3)
          .default(1),
        queryRoom: int(
          "1: the top's two-entry query queue takes a new query only into an entry free at the start of the cycle, " +
            "not into one a bank start frees in that cycle, so the banks' ready logic leaves the hash unit's " +
            'accept path (a query waits one cycle where the queue was full); with kvBuffers 1 the top also keeps ' +
            '"a key / a query is still to come" in registers, so kv_ready and q_ready read only the hash unit\'s busy',
        )
          .min(0)
          .max(1)
          .default(1),
      })
      .strict()
      .prefault({})
      .describe(
        'pipeline depths per unit: extra register stages that shorten the clock period; ' +
          'all 0 (with partialBuffers 1 and dataEnables false) renders the first, unpipelined RTL',
      ),
    partialBuffers: z
      .union([z.literal(1), z.literal(2)])
      .default(2)
      .describe(
        'partial results per bank in flight: 1 = the bank partial only (the division frees it after its last ' +
          'chunk, d/m_o + 2 cycles per row); 2 = the output division copies the partials when it starts, so the ' +
          'banks go on while it divides (d/m_o cycles per row, P_a·d·accumulator bits more flip-flops)',
      ),
    dataEnables: z
      .boolean()
      .default(true)
      .describe(
        'registers load only while their stage holds data (attention pipeline, square root, candidate ' +
          'selection stages from candSel 2 with popcount and cos table inside the enabled stage), the hash ' +
          "multipliers see zeros while idle, candidate selection's popcount and the bank's longest-queue arbiter " +
          'are balanced trees: no cycle and ' +
          'no output bit changes, simulation is faster (clock enables in hardware); false renders the first ' +
          "RTL's plain registers and adder chain",
      ),
    memBypass: z
      .boolean()
      .default(false)
      .describe(
        "true: the memories keep Verilog's read-before-write result when one cycle reads and writes one address, " +
          'which synthesis builds as bypass registers and multiplexers beside each block RAM (the first RTL); ' +
          'false: the design never does both (a simulation-only check stops a run that does), so the memories ' +
          'carry no_rw_check and map to bare block RAM',
      ),
    kvBuffers: z
      .union([z.literal(1), z.literal(2)])
      .default(1)
      .describe(
        'key/value sets in flight: 1 = one invocation at a time (its queries wait for its preprocessing); 2 = ' +
          'the K, V, key-hash and key-norm memories are double-buffered and a serial Σk² unit norms the keys, so ' +
          'the next invocation loads and hashes while the current one executes (twice the memory bits)',
      ),
    keep: z
      .record(z.string(), z.number().int().min(0).max(4096))
      .default({})
      .describe(
        'per-layer m: keys kept per query in top-m selection (runtime data written by ' +
          '`elsa-gen calibrate --max-loss --rule top-m`; not part of the hardware hash)',
      ),
    thresholds: z
      .record(z.string(), z.number().min(-2).max(2))
      .default({})
      .describe('per-layer threshold t (runtime data, written by `elsa-gen calibrate`; not part of the hardware hash)'),
  })
  .strict();

export type ElsaConfigInput = z.input<typeof ElsaConfigSchema>;
export type ElsaConfig = z.output<typeof ElsaConfigSchema>;

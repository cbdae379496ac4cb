// Spec slice of the AXI wrapper (templates/elsa_axi.v.ejs): the AXI4-Lite register map, shared by the
// template, the generated README and the AXI testbench (contract: ./README.md).
import type { DesignSpec } from '../design.ts';
import { GENERATOR } from '../../spec/version.ts';
import { width } from '../../spec/width.ts';

/** Byte-address width of the AXI4-Lite port (a 4 KiB register page). */
export const AXI_ADDR_W = 12;

/** The AXI4-Lite port's widths (the same for every config). */
export const AXIL = {
  addr: width.unsigned('AXIL_ADDR_W', AXI_ADDR_W, 'AXI4-Lite byte address'),
  /** A register's index: the byte address without bits [1:0]. */
  word: width.unsigned('AXIL_WORD_W', AXI_ADDR_W - 2, 'AXI4-Lite register index: byte address bits [AXIL_ADDR_W-1:2]'),
  data: width.unsigned('AXIL_DATA_W', 32, 'AXI4-Lite data: one 32-bit register'),
  strobe: width.unsigned('AXIL_STRB_W', 4, 'AXI4-Lite write strobes: one per data byte'),
  prot: width.unsigned('AXIL_PROT_W', 3, 'AXI4-Lite protection type (ignored)'),
  resp: width.unsigned('AXIL_RESP_W', 2, 'AXI4-Lite response: OKAY or SLVERR'),
};
/** ID register: ASCII "ELSA". */
export const AXI_ID = 0x454c5341;
/** Revision of the register map (VERSION[31:24]); bump when offsets or fields change. */
export const AXI_MAP_REVISION = 1;

/** major.minor.patch of the generator (from GENERATOR, e.g. "elsa-gen 0.1.0"). */
export function generatorVersion(): [number, number, number] {
  const m = /(\d+)\.(\d+)\.(\d+)/.exec(GENERATOR);
  if (!m) throw new Error(`no version in ${GENERATOR}`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

/** VERSION register: [31:24] map revision, [23:16] major, [15:8] minor, [7:0] patch. */
export function axiVersionWord(): number {
  const [a, b, c] = generatorVersion();
  return ((AXI_MAP_REVISION << 24) | ((a & 255) << 16) | ((b & 255) << 8) | (c & 255)) >>> 0;
}

export interface AxiRegister {
  offset: number;
  name: string;
  access: string;
  reset: string;
  fields: string[];
  /** Verilog expression of the read data (32 bits) inside elsa_axi. */
  read: string;
}

const hex = (x: number | bigint, digits = 8) => `0x${x.toString(16).padStart(digits, '0')}`;
const v32 = (x: number) => `32'h${(x >>> 0).toString(16).padStart(8, '0')}`;

/** The register map of elsa_axi (32-bit registers, byte offsets). */
export function axiRegisters(D: DesignSpec): AxiRegister[] {
  const [ma, mi, pa] = generatorVersion();
  const TW = D.candSel.threshold.bits;
  const hash = BigInt(`0x${D.hwHash}`);
  return [
    {
      offset: 0x00,
      name: 'ID',
      access: 'RO',
      reset: hex(AXI_ID),
      fields: ['[31:0] 0x454c5341 = ASCII "ELSA"'],
      read: v32(AXI_ID),
    },
    {
      offset: 0x04,
      name: 'VERSION',
      access: 'RO',
      reset: hex(axiVersionWord()),
      fields: [
        `[31:24] register map revision (${AXI_MAP_REVISION}); [23:0] generator version ${ma}.${mi}.${pa} (8 bits each)`,
      ],
      read: v32(axiVersionWord()),
    },
    {
      offset: 0x08,
      name: 'CTRL',
      access: 'RW',
      reset: hex(0),
      fields: [
        '[0] START: write 1 to start an invocation with N and THRESHOLD; reads 0 (SLVERR while BUSY)',
        '[1] IRQ_EN: irq = STATUS.DONE && IRQ_EN',
      ],
      read: "{30'd0, irq_en, 1'b0}",
    },
    {
      offset: 0x0c,
      name: 'STATUS',
      access: 'RO/W1C',
      reset: hex(0),
      fields: [
        '[0] BUSY (RO): an invocation is running',
        '[1] DONE (W1C): sticky, set when an invocation ends or a start is rejected',
        `[2] ERR (W1C): sticky, set with DONE when the start was rejected (N = 0 or N > ${D.cfg.nMax})`,
        'DONE and ERR are also cleared by START',
      ],
      read: "{29'd0, err_now, done_now, top_busy}",
    },
    {
      offset: 0x10,
      name: 'N',
      access: 'RW',
      reset: hex(0),
      fields: [`[31:0] runtime n: entities per invocation, 1..${D.cfg.nMax}`],
      read: 'n_reg',
    },
    {
      offset: 0x14,
      name: 'THRESHOLD',
      access: 'RW',
      reset: hex(0),
      fields: [
        `[${TW - 1}:0] t_q = round(t * 2^${D.candSel.simFrac}), signed, t in [-2, 2); reads back sign-extended`,
        `-2^${TW - 1} (0x${((2 ** 32 - 2 ** (TW - 1)) >>> 0).toString(16)}, t = -2) selects every key`,
      ],
      read: 't_cur',
    },
    {
      offset: 0x18,
      name: 'CYCLES_PRE',
      access: 'RO',
      reset: hex(0),
      fields: ['[31:0] preprocessing cycles of the last invocation'],
      read: 'cycles_pre',
    },
    {
      offset: 0x1c,
      name: 'CYCLES_EXEC',
      access: 'RO',
      reset: hex(0),
      fields: ['[31:0] execution cycles of the last invocation'],
      read: 'cycles_exec',
    },
    {
      offset: 0x20,
      name: 'HW_HASH_LO',
      access: 'RO',
      reset: hex(hash & 0xffffffffn),
      fields: [`[31:0] hardware hash bits 31:0 (hash 0x${D.hwHash})`],
      read: 'HW_HASH[31:0]',
    },
    {
      offset: 0x24,
      name: 'HW_HASH_HI',
      access: 'RO',
      reset: hex(hash >> 32n),
      fields: ['[15:0] hardware hash bits 47:32; [31:16] 0'],
      read: "{16'd0, HW_HASH[47:32]}",
    },
    {
      offset: 0x28,
      name: 'NMAX',
      access: 'RO',
      reset: hex(D.cfg.nMax),
      fields: ['[31:0] largest valid N (nMax)'],
      read: v32(D.cfg.nMax),
    },
    ...(D.candSel.topm
      ? [
          {
            offset: 0x2c,
            name: 'M',
            access: 'RW',
            reset: hex(0),
            fields: [
              '[31:0] top-m selection: keys kept per query (every key in the bin of the m-th largest estimate ' +
                'and above), sampled at START; values above the core port saturate',
            ],
            read: 'm_reg',
          },
        ]
      : []),
  ];
}

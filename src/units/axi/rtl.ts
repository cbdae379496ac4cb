// The AXI wrapper's Verilog module (contract: ./README.md): the AXI4-Stream and AXI4-Lite ports, the
// register map (./spec.ts) as the template's table rows, address constants and read multiplexer.
import type { ModuleDef } from '../module.ts';
import { input, output } from '../module.ts';
import { AXI_ADDR_W, AXIL, axiRegisters } from './spec.ts';

const hex2 = (x: number) => `0x${x.toString(16).padStart(2, '0')}`;
/** Pad to n characters, with at least one space. */
const pad = (s: string, n: number) => s + ' '.repeat(Math.max(1, n - s.length));
// continuation lines of the register table sit under its fields column
const FIELDS_INDENT = 46;

export const axiModule: ModuleDef = {
  name: 'elsa_axi',
  template: 'elsa_axi.v.ejs',
  deps: ['elsa_top'],
  doc: 'AXI wrapper: AXI4-Stream kv/q/o rows, AXI4-Lite control/status registers (map in the file header)',
  ports: (D) => {
    const row = { count: D.cfg.d, of: D.qkv };
    return [
      input('aclk', 1, 'clock'),
      input('aresetn', 1, 'synchronous reset, active low (hold low for at least one aclk edge)'),
      input(
        's_axis_kv_tdata',
        { count: 2 * D.cfg.d, of: D.qkv },
        '{v, k}: key row in the low half, value row in the high half',
        { group: 'AXI4-Stream slave: key and value rows' },
      ),
      input('s_axis_kv_tvalid', 1, 'beat valid'),
      output('s_axis_kv_tready', 1, 'beat accepted (only while the core loads keys; never depends on tvalid)'),
      input('s_axis_kv_tlast', 1, 'ignored: register N decides where an invocation ends'),
      input('s_axis_q_tdata', row, 'query row', { group: 'AXI4-Stream slave: query rows' }),
      input('s_axis_q_tvalid', 1, 'beat valid'),
      output('s_axis_q_tready', 1, 'beat accepted (only while the core executes; never depends on tvalid)'),
      input('s_axis_q_tlast', 1, 'ignored: register N decides where an invocation ends'),
      output('m_axis_o_tdata', { count: D.cfg.d, of: D.out }, 'output row', {
        group: 'AXI4-Stream master: output rows',
      }),
      output('m_axis_o_tvalid', 1, 'beat valid (never depends on tready; holds tdata and tlast until taken)'),
      input('m_axis_o_tready', 1, 'beat taken'),
      output('m_axis_o_tlast', 1, 'last row of the invocation'),
      input('s_axil_awaddr', AXIL.addr, 'write byte address (bits [1:0] ignored)', {
        group: 'AXI4-Lite slave: registers',
      }),
      input('s_axil_awprot', AXIL.prot, 'ignored'),
      input('s_axil_awvalid', 1, 'write address valid'),
      output('s_axil_awready', 1, 'write address accepted'),
      input('s_axil_wdata', AXIL.data, 'write data'),
      input('s_axil_wstrb', AXIL.strobe, 'byte enables'),
      input('s_axil_wvalid', 1, 'write data valid'),
      output('s_axil_wready', 1, 'write data accepted'),
      output('s_axil_bresp', AXIL.resp, 'OKAY or SLVERR', { reg: true }),
      output('s_axil_bvalid', 1, 'write response valid', { reg: true }),
      input('s_axil_bready', 1, 'write response taken'),
      input('s_axil_araddr', AXIL.addr, 'read byte address (bits [1:0] ignored)'),
      input('s_axil_arprot', AXIL.prot, 'ignored'),
      input('s_axil_arvalid', 1, 'read address valid'),
      output('s_axil_arready', 1, 'read address accepted'),
      output('s_axil_rdata', AXIL.data, 'read data', { reg: true }),
      output('s_axil_rresp', AXIL.resp, 'OKAY or SLVERR', { reg: true }),
      output('s_axil_rvalid', 1, 'read data valid', { reg: true }),
      input('s_axil_rready', 1, 'read data taken'),
      output('irq', 1, 'STATUS.DONE && CTRL.IRQ_EN (level, cleared with DONE)', { group: 'interrupt' }),
    ];
  },
  localparams: (D) => [
    D.qkv,
    D.top.n,
    D.candSel.threshold,
    D.top.cycleCount,
    AXIL.addr,
    AXIL.word,
    AXIL.data,
    AXIL.strobe,
    AXIL.resp,
    D.top.dim,
    { name: 'RESP_OKAY', value: 0, of: AXIL.resp, doc: 'AXI response OKAY' },
    { name: 'RESP_SLVERR', value: 2, of: AXIL.resp, doc: 'AXI response SLVERR: the access had no effect' },
    ...axiRegisters(D).map((r) => ({
      name: `A_${r.name}`,
      value: r.offset / 4,
      of: AXIL.word,
      doc: `register ${r.name}: byte offset ${hex2(r.offset)}`,
    })),
  ],
  view: (D) => {
    const regs = axiRegisters(D);
    const q = D.cfg.d * D.qkv.bits;
    return {
      addrW: AXI_ADDR_W,
      topm: D.candSel.topm !== null,
      kvBits: 2 * q,
      qBits: q,
      oBits: D.cfg.d * D.out.bits,
      kRange: `[${q - 1}:0]`,
      vRange: `[${2 * q - 1}:${q}]`,
      table: regs.map((r) => ({
        line: `${hex2(r.offset)}    ${pad(r.name, 14)} ${pad(r.access, 7)} ${pad(r.reset, 11)} ${r.fields[0]}`,
        more: r.fields.slice(1).map((f) => `${' '.repeat(FIELDS_INDENT)}${f}`),
      })),
      reads: regs.map((r) => ({ label: pad(`A_${r.name}:`, 15), read: r.read })),
    };
  },
};

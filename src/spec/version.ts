// The generator's name and version, stamped into every generated file and the AXI VERSION register.
export const GENERATOR = 'elsa-gen 0.1.0';

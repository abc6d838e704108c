// Modbus TCP source on modbus-serial: see modbus-source.ts.
export {};

/**
 * twinkit adapters: Modbus TCP source on modbus-serial.
 *
 * @module @twinkit/adapters/modbus
 */
export type { BackoffOptions } from '../backoff/backoff';
export {
  type ModbusSource,
  type ModbusSourceOptions,
  type ModbusSourceStats,
  modbusSource,
  type PollFailure,
} from './modbus-source';
export {
  decodeRegister,
  MAX_REGISTERS_PER_READ,
  type ModbusRegister,
  type ModbusRequest,
  type RegisterKind,
  type RegisterType,
  type WordOrder,
} from './register-map';

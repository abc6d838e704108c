/**
 * The hybrid factory model: a DES production line, SD machine health and ABM technicians on one
 * clock (time unit: minutes; health in percent). The model lives in one file per concept:
 * `machine.ts` (a machine, its buffer and its process), `technician.ts` (a technician's process),
 * `floor.ts` (the floor layout) and `factory.ts` (the factory, its KPIs and the definition); this
 * module exports what the rest of the example imports.
 */
export {
  Factory,
  type FactoryKpis,
  type FactorySnapshot,
  factory,
  type PlantReading,
  type TraceEntry,
  type WalkRecord,
} from './factory';
export { type FloorLayout, floorLayout, technicianPosts } from './floor';
export { Machine, type MachinePhase, type MachineSnapshot, type StopCause, type StopRecord } from './machine';
export { Technician, type TechnicianPhase, type TechnicianSnapshot } from './technician';

export type { ConditionEvaluator, ConditionValue } from './condition';
export { allEvents, anyEvent, Condition } from './condition';
export type { AnyEvent, EventCallback } from './event';
export { Event, Interrupt, Priority, Timeout } from './event';
export type { ProcessBody, ProcessGenerator } from './process';
export { Process } from './process';

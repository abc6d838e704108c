export {
  type AnyResourceEvent,
  Balked,
  BaseResource,
  type BaseResourceOptions,
  type CancelOutcome,
  type RequestStatus,
  ResourceEvent,
  type WaitingLinesState,
} from './base-resource';

export {
  type AnyResourceEvent,
  Balked,
  BaseResource,
  type BaseResourceOptions,
  type CancelOutcome,
  type RequestStatus,
  ResourceEvent,
} from './base-resource';

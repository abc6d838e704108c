export {
  Preempted,
  type PreemptiveRequestOptions,
  PreemptiveResource,
  type PriorityRequestOptions,
  PriorityResource,
  Request,
  Resource,
  type ResourceOptions,
  type ResourceState,
} from './resource';

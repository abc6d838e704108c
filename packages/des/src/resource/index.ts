export {
  Preempted,
  type PreemptiveRequestOptions,
  PreemptiveResource,
  type PriorityRequestOptions,
  PriorityResource,
  Request,
  Resource,
  type ResourceOptions,
} from './resource';

export {
  type AttachOptions,
  attach,
  attachSdModel,
  type CrossingDirection,
  type CrossingOptions,
  SdCoupling,
} from './attach';
export type { SdCouplingState } from './state';

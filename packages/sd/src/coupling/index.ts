export {
  type AttachOptions,
  attach,
  type CrossingDirection,
  type CrossingOptions,
  SdCoupling,
} from './attach';
export type { SdCouplingState } from './state';

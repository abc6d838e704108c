export type { RtsSmootherInput, RtsSmootherResult } from './rts-smoother';
export { rtsSmooth } from './rts-smoother';

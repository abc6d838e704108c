export { DEFAULT_GENERATOR, GENERATOR_KINDS, type GeneratorKind } from './generators';
export { MRG32K3A_DEFAULT_SEED, Mrg32k3a, type Mrg32k3aState } from './mrg32k3a';
export {
  createStream,
  RandomStream,
  type RandomStreamState,
  type SamplerKind,
  type SamplerParameters,
} from './random-stream';
export type { StreamKey } from './stream-key';

export {
  DEFAULT_GENERATOR,
  GENERATOR_KINDS,
  type GeneratorKind,
} from './generators';
export {
  MRG32K3A_DEFAULT_SEED,
  MRG32K3A_M1,
  MRG32K3A_M2,
  MRG32K3A_SUBSTREAMS_PER_STREAM,
  Mrg32k3a,
  type Mrg32k3aState,
  mrg32k3aJumpMatrices,
} from './mrg32k3a';
export {
  createStream,
  RandomStream,
  type RandomStreamState,
  type SamplerKind,
  type SamplerParameters,
} from './random-stream';
export type { StreamKey } from './stream-key';

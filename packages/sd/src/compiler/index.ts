export type { CompiledModel, OutputVariable } from './compile';
export { canonicalKey, compileModel, ModelCompileError } from './compile';
export type { UniformSource } from './runtime';

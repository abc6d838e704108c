export type { CreateOptions, DefineModelOptions, ModelBuilder } from './define-model';
export { defineModel, ModelDefinition } from './define-model';

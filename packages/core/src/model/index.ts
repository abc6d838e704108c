export type {
  CreateOptions,
  DefineModelOptions,
  ModelBuilder,
  RestoreOptions,
  SnapshotHooks,
} from './define-model';
export { defineModel, ModelDefinition } from './define-model';

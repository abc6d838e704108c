export type {
  CreateOptions,
  DefineModelOptions,
  DeprecatedSnapshotHooks,
  ModelBuilder,
  RestoreOptions,
  SnapshotHooks,
} from './define-model';
export { defineModel, ModelDefinition } from './define-model';

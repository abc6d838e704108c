export * from './agent-model';

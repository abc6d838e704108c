export * from './agent-set';

export * from './ticker';

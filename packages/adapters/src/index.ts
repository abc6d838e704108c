export * from './file';
export * from './quality';
export * from './reading';
export * from './sensors';
export * from './sink';
export * from './source';
export * from './topics';

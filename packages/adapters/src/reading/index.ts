export * from './decode';
export * from './reading';

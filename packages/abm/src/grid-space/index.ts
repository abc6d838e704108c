export * from './grid-space';

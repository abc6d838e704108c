export * from './sensors';

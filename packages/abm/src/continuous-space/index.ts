export * from './continuous-space';

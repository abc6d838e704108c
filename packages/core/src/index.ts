export * from './errors';
export * from './events';
export * from './model';
export * from './random';
export * from './simulation';
export * from './state';
export * from './statistics';

export * from './compiler';
export * from './coupling';
export * from './expression';
export * from './model';
export * from './names';
export * from './runner';
export * from './xmile';

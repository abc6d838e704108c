export * from './compiler';
export * from './expression';
export * from './model';
export * from './names';
export * from './runner';
export * from './xmile';

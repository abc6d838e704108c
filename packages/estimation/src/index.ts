export * from './gaussian-filter';
export * from './kalman-filter';
export * from './linear-algebra';

export * from './extended-kalman-filter';
export * from './gaussian-filter';
export * from './kalman-filter';
export * from './linear-algebra';
export * from './rts-smoother';
export * from './unscented-kalman-filter';

export type { WelchWarmup, WelchWarmupOptions } from './warm-up';
export { welchWarmup } from './warm-up';

export { canonicalName, displayName } from './names';

export { type DesContext, desContext } from './context';

export {
  type ParseXmileOptions,
  parseXmile,
  type ReadXmileOptions,
  readXmile,
  XmileError,
} from './xmile';
export { XmlSyntaxError } from './xml';

export { type ReadXmileOptions, readXmile, XmileError } from './xmile';
export { XmlSyntaxError } from './xml';

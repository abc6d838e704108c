export { loadXmile, type ReadXmileOptions, readXmile, XmileError } from './xmile';
export { parseXml, type XmlElement, XmlSyntaxError } from './xml';

export { Container, ContainerGet, type ContainerOptions, ContainerPut } from './container';
